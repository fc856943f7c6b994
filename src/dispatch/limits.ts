import type { Config } from '../config';

/**
 * The send engine's limits, all in one place (listmonk style). Pool size and rate come from the shared
 * config (MAIL_POOL_SIZE, MAIL_RATE_PER_SECOND, and the MAIL_* retry variables in src/config.ts).
 */
export interface SendLimits {
  /** Concurrent SMTP connections, and messages in flight at once. */
  poolSize: number;
  /** Messages per second across the pool. */
  ratePerSecond: number;
  /** Messages handed to the transport at once: two per connection, so a connection never waits for us to record the last outcome. */
  inFlight: number;
  /** Messages claimed per round trip to the database. */
  batchSize: number;
  /** Attempts before a temporarily failing message is marked failed. */
  maxAttempts: number;
  /** First retry after this many seconds, doubling each attempt… */
  backoffBaseSeconds: number;
  /** …up to this. */
  backoffMaxSeconds: number;
  /** A message left in "sending" longer than this by another process is considered abandoned. */
  sendingStaleSeconds: number;
}

export function sendLimits(config: Config): SendLimits {
  return {
    poolSize: config.MAIL_POOL_SIZE,
    ratePerSecond: config.MAIL_RATE_PER_SECOND,
    inFlight: config.MAIL_POOL_SIZE * 2,
    batchSize: Math.min(200, Math.max(20, config.MAIL_POOL_SIZE * 10)),
    maxAttempts: config.MAIL_MAX_ATTEMPTS,
    backoffBaseSeconds: config.MAIL_BACKOFF_BASE_SECONDS,
    backoffMaxSeconds: config.MAIL_BACKOFF_MAX_SECONDS,
    sendingStaleSeconds: config.MAIL_SENDING_STALE_SECONDS,
  };
}

/** Delay before attempt n+1 after n attempts: base · 2^(n−1), capped. */
export function backoffSeconds(limits: SendLimits, attempts: number): number {
  return Math.min(limits.backoffMaxSeconds, limits.backoffBaseSeconds * 2 ** Math.max(0, attempts - 1));
}
