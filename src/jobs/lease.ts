import type { Db } from '../db';
import { isUniqueViolation } from '../db';

/**
 * A lease is a row per job name with an expiry. Taking it is one conditional write, so when several
 * instances fire the same cron tick only one of them runs the job.
 */
export async function tryTakeLease(db: Db, name: string, holder: string, seconds: number, now = new Date()): Promise<boolean> {
  const expires = new Date(now.getTime() + seconds * 1000).toISOString();
  const taken = await db('job_leases')
    .where({ name })
    .andWhere((w) => w.where('expires_at', '<=', now.toISOString()).orWhere({ holder }))
    .update({ holder, expires_at: expires });
  if (taken > 0) return true;
  try {
    await db('job_leases').insert({ name, holder, expires_at: expires });
    return true;
  } catch (err) {
    if (isUniqueViolation(err)) return false;
    throw err;
  }
}

export async function releaseLease(db: Db, name: string, holder: string): Promise<void> {
  await db('job_leases').where({ name, holder }).update({ expires_at: new Date(0).toISOString() });
}

/** Runs fn only if this holder gets the lease; returns whether it ran. */
export async function withLease(db: Db, name: string, holder: string, seconds: number, fn: () => Promise<void>, now = new Date()): Promise<boolean> {
  if (!(await tryTakeLease(db, name, holder, seconds, now))) return false;
  try {
    await fn();
  } finally {
    await releaseLease(db, name, holder);
  }
  return true;
}
