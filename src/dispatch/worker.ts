import crypto from 'node:crypto';
import os from 'node:os';
import type { Deps } from '../deps';
import * as repo from './repo';
import type { OutboxRow } from './repo';
import { backoffSeconds, sendLimits, type SendLimits } from './limits';
import { classifySendError, createTransport, type MailTransport } from './transport';

/**
 * The send engine: one small module. It claims due messages (queued → sending, one conditional UPDATE),
 * sends them through the transport with `poolSize` in flight and the pool's rate limit, and records each
 * outcome the moment it is known (sent | queued again with backoff | failed). A message another process
 * left in "sending" is reconciled first (see CONTEXT.md, "Delivery guarantee").
 *
 * Drains of one app instance never overlap: a kick while a drain runs makes that drain look again.
 */

/** This process, as recorded in mail_outbox.claimed_by: host:pid:nonce. */
export const HOLDER = `${os.hostname()}:${process.pid}:${crypto.randomBytes(4).toString('hex')}`;

export interface DrainResult {
  sent: number;
  retried: number;
  failed: number;
  /** Messages found in "sending" from a dead process: re-queued, or marked sent when the file outbox shows they left. */
  recovered: number;
}

interface Runner {
  running: Promise<DrainResult> | null;
  again: boolean;
}
/**
 * One runner per database: the app's Deps and every request context made from them (`{ ...deps, actor }`) are
 * different objects sharing one database, and their drains must not overlap.
 */
const runners = new WeakMap<Deps['db'], Runner>();

const iso = (d: Date) => d.toISOString();

/**
 * Sends everything due now and resolves when nothing due is left (tests await it; the job calls it).
 * Concurrent calls share the running drain.
 */
export function drainOutbox(deps: Deps): Promise<DrainResult> {
  let r = runners.get(deps.db);
  if (!r) {
    r = { running: null, again: false };
    runners.set(deps.db, r);
  }
  const runner = r;
  if (runner.running) {
    runner.again = true;
    return runner.running;
  }
  const run = async (): Promise<DrainResult> => {
    const total: DrainResult = { sent: 0, retried: 0, failed: 0, recovered: 0 };
    do {
      runner.again = false;
      const one = await drainOnce(deps);
      total.sent += one.sent;
      total.retried += one.retried;
      total.failed += one.failed;
      total.recovered += one.recovered;
    } while (runner.again);
    return total;
  };
  runner.running = run().finally(() => {
    runner.running = null;
  });
  return runner.running;
}

/** Resolves when no drain is running (graceful shutdown waits for the messages in flight). */
export async function outboxIdle(deps: Deps): Promise<void> {
  await runners.get(deps.db)?.running?.catch(() => undefined);
}

/** Starts a drain in the background (after a dispatch, at start-up); errors are logged, never thrown. */
export function kickOutbox(deps: Deps): void {
  drainOutbox(deps).catch((err) => deps.log.error({ err }, 'outbox drain failed'));
}

async function drainOnce(deps: Deps): Promise<DrainResult> {
  const limits = sendLimits(deps.config);
  const result: DrainResult = { sent: 0, retried: 0, failed: 0, recovered: 0 };
  const transport = createTransport(deps.config, limits);
  try {
    result.recovered = await recoverAbandoned(deps, transport, limits);
    const finished: number[] = [];
    const sync = async () => repo.syncDeliveryStatuses(deps.db, iso(deps.clock()), finished.splice(0));
    await sendDue(deps, transport, limits, async (outcome, id) => {
      result[outcome] += 1;
      if (outcome !== 'retried') finished.push(id);
      if (finished.length >= SYNC_EVERY) await sync();
    });
    await repo.syncDeliveryStatuses(deps.db, iso(deps.clock())); // also catches up after a crash
  } finally {
    transport.close();
  }
  if (result.sent + result.failed + result.retried + result.recovered > 0) deps.log.info({ ...result, transport: transport.kind }, 'outbox drained');
  return result;
}

/** Delivery statuses follow their messages in groups of this many outcomes (and at the end of each drain). */
const SYNC_EVERY = 25;

/**
 * `inFlight` lanes each take the next claimed message; when the claimed ones run low, one lane claims the
 * next batch while the others keep sending, so the pool never idles between batches.
 */
async function sendDue(deps: Deps, transport: MailTransport, limits: SendLimits, record: (outcome: 'sent' | 'retried' | 'failed', outboxId: number) => Promise<void>): Promise<void> {
  const queue: { row: OutboxRow; token: string }[] = [];
  let exhausted = false;
  let claiming: Promise<void> | null = null;
  const claimBatch = async () => {
    const token = crypto.randomBytes(12).toString('hex');
    const now = iso(deps.clock());
    const ids = await repo.dueOutboxIds(deps.db, now, limits.batchSize);
    if (ids.length === 0) {
      exhausted = true;
      return;
    }
    await repo.claimOutbox(deps.db, ids, { by: HOLDER, token, at: now });
    for (const row of await repo.outboxClaimedWith(deps.db, token)) queue.push({ row, token }); // none if another worker took them: claim again
  };
  const refill = () => (claiming ??= claimBatch().finally(() => (claiming = null)));
  const lane = async () => {
    for (;;) {
      const next = queue.shift();
      if (next) {
        await record(await sendOne(deps, transport, limits, next.row, next.token), next.row.id);
        if (queue.length < limits.inFlight && !exhausted) void refill().catch(() => undefined); // claim ahead
        continue;
      }
      if (exhausted) return;
      await refill();
    }
  };
  await Promise.all(Array.from({ length: limits.inFlight }, lane));
}

async function sendOne(deps: Deps, transport: MailTransport, limits: SendLimits, row: OutboxRow, token: string): Promise<'sent' | 'retried' | 'failed'> {
  try {
    await transport.send(row);
  } catch (err) {
    const { permanent, message } = classifySendError(err);
    const now = deps.clock();
    if (permanent || row.attempts >= limits.maxAttempts) {
      const reason = permanent ? message : `gave up after ${row.attempts} attempts: ${message}`;
      await repo.markOutboxFailed(deps.db, row.id, token, reason);
      deps.log.warn({ outboxId: row.id, to: row.to_address, error: reason }, 'mail failed');
      return 'failed';
    }
    const next = new Date(now.getTime() + backoffSeconds(limits, row.attempts) * 1000);
    await repo.markOutboxRetry(deps.db, row.id, token, iso(next), message);
    deps.log.info({ outboxId: row.id, attempts: row.attempts, next: iso(next), error: message }, 'mail deferred');
    return 'retried';
  }
  // Recorded the moment the server accepted it: the window in which a crash causes a resend is this one await.
  await repo.markOutboxSent(deps.db, row.id, token, iso(deps.clock()));
  return 'sent';
}

/** Is the process that claimed this row gone (or has it held it far too long)? */
export function isAbandoned(row: OutboxRow, now: Date, limits: SendLimits, holder = HOLDER): boolean {
  if (row.claimed_by === holder) return true; // drains of this instance do not overlap: a leftover is from a failed drain
  const [host, pidText, nonce] = (row.claimed_by ?? '').split(':');
  const [ourHost, ourPid, ourNonce] = holder.split(':');
  if (host === ourHost) {
    const pid = Number(pidText);
    if (String(pid) === ourPid) return nonce !== ourNonce; // a previous life of this process (same pid after a restart, e.g. pid 1 in a container)
    if (!Number.isInteger(pid) || !processAlive(pid)) return true;
  }
  const claimedAt = row.claimed_at ? Date.parse(row.claimed_at) : 0;
  return now.getTime() - claimedAt > limits.sendingStaleSeconds * 1000;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as { code?: string }).code === 'EPERM';
  }
}

async function recoverAbandoned(deps: Deps, transport: MailTransport, limits: SendLimits): Promise<number> {
  const now = deps.clock();
  let n = 0;
  for (const row of await repo.outboxInSending(deps.db)) {
    if (!isAbandoned(row, now, limits)) continue;
    const left = await transport.wasDelivered(row);
    const done =
      left === true
        ? await repo.markOutboxSent(deps.db, row.id, row.claim_token ?? '', iso(now))
        : await repo.requeueInterrupted(deps.db, row.id, row.claim_token, iso(now), 'interrupted while sending; sent again with the same Message-ID');
    if (done) n += 1;
    deps.log.warn({ outboxId: row.id, messageId: row.message_id, delivered: left }, 'recovered an interrupted message');
  }
  return n;
}

/**
 * Start-up step: logs where mail goes and resumes the outbox in the background (messages a crash left in
 * "sending" are reconciled, due ones are sent) without holding up the start.
 */
export async function startupOutbox(deps: Deps): Promise<void> {
  deps.log.info({ transport: deps.config.SMTP_URL ? 'smtp' : 'file', outbox: deps.config.SMTP_URL ? undefined : `${deps.config.MEDIA_DIR}/outbox` }, 'mail transport');
  kickOutbox(deps);
}
