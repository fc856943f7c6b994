import type { Q } from '../db';
import { chunked } from '../db';

export interface NotificationRow {
  id: number;
  user_id: number;
  kind: string;
  /** JSON: the message's parameters (subject, symbol, reason, who). */
  params: string;
  link: string | null;
  created_at: string;
  read_at: string | null;
}

/** Writes the notices and returns their ids in the order given (one query per 200 on both engines). */
export async function insertNotifications(q: Q, rows: Omit<NotificationRow, 'id' | 'read_at'>[]): Promise<number[]> {
  const ids: number[] = [];
  for (const part of chunked(rows)) {
    const res = (await q('notifications').insert(part.map((r) => ({ ...r, read_at: null }))).returning('id')) as unknown[];
    if (res.length === part.length) {
      ids.push(...res.map((r) => (typeof r === 'object' && r !== null ? Number((r as { id: number }).id) : Number(r))));
    } else {
      // Older SQLite answers with the last id only: the rows of one statement have consecutive ids.
      const last = Number(typeof res[0] === 'object' ? (res[0] as { id: number }).id : res[0]);
      for (let i = part.length - 1; i >= 0; i--) ids.push(last - i);
    }
  }
  return ids;
}

export async function listForUser(q: Q, userId: number, opts: { limit: number; offset: number; unreadOnly?: boolean }): Promise<NotificationRow[]> {
  const query = q<NotificationRow>('notifications').where({ user_id: userId }).orderBy('created_at', 'desc').orderBy('id', 'desc').limit(opts.limit).offset(opts.offset);
  if (opts.unreadOnly) query.whereNull('read_at');
  return query;
}

export async function countForUser(q: Q, userId: number, unreadOnly: boolean): Promise<number> {
  const query = q('notifications').where({ user_id: userId });
  if (unreadOnly) query.whereNull('read_at');
  const row = await query.count<{ n: number | string }[]>({ n: '*' }).first();
  return Number(row?.n ?? 0);
}

export async function findForUser(q: Q, id: number, userId: number): Promise<NotificationRow | undefined> {
  return q<NotificationRow>('notifications').where({ id, user_id: userId }).first();
}

export async function markRead(q: Q, userId: number, now: string, id?: number): Promise<void> {
  const query = q('notifications').where({ user_id: userId }).whereNull('read_at');
  if (id !== undefined) query.where({ id });
  await query.update({ read_at: now });
}
