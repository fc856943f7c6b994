import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import nodemailer from 'nodemailer';
import type Mail from 'nodemailer/lib/mailer';
import type { Config } from '../config';
import { mediaPath } from '../shared/media';
import type { OutboxRow } from './repo';
import { parseAttachments } from './outbox';
import type { SendLimits } from './limits';

/**
 * Where the worker hands messages: an SMTP server (SMTP_URL, pooled, rate-limited) or, when SMTP_URL is
 * unset, a file outbox of .eml files under MEDIA_DIR/outbox so the embedded start needs no mail server.
 */
export interface MailTransport {
  readonly kind: 'smtp' | 'file';
  /** Sends one message; resolves with the server's reply, rejects with nodemailer's error. */
  send(row: OutboxRow): Promise<string>;
  /** After a crash: true when the message verifiably left, false when it verifiably did not, null when unknowable. */
  wasDelivered(row: OutboxRow): Promise<boolean | null>;
  close(): void;
}

export const OUTBOX_DIR = 'outbox';

/** The .eml of a message in the file outbox, named by its Message-ID (relative to MEDIA_DIR). */
export function emlRelPath(messageId: string): string {
  const safe = messageId.replace(/^<|>$/g, '').replace(/[^A-Za-z0-9._@-]/g, '_');
  return path.join(OUTBOX_DIR, `${safe}.eml`);
}

/**
 * Attachment bytes kept in memory for one drain: a dispatch sends the same DOCX and guide to every
 * recipient, so each file is read once instead of once per message. Bounded; bigger files stream from disk.
 */
export class AttachmentCache {
  private readonly files = new Map<string, Buffer>();
  private bytes = 0;
  constructor(
    private readonly maxBytes = 64 * 1024 * 1024,
    private readonly maxFileBytes = 8 * 1024 * 1024,
  ) {}

  /** The file's bytes, or null when it should be streamed from disk. */
  get(file: string): Buffer | null {
    const hit = this.files.get(file);
    if (hit) return hit;
    let size: number;
    try {
      size = fs.statSync(file).size;
    } catch {
      return null; // let nodemailer report the missing file
    }
    if (size > this.maxFileBytes || this.bytes + size > this.maxBytes) return null;
    const data = fs.readFileSync(file);
    this.files.set(file, data);
    this.bytes += data.length;
    return data;
  }
}

export function mailOptions(config: Config, row: OutboxRow, cache?: AttachmentCache): Mail.Options {
  const resolve = (p: string) => (path.isAbsolute(p) ? p : mediaPath(config.MEDIA_DIR, p));
  return {
    from: config.MAIL_FROM,
    to: row.to_address,
    subject: row.subject,
    text: row.text,
    html: row.html ?? undefined,
    messageId: row.message_id,
    headers: { 'X-Vandong-Kind': row.kind },
    attachments: parseAttachments(row.attachments).map((a) => ({
      filename: a.filename,
      contentType: a.contentType,
      ...(a.path ? fileSource(resolve(a.path), cache) : { content: Buffer.from(a.contentBase64 ?? '', 'base64') }),
    })),
  };
}

function fileSource(file: string, cache?: AttachmentCache): { content: Buffer } | { path: string } {
  const data = cache?.get(file);
  return data ? { content: data } : { path: file };
}

/** Pool settings shared by the worker and the benchmark's raw-nodemailer baseline. */
export function smtpPoolOptions(url: string, limits: Pick<SendLimits, 'poolSize' | 'ratePerSecond'>) {
  return {
    url,
    pool: true as const,
    maxConnections: limits.poolSize,
    maxMessages: Infinity,
    rateDelta: 1000,
    rateLimit: limits.ratePerSecond,
    connectionTimeout: 30_000,
    greetingTimeout: 30_000,
    socketTimeout: 120_000,
  };
}

function smtpTransport(config: Config, limits: SendLimits): MailTransport {
  const transporter = nodemailer.createTransport(smtpPoolOptions(config.SMTP_URL!, limits));
  const cache = new AttachmentCache();
  return {
    kind: 'smtp',
    async send(row) {
      const info = await transporter.sendMail(mailOptions(config, row, cache));
      return String(info.response ?? '250 OK');
    },
    // An SMTP server cannot be asked whether it already accepted a Message-ID: unknowable (→ resend, see CONTEXT.md).
    wasDelivered: async () => null,
    close: () => transporter.close(),
  };
}

function fileTransport(config: Config): MailTransport {
  const transporter = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'windows' });
  const dir = path.join(config.MEDIA_DIR, OUTBOX_DIR);
  const cache = new AttachmentCache();
  return {
    kind: 'file',
    async send(row) {
      const info = await transporter.sendMail(mailOptions(config, row, cache));
      await fs.promises.mkdir(dir, { recursive: true });
      const dest = mediaPath(config.MEDIA_DIR, emlRelPath(row.message_id));
      const temp = `${dest}.${crypto.randomBytes(6).toString('hex')}.tmp`;
      await fs.promises.writeFile(temp, info.message as Buffer);
      await fs.promises.rename(temp, dest); // the .eml exists only once it is complete: that is what reconciliation checks
      return `250 written ${path.basename(dest)}`;
    },
    wasDelivered: async (row) => fs.existsSync(mediaPath(config.MEDIA_DIR, emlRelPath(row.message_id))),
    close: () => transporter.close(),
  };
}

export function createTransport(config: Config, limits: SendLimits): MailTransport {
  return config.SMTP_URL ? smtpTransport(config, limits) : fileTransport(config);
}

/** Temporary (retry later) or permanent (give up), with the text to record. */
export function classifySendError(err: unknown): { permanent: boolean; message: string } {
  const e = err as { code?: string; responseCode?: number; response?: string; message?: string };
  const message = (e?.response || e?.message || String(err)).trim();
  const aboutThisMessage = e?.code === 'EENVELOPE' || e?.code === 'EMESSAGE';
  if (aboutThisMessage && typeof e.responseCode === 'number') return { permanent: e.responseCode >= 500, message };
  if (e?.code === 'EENVELOPE') return { permanent: true, message }; // e.g. an address nodemailer cannot use at all
  // Connection, TLS, timeouts, authentication, a full disk: the message is fine, the road is not. Retry.
  return { permanent: false, message };
}
