import type { Db, Q } from '../db';
import { nowIso } from '../db';
import type { Config } from '../config';
import { AppError, conflict, invalid, notFound, tooMany, unauthenticated } from '../shared/errors';
import { hashPassword, randomToken, sha256Hex, verifyPassword, generatePassword } from './password';
import * as repo from './repo';
import type { Actor, Role } from './roles';
import { authorize } from './policy';
import { isUniqueViolation } from '../db';

export type TokenKind = 'session' | 'api';

export interface LoginResult {
  token: string;
  csrfToken: string;
  actor: Actor;
}

export interface AuthSettings {
  sessionTtlHours: number;
  apiTokenTtlDays: number;
  maxFailures: number;
  windowMinutes: number;
}

export function authSettings(config: Config): AuthSettings {
  return {
    sessionTtlHours: config.SESSION_TTL_HOURS,
    apiTokenTtlDays: config.API_TOKEN_TTL_DAYS,
    maxFailures: config.LOGIN_MAX_FAILURES,
    windowMinutes: config.LOGIN_WINDOW_MINUTES,
  };
}

/**
 * Checks the password and opens a session (pages) or issues a bearer token (API).
 * Failures are counted per e-mail and per address; past the limit the answer is 429 even for the right password,
 * so guessing cannot go on by alternating accounts or addresses.
 */
export async function login(db: Db, s: AuthSettings, input: { email: string; password: string; ip: string; kind: TokenKind }, now = new Date()): Promise<LoginResult> {
  const email = input.email.normalize('NFC').trim().toLowerCase();
  const since = new Date(now.getTime() - s.windowMinutes * 60_000).toISOString();
  const failures = await repo.countFailedLogins(db, email, input.ip, since);
  if (failures >= s.maxFailures) {
    throw tooMany('Too many failed sign-in attempts; try again later', 'LOGIN_RATE_LIMITED');
  }
  const user = await repo.findUserByEmail(db, email);
  const ok = user && Boolean(user.active) ? await verifyPassword(input.password, user.password_hash) : false;
  await repo.recordLoginAttempt(db, { email, ip: input.ip, success: Boolean(ok), at: now.toISOString() });
  if (!user || !ok) throw unauthenticated('Wrong e-mail or password', 'LOGIN_FAILED');

  const token = randomToken();
  const csrfToken = randomToken(24);
  const ttlMs = input.kind === 'session' ? s.sessionTtlHours * 3600_000 : s.apiTokenTtlDays * 86400_000;
  await repo.insertToken(db, {
    token_hash: sha256Hex(token),
    user_id: user.id,
    kind: input.kind,
    csrf_token: input.kind === 'session' ? csrfToken : null,
    created_at: now.toISOString(),
    expires_at: new Date(now.getTime() + ttlMs).toISOString(),
  });
  return { token, csrfToken, actor: repo.toActor(user, await repo.rolesOf(db, user.id)) };
}

export interface Authenticated {
  actor: Actor;
  csrfToken: string | null;
}

/**
 * Live tokens recently resolved in this process, so a burst of requests with the same token costs no query.
 * An entry lives at most TOKEN_CACHE_MS (and never past the token's expiry); logout, revocation and any change
 * to the user through this service drop it at once. A change made by another process is seen within TOKEN_CACHE_MS.
 */
const TOKEN_CACHE_MS = 5_000;
const TOKEN_CACHE_MAX = 10_000;
interface CachedToken {
  found: Authenticated;
  userId: number;
  cachedAt: number;
  until: number;
}
interface TokenCache {
  entries: Map<string, CachedToken>;
  /** Bumped by every invalidation: a lookup that started before one does not store what it read. */
  epoch: number;
}
const tokenCaches = new WeakMap<object, TokenCache>();

function tokenCache(db: Q): TokenCache {
  // Keyed by the knex client, which a transaction shares with its database.
  let cache = tokenCaches.get(db.client);
  if (!cache) tokenCaches.set(db.client, (cache = { entries: new Map(), epoch: 0 }));
  return cache;
}

function forgetUser(db: Q, userId: number): void {
  const cache = tokenCache(db);
  cache.epoch += 1;
  for (const [key, entry] of cache.entries) if (entry.userId === userId) cache.entries.delete(key);
}

const copyOf = (a: Authenticated): Authenticated => ({ actor: { ...a.actor, roles: [...a.actor.roles] }, csrfToken: a.csrfToken });

/** Resolves a bearer token or session cookie to its user; null when unknown, expired, revoked or the user is disabled. */
export async function authenticate(db: Db, token: string, kind: TokenKind, now = new Date()): Promise<Authenticated | null> {
  const hash = sha256Hex(token);
  const key = `${kind}:${hash}`;
  const cache = tokenCache(db);
  const t = now.getTime();
  const hit = cache.entries.get(key);
  if (hit && t >= hit.cachedAt && t < hit.until) return copyOf(hit.found);
  if (hit) cache.entries.delete(key);
  const epoch = cache.epoch;
  const user = await repo.findUserByLiveToken(db, hash, kind, now.toISOString());
  if (!user || !user.active) return null;
  const found: Authenticated = { actor: repo.toActor(user, await repo.rolesOf(db, user.id)), csrfToken: user.csrf_token };
  if (cache.epoch === epoch) {
    if (cache.entries.size >= TOKEN_CACHE_MAX) cache.entries.delete(cache.entries.keys().next().value!);
    cache.entries.set(key, { found, userId: user.id, cachedAt: t, until: Math.min(t + TOKEN_CACHE_MS, Date.parse(user.expires_at)) });
  }
  return copyOf(found);
}

export async function logout(db: Db, token: string): Promise<void> {
  const hash = sha256Hex(token);
  await repo.revokeToken(db, hash, nowIso());
  const cache = tokenCache(db);
  cache.epoch += 1;
  cache.entries.delete(`api:${hash}`);
  cache.entries.delete(`session:${hash}`);
}

export interface NewUser {
  email: string;
  name: string;
  password: string;
  roles: Role[];
  orgId: number;
  locale?: 'vi' | 'en';
}

export async function createUser(db: Db, actor: Actor | null, input: NewUser): Promise<Actor> {
  if (actor) authorize(actor, ['admin'], input.orgId);
  const org = await db('orgs').where({ id: input.orgId }).first();
  if (!org) throw invalid('ORG_NOT_FOUND', 'Organisation does not exist', { orgId: 'no such organisation' });
  if (await repo.findUserByEmail(db, input.email)) {
    throw conflict('EMAIL_TAKEN', 'A user with this e-mail already exists');
  }
  try {
    const id = await db.transaction(async (tx) =>
      repo.insertUser(
        tx,
        {
          email: input.email,
          name: input.name,
          password_hash: await hashPassword(input.password),
          org_id: input.orgId,
          locale: input.locale ?? 'vi',
          active: true,
          created_at: nowIso(),
        },
        uniqueRoles(input.roles),
      ),
    );
    const user = await repo.findUserById(db, id);
    return repo.toActor(user!, await repo.rolesOf(db, id));
  } catch (err) {
    if (isUniqueViolation(err)) throw conflict('EMAIL_TAKEN', 'A user with this e-mail already exists');
    throw err;
  }
}

export interface UserPatch {
  name?: string;
  roles?: Role[];
  orgId?: number;
  active?: boolean;
  password?: string;
  locale?: 'vi' | 'en';
}

export async function updateUser(db: Db, actor: Actor, userId: number, patch: UserPatch): Promise<Actor> {
  const user = await repo.findUserById(db, userId);
  if (!user) throw notFound('User', 'USER_NOT_FOUND');
  authorize(actor, ['admin'], user.org_id);
  if (patch.orgId !== undefined && !(await db('orgs').where({ id: patch.orgId }).first())) {
    throw invalid('ORG_NOT_FOUND', 'Organisation does not exist', { orgId: 'no such organisation' });
  }
  if (actor.id === userId && (patch.active === false || (patch.roles && !patch.roles.includes('admin')))) {
    throw conflict('CANNOT_LOCK_SELF_OUT', 'You cannot disable yourself or remove your own admin role');
  }
  await db.transaction(async (tx) => {
    const row: Partial<repo.UserRow> = {};
    if (patch.name !== undefined) row.name = patch.name;
    if (patch.orgId !== undefined) row.org_id = patch.orgId;
    if (patch.active !== undefined) row.active = patch.active;
    if (patch.locale !== undefined) row.locale = patch.locale;
    if (patch.password !== undefined) row.password_hash = await hashPassword(patch.password);
    if (Object.keys(row).length) await repo.updateUser(tx, userId, row);
    if (patch.roles) await repo.setRoles(tx, userId, uniqueRoles(patch.roles));
    if (patch.active === false || patch.password !== undefined) await repo.revokeTokensOfUser(tx, userId, nowIso());
  });
  forgetUser(db, userId);
  const updated = await repo.findUserById(db, userId);
  return repo.toActor(updated!, await repo.rolesOf(db, userId));
}

/** A user may change their own display language. */
export async function setOwnLocale(db: Db, actor: Actor, locale: 'vi' | 'en'): Promise<void> {
  await repo.updateUser(db, actor.id, { locale });
  forgetUser(db, actor.id);
}

export async function listUsers(db: Q, actor: Actor, filter: { orgId?: number }) {
  if (!actor.roles.includes('admin')) {
    throw new AppError('forbidden', 'FORBIDDEN', 'Only administrators list users');
  }
  const users = await repo.listUsers(db, filter);
  const roles = await repo.rolesOfMany(db, users.map((u) => u.id));
  return users.map((u) => ({ ...repo.toActor(u, roles.get(u.id) ?? []), active: Boolean(u.active) }));
}

function uniqueRoles(roles: Role[]): Role[] {
  return [...new Set(roles)];
}

/**
 * First start with an empty database: creates the administrator (and, if there is no organisation yet,
 * a root organisation to attach them to). Returns the generated password when the operator gave none,
 * so the caller can print it once.
 */
export async function bootstrapAdmin(db: Db, config: Config): Promise<{ email: string; password: string | null } | null> {
  if ((await repo.countUsers(db)) > 0) return null;
  let org = await db('orgs').whereNull('parent_id').orderBy('id').first();
  if (!org) {
    const now = nowIso();
    await db('orgs').insert({ kind: 'province', name: 'Ủy ban nhân dân tỉnh', short_name: 'UBND', created_at: now, updated_at: now });
    org = await db('orgs').whereNull('parent_id').orderBy('id').first();
  }
  const generated = config.VANDONG_ADMIN_PASSWORD ? null : generatePassword();
  await createUser(db, null, {
    email: config.VANDONG_ADMIN_EMAIL.toLowerCase(),
    name: 'Quản trị hệ thống',
    password: config.VANDONG_ADMIN_PASSWORD ?? generated!,
    roles: ['admin'],
    orgId: org.id,
  });
  return { email: config.VANDONG_ADMIN_EMAIL.toLowerCase(), password: generated };
}
