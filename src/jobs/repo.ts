import type { Q } from '../db';

/** The only file of the jobs feature that builds queries: the `job_leases` rows. */

/** Takes the lease row when it has expired or is already this holder's; true when it did. */
export async function takeLease(q: Q, name: string, holder: string, now: string, expiresAt: string): Promise<boolean> {
  const taken = await q('job_leases')
    .where({ name })
    .andWhere((w) => w.where('expires_at', '<=', now).orWhere({ holder }))
    .update({ holder, expires_at: expiresAt });
  return taken > 0;
}

/** The first lease of a job name (a unique violation when another instance inserted it first). */
export async function insertLease(q: Q, name: string, holder: string, expiresAt: string): Promise<void> {
  await q('job_leases').insert({ name, holder, expires_at: expiresAt });
}

/** Gives the lease back (expired at once) if this holder still has it. */
export async function releaseLease(q: Q, name: string, holder: string): Promise<void> {
  await q('job_leases').where({ name, holder }).update({ expires_at: new Date(0).toISOString() });
}
