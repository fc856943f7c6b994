import type { Deps } from '../deps';
import { isUniqueViolation } from '../db';
import * as repo from './repo';

/**
 * A lease is a row per job name with an expiry. Taking it is one conditional write, so when several
 * instances fire the same cron tick only one of them runs the job. Time is the deps' clock (tests move it).
 */
export async function tryTakeLease(deps: Deps, name: string, holder: string, seconds: number): Promise<boolean> {
  const now = deps.clock();
  const expiresAt = new Date(now.getTime() + seconds * 1000).toISOString();
  if (await repo.takeLease(deps.db, name, holder, now.toISOString(), expiresAt)) return true;
  try {
    await repo.insertLease(deps.db, name, holder, expiresAt);
    return true;
  } catch (err) {
    if (isUniqueViolation(err)) return false;
    throw err;
  }
}

/** Runs fn only if this holder gets the lease; returns whether it ran. The lease is given back afterwards. */
export async function withLease(deps: Deps, name: string, holder: string, seconds: number, fn: () => Promise<void>): Promise<boolean> {
  if (!(await tryTakeLease(deps, name, holder, seconds))) return false;
  try {
    await fn();
  } finally {
    await repo.releaseLease(deps.db, name, holder);
  }
  return true;
}
