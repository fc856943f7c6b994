import { z } from 'zod';

/**
 * Every setting comes from an environment variable; README.md lists them with their defaults.
 * Parsed once at start so a typo fails loudly instead of at the first request that needs it.
 */
const intFromEnv = (def: number) => z.coerce.number().int().positive().default(def);

const ConfigSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  DATABASE_URL: z.string().default('sqlite://./data/vandong.sqlite'),
  MEDIA_DIR: z.string().default('./media'),
  SMTP_URL: z.string().optional(),
  MAIL_FROM: z.string().default('Vận Động <no-reply@vandong.local>'),
  MAIL_RATE_PER_SECOND: intFromEnv(20),
  MAIL_POOL_SIZE: intFromEnv(5),
  MAIL_MAX_ATTEMPTS: intFromEnv(10),
  MAIL_BACKOFF_BASE_SECONDS: intFromEnv(60),
  MAIL_BACKOFF_MAX_SECONDS: intFromEnv(3600),
  MAIL_SENDING_STALE_SECONDS: intFromEnv(900),
  PUBLIC_URL: z.string().default(''),
  VANDONG_ADMIN_EMAIL: z.string().default('admin@localhost'),
  VANDONG_ADMIN_PASSWORD: z.string().optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SESSION_TTL_HOURS: intFromEnv(12),
  API_TOKEN_TTL_DAYS: intFromEnv(30),
  LOGIN_MAX_FAILURES: intFromEnv(10),
  LOGIN_WINDOW_MINUTES: intFromEnv(15),
  LOGIN_MAX_FAILURES_PER_ADDRESS: intFromEnv(100),
  /** scrypt's cost N for new password hashes (a power of two). Keep the default; the test suites lower it to make accounts fast. */
  PASSWORD_SCRYPT_N: z.coerce
    .number()
    .int()
    .min(1024)
    .max(1 << 20)
    .refine((n) => (n & (n - 1)) === 0, 'must be a power of two')
    .default(32768),
  LOGIN_DELAY_BASE_SECONDS: intFromEnv(30),
  LOGIN_DELAY_MAX_SECONDS: intFromEnv(900),
  ALLOW_SELF_APPROVAL: z
    .enum(['true', 'false', '1', '0'])
    .default('false')
    .transform((v) => v === 'true' || v === '1'),
  UPLOAD_MAX_MB: intFromEnv(20),
  AUDIO_MAX_MB: intFromEnv(100),
  IMPORT_MAX_ROWS: intFromEnv(20_000),
  IMPORT_MAX_UNCOMPRESSED_MB: intFromEnv(50),
  FFMPEG_PATH: z.string().optional(),
  AUDIO_BITRATE_KBPS: intFromEnv(128),
  AUDIO_TARGET_LUFS: z.coerce.number().default(-16),
  AUDIO_TRUE_PEAK_DBTP: z.coerce.number().default(-1.5),
  AUDIO_JOB_TIMEOUT_SECONDS: intFromEnv(600),
  BROADCAST_GRACE_MINUTES: intFromEnv(120),
  /** Key that encrypts PKCS#12 passwords at rest (any string; 32+ random bytes recommended). Unset: a key file in MEDIA_DIR. */
  SIGNING_KEY: z.string().optional(),
  /** Folder of trusted root certificates (PEM or DER) for verification. Unset: MEDIA_DIR/signing/trust. */
  SIGNING_TRUST_DIR: z.string().optional(),
  /** Approving and issuing need certificates (the approver's and the organisation's). */
  REQUIRE_DIGITAL_SIGNATURE: z
    .enum(['true', 'false', '1', '0'])
    .default('false')
    .transform((v) => v === 'true' || v === '1'),
  /** An emergency bulletin not confirmed this long after it was sent is escalated by e-mail (default per bulletin). */
  EMERGENCY_CONFIRM_MINUTES: intFromEnv(15),
  /** A receiver whose last heartbeat is older than this is shown as down. */
  RECEIVER_SILENT_MINUTES: intFromEnv(15),
  JOBS_ENABLED: z
    .enum(['true', 'false', '1', '0'])
    .default('true')
    .transform((v) => v === 'true' || v === '1'),
});

export type Config = z.infer<typeof ConfigSchema> & { publicUrl: string };

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // An empty variable means "not set", as in most shells' `VAR= command`.
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = ConfigSchema.safeParse(present);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new Error(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const cfg = parsed.data;
  const publicUrl = (cfg.PUBLIC_URL || `http://localhost:${cfg.PORT}`).replace(/\/$/, '');
  return { ...cfg, publicUrl };
}
