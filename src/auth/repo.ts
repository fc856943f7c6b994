import type { Q } from '../db';
import { chunked, insertId, isPostgres } from '../db';
import { whereContains } from '../shared/paging';
import type { Actor, Role } from './roles';

export interface UserRow {
  id: number;
  email: string;
  name: string;
  password_hash: string;
  org_id: number;
  locale: string;
  active: boolean | number;
  created_at: string;
  /** Set for an imported user until they choose their own password (the pages send them to /me/password). */
  must_change_password?: boolean | number;
}

export async function findUserByEmail(q: Q, email: string): Promise<UserRow | undefined> {
  return q<UserRow>('users').where({ email }).first();
}

/** True when the user's organisation was deactivated (its users cannot sign in). */
export async function orgDeactivated(q: Q, orgId: number): Promise<boolean> {
  const row = (await q('orgs').where({ id: orgId }).select('deactivated_at').first()) as { deactivated_at: string | null } | undefined;
  return Boolean(row?.deactivated_at);
}

export async function findUserById(q: Q, id: number): Promise<UserRow | undefined> {
  return q<UserRow>('users').where({ id }).first();
}

export async function rolesOf(q: Q, userId: number): Promise<Role[]> {
  const rows = await q('user_roles').where({ user_id: userId }).select('role').orderBy('role');
  return rows.map((r: { role: Role }) => r.role);
}

export async function rolesOfMany(q: Q, userIds: number[]): Promise<Map<number, Role[]>> {
  const map = new Map<number, Role[]>();
  if (userIds.length === 0) return map;
  const rows = await q('user_roles').whereIn('user_id', userIds).select('user_id', 'role').orderBy('role');
  for (const r of rows as { user_id: number; role: Role }[]) {
    map.set(r.user_id, [...(map.get(r.user_id) ?? []), r.role]);
  }
  return map;
}

export async function insertUser(q: Q, row: Omit<UserRow, 'id'>, roles: Role[]): Promise<number> {
  const id = await insertId(q, 'users', row);
  await setRoles(q, id, roles);
  return id;
}

export async function setRoles(q: Q, userId: number, roles: Role[]): Promise<void> {
  await q('user_roles').where({ user_id: userId }).delete();
  if (roles.length) await q('user_roles').insert(roles.map((role) => ({ user_id: userId, role })));
}

export async function updateUser(q: Q, id: number, patch: Partial<Omit<UserRow, 'id'>>): Promise<void> {
  await q('users').where({ id }).update(patch);
}

/** Users by name; `orgIds` limits them to those organisations (an administrator's tree). */
function usersOf(q: Q, filter: { orgId?: number; orgIds?: number[]; q?: string }) {
  const query = q<UserRow>('users');
  if (filter.orgId) query.where({ org_id: filter.orgId });
  if (filter.orgIds) {
    const ids = filter.orgIds;
    // One bound variable per id is fine for a tree; very large trees go through chunks.
    if (ids.length === 0) query.whereRaw('1 = 0');
    else
      query.where((w) => {
        for (const part of chunked(ids, 500)) w.orWhereIn('org_id', part);
      });
  }
  if (filter.q) whereContains(query, ['name', 'email'], filter.q);
  return query;
}

export async function listUsers(q: Q, filter: { orgId?: number; orgIds?: number[] }): Promise<UserRow[]> {
  if (filter.orgIds?.length === 0) return [];
  return usersOf(q, filter).orderBy('name');
}

/** One page of users by name, searched by name or e-mail, and how many match in all. */
export async function pageUsers(q: Q, filter: { orgId?: number; orgIds?: number[]; q?: string }, page: { limit: number; offset: number }): Promise<{ rows: UserRow[]; total: number }> {
  const counted = await usersOf(q, filter).count({ n: '*' }).first();
  const n = Number(counted?.n ?? 0);
  const rows = await usersOf(q, filter).orderBy([{ column: 'name' }, { column: 'id' }]).limit(page.limit).offset(page.offset);
  return { rows, total: Number(n) };
}

/** The first (oldest) active user holding `role`. */
export async function firstActiveWithRole(q: Q, role: Role): Promise<UserRow | undefined> {
  return q<UserRow>('users as u')
    .join('user_roles as r', 'r.user_id', 'u.id')
    .where({ 'r.role': role, 'u.active': true })
    .orderBy('u.id')
    .first('u.*');
}

/** Which of these addresses already belong to a user. */
export async function existingEmails(q: Q, emails: string[]): Promise<Set<string>> {
  const out = new Set<string>();
  for (const part of chunked(emails, 500)) {
    const rows = await q<{ email: string }>('users').whereIn('email', part).select('email');
    for (const r of rows) out.add(r.email);
  }
  return out;
}

export async function countUsers(q: Q): Promise<number> {
  const row = await q('users').count<{ n: number | string }[]>({ n: '*' }).first();
  return Number(row?.n ?? 0);
}

export interface TokenRow {
  id: number;
  token_hash: string;
  user_id: number;
  kind: 'session' | 'api';
  csrf_token: string | null;
  expires_at: string;
  revoked_at: string | null;
}

export async function insertToken(q: Q, row: Omit<TokenRow, 'id' | 'revoked_at'> & { created_at: string; label?: string | null }): Promise<number> {
  return insertId(q, 'auth_tokens', row);
}

/** The live token's user in one query (every authenticated request runs this). */
export async function findUserByLiveToken(q: Q, tokenHash: string, kind: 'session' | 'api', now: string): Promise<(UserRow & { csrf_token: string | null; expires_at: string }) | undefined> {
  return q('auth_tokens as t')
    .join('users as u', 'u.id', 't.user_id')
    .join('orgs as o', 'o.id', 'u.org_id')
    .whereNull('o.deactivated_at') // a deactivated organisation's users are signed out
    .where({ 't.token_hash': tokenHash, 't.kind': kind })
    .whereNull('t.revoked_at')
    .where('t.expires_at', '>', now)
    .first('u.*', 't.csrf_token', 't.expires_at');
}

export async function revokeToken(q: Q, tokenHash: string, now: string): Promise<void> {
  await q('auth_tokens').where({ token_hash: tokenHash }).update({ revoked_at: now });
}

/** Ends every session and token of the user but one (the session that changed its own password). */
export async function revokeTokensOfUserExcept(q: Q, userId: number, now: string, keepTokenHash: string | null): Promise<void> {
  const query = q('auth_tokens').where({ user_id: userId }).whereNull('revoked_at');
  if (keepTokenHash) query.whereNot({ token_hash: keepTokenHash });
  await query.update({ revoked_at: now });
}

export async function revokeTokensOfUser(q: Q, userId: number, now: string): Promise<void> {
  await q('auth_tokens').where({ user_id: userId }).whereNull('revoked_at').update({ revoked_at: now });
}

/**
 * Sign-in attempts. Each attempt is reserved as a failed row before the password is checked and marked a
 * success afterwards, so a burst of parallel guesses is counted while their checks run. Reservations of one
 * account and of one address are serialised: on PostgreSQL by transaction-scoped advisory locks taken in a
 * fixed order (account, then address), on SQLite by its single connection.
 */
export async function lockLoginKeys(q: Q, email: string, ip: string): Promise<void> {
  if (!isPostgres(q)) return;
  await q.raw('select pg_advisory_xact_lock(?, hashtext(?))', [LOCK_ACCOUNT, email]);
  await q.raw('select pg_advisory_xact_lock(?, hashtext(?))', [LOCK_ADDRESS, ip]);
}
const LOCK_ACCOUNT = 74201;
const LOCK_ADDRESS = 74202;

export async function insertLoginAttempt(q: Q, row: { email: string; ip: string; success: boolean; at: string }): Promise<number> {
  return insertId(q, 'login_attempts', row);
}

export async function markLoginSucceeded(q: Q, id: number): Promise<void> {
  await q('login_attempts').where({ id }).update({ success: true });
}

/** Failures (reservations included) of one e-mail since `since` and after its last success: how many and the latest. */
export async function accountFailures(q: Q, email: string, since: string): Promise<{ count: number; lastAt: string | null }> {
  const lastSuccess = await q('login_attempts').where({ email, success: true }).max<{ id: number | null }[]>({ id: 'id' }).first();
  const row = await q('login_attempts')
    .where({ email, success: false })
    .where('at', '>', since)
    .where('id', '>', Number(lastSuccess?.id ?? 0))
    .select(q.raw('count(*) as n'), q.raw('max(at) as last_at'))
    .first<{ n: number | string; last_at: string | null } | undefined>();
  return { count: Number(row?.n ?? 0), lastAt: row?.last_at ?? null };
}

/** The times of one address's failures since `since`, oldest first. */
export async function addressFailureTimes(q: Q, ip: string, since: string, limit: number): Promise<string[]> {
  const rows = await q('login_attempts').where({ ip, success: false }).where('at', '>', since).orderBy('at', 'desc').limit(limit).select('at');
  return rows.map((r: { at: string }) => r.at).reverse();
}

export function toActor(user: UserRow, roles: Role[]): Actor {
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    roles,
    orgId: user.org_id,
    locale: user.locale === 'en' ? 'en' : 'vi',
  };
}

/** Which of these organisations have at least one active user (letters to them arrive in the system). */
export async function orgsWithActiveUsers(q: Q, orgIds: number[]): Promise<Set<number>> {
  const out = new Set<number>();
  for (const part of chunked(orgIds, 500)) {
    const rows = await q<{ org_id: number }>('users').whereIn('org_id', part).andWhere('active', true).distinct('org_id');
    for (const r of rows) out.add(Number(r.org_id));
  }
  return out;
}

/** The active users of one organisation, by name. */
export async function activeUsersOf(q: Q, orgId: number): Promise<{ id: number; name: string }[]> {
  const rows = await q<{ id: number; name: string; org_id: number; active: boolean }>('users').where({ org_id: orgId, active: true }).orderBy('name').select('id', 'name');
  return rows.map((r) => ({ id: Number(r.id), name: r.name }));
}

export async function userNames(q: Q, ids: number[]): Promise<Map<number, string>> {
  const map = new Map<number, string>();
  for (const part of chunked([...new Set(ids)], 500)) {
    for (const r of await q<{ id: number; name: string }>('users').whereIn('id', part).select('id', 'name')) map.set(Number(r.id), r.name);
  }
  return map;
}

/** E-mail addresses of the active users holding `role` in each organisation: who reminders and notices go to. */
export async function activeEmailsByRole(q: Q, orgIds: number[], role: Role): Promise<Map<number, string[]>> {
  const map = new Map<number, string[]>();
  for (const part of chunked(orgIds, 500)) {
    const rows = await q('users')
      .join('user_roles', 'user_roles.user_id', 'users.id')
      .whereIn('users.org_id', part)
      .andWhere('user_roles.role', role)
      .andWhere('users.active', true)
      .orderBy('users.email')
      .select('users.org_id', 'users.email');
    for (const r of rows as { org_id: number; email: string }[]) map.set(Number(r.org_id), [...(map.get(Number(r.org_id)) ?? []), r.email]);
  }
  return map;
}

/** A person a notice is addressed to: where to write and in which language. */
export interface Addressee {
  id: number;
  email: string;
  name: string;
  locale: 'vi' | 'en';
  orgId: number;
}

/** The active users among `ids`, or holding one of `roles` in `orgId`: who a notice goes to. */
export async function activeAddressees(q: Q, who: { ids: number[] } | { orgId: number; roles: Role[] }): Promise<Addressee[]> {
  const query = q('users as u').where('u.active', true).select('u.id', 'u.email', 'u.name', 'u.locale', 'u.org_id').orderBy('u.id');
  if ('ids' in who) {
    if (who.ids.length === 0) return [];
    query.whereIn('u.id', who.ids);
  } else {
    if (who.roles.length === 0) return [];
    query.where('u.org_id', who.orgId).whereIn('u.id', q('user_roles').whereIn('role', who.roles).select('user_id'));
  }
  const rows = (await query) as { id: number; email: string; name: string; locale: string; org_id: number }[];
  return rows.map((r) => ({ id: Number(r.id), email: r.email, name: r.name, locale: r.locale === 'en' ? 'en' : 'vi', orgId: Number(r.org_id) }));
}

// ---- single-use password links (reset and invitation): only the sha256 of the token is stored ----

export interface PasswordLinkRow {
  id: number;
  user_id: number;
  token_hash: string;
  purpose: 'reset' | 'invite';
  created_at: string;
  expires_at: string;
  used_at: string | null;
}

export async function insertPasswordLink(q: Q, row: Omit<PasswordLinkRow, 'id' | 'used_at'>): Promise<number> {
  return insertId(q, 'password_links', { ...row, used_at: null });
}

/** The unused, unexpired link with this token hash. */
export async function livePasswordLink(q: Q, tokenHash: string, now: string): Promise<PasswordLinkRow | undefined> {
  return q<PasswordLinkRow>('password_links').where({ token_hash: tokenHash }).whereNull('used_at').where('expires_at', '>', now).first();
}

/** Marks the link used if nobody did first (single use under concurrency): 1 when this call used it. */
export async function usePasswordLink(q: Q, id: number, now: string): Promise<number> {
  return q('password_links').where({ id }).whereNull('used_at').update({ used_at: now });
}

/** Every other open link of the user is closed when one is used (an older reset e-mail no longer works). */
export async function closePasswordLinksOf(q: Q, userId: number, now: string): Promise<void> {
  await q('password_links').where({ user_id: userId }).whereNull('used_at').update({ used_at: now });
}
