import type { Db, Q } from '../db';
import { isUniqueViolation } from '../db';
import type { Config } from '../config';
import { offsetOf, pageOf, type ListQuery, type Page } from '../shared/paging';
import type { Ctx, Deps } from '../deps';
import { AppError, forbidden, invalid, notFound, tooMany, unauthenticated } from '../shared/errors';
import { localTime } from '../shared/time';
import { hashPassword, randomToken, sha256Hex, verifyPassword, generatePassword } from './password';
import * as repo from './repo';
import { ROLES, type Actor, type Role } from './roles';
import { ADMIN_ROLES, authorize, hasRole, isSuperadmin } from './policy';
import { adminScope, ensureRootOrg, findOrgById } from '../orgs';

export type TokenKind = 'session' | 'api';

export interface LoginResult {
  token: string;
  csrfToken: string;
  actor: Actor;
  /** An imported user who has not chosen their own password yet: the pages send them to /me/password first. */
  mustChangePassword: boolean;
}

export interface AuthSettings {
  sessionTtlHours: number;
  apiTokenTtlDays: number;
  /** Failures of one account (any address) in the window before it has to wait. */
  maxFailures: number;
  /** Failures from one address (any account) in the window before that address is refused. */
  maxFailuresPerAddress: number;
  windowMinutes: number;
  /** The first wait of an account past maxFailures; it doubles with each further failure, up to delayMaxSeconds. */
  delayBaseSeconds: number;
  delayMaxSeconds: number;
}

export function authSettings(config: Config): AuthSettings {
  return {
    sessionTtlHours: config.SESSION_TTL_HOURS,
    apiTokenTtlDays: config.API_TOKEN_TTL_DAYS,
    maxFailures: config.LOGIN_MAX_FAILURES,
    maxFailuresPerAddress: config.LOGIN_MAX_FAILURES_PER_ADDRESS,
    windowMinutes: config.LOGIN_WINDOW_MINUTES,
    delayBaseSeconds: config.LOGIN_DELAY_BASE_SECONDS,
    delayMaxSeconds: config.LOGIN_DELAY_MAX_SECONDS,
  };
}

/**
 * The scrypt hash (same parameters as real ones) of a random secret nobody kept: an unknown e-mail or a
 * disabled user is checked against it, so the answer takes as long as for a wrong password and does not tell
 * which accounts exist. Whatever the check says, such a sign-in fails.
 */
const dummyHashes = new Map<number, Promise<string>>();
/** Made once per cost, at the cost new hashes get (PASSWORD_SCRYPT_N), so it costs what a real check costs. */
function dummyHash(config: Deps['config']): Promise<string> {
  const n = config.PASSWORD_SCRYPT_N;
  if (!dummyHashes.has(n)) dummyHashes.set(n, hashPassword(config, generatePassword()));
  return dummyHashes.get(n)!;
}

/** The attempt may go ahead (its reservation id), or must wait until `retryAt`. */
type Reservation = { id: number } | { retryAt: Date };

/**
 * Reserves a sign-in attempt before any password is checked, counting earlier reservations as failures:
 * - per account, after `maxFailures` failures in the window (since its last success) the next attempt waits
 *   `delayBaseSeconds`, doubled for every further failure, capped at `delayMaxSeconds`;
 * - per address, past `maxFailuresPerAddress` failures in the window the address waits until the oldest of
 *   them leaves the window. That limit is much higher, so one person's typos never lock out an office behind
 *   one address.
 * A refused attempt is not recorded (it checked nothing), so waiting is all it takes.
 */
export async function reserveAttempt(db: Db, s: AuthSettings, email: string, ip: string, now: Date): Promise<Reservation> {
  const since = new Date(now.getTime() - s.windowMinutes * 60_000).toISOString();
  return db.transaction(async (tx) => {
    await repo.lockLoginKeys(tx, email, ip);
    let retryAt = 0;
    const account = await repo.accountFailures(tx, email, since);
    if (account.count >= s.maxFailures && account.lastAt) {
      const wait = Math.min(s.delayBaseSeconds * 2 ** Math.min(account.count - s.maxFailures, 30), s.delayMaxSeconds);
      retryAt = Math.max(retryAt, Date.parse(account.lastAt) + wait * 1000);
    }
    const address = await repo.addressFailureTimes(tx, ip, since, s.maxFailuresPerAddress);
    if (address.length >= s.maxFailuresPerAddress) {
      retryAt = Math.max(retryAt, Date.parse(address[0]) + s.windowMinutes * 60_000);
    }
    if (retryAt > now.getTime()) return { retryAt: new Date(retryAt) };
    return { id: await repo.insertLoginAttempt(tx, { email, ip, success: false, at: now.toISOString() }) };
  });
}

/** 429 with the time to wait (the Retry-After header and the message say it). */
export function rateLimited(retryAt: Date, now: Date): AppError {
  const seconds = Math.max(1, Math.ceil((retryAt.getTime() - now.getTime()) / 1000));
  return tooMany(`Too many failed sign-in attempts; try again in ${seconds} seconds`, 'LOGIN_RATE_LIMITED', {
    retryAfterSeconds: seconds,
    params: { seconds, time: localTime(retryAt) },
  });
}

/**
 * Checks the password and opens a session (pages) or issues a bearer token (API).
 * The attempt is reserved first (see reserveAttempt), so parallel guesses cannot outrun the count; past the
 * limits the answer is 429 with the time to retry, even for the right password.
 */
export async function login(deps: Deps, input: { email: string; password: string; ip: string; kind: TokenKind }): Promise<LoginResult> {
  const { db } = deps;
  const s = authSettings(deps.config);
  const now = deps.clock();
  const email = input.email.normalize('NFC').trim().toLowerCase();
  const reservation = await reserveAttempt(db, s, email, input.ip, now);
  if ('retryAt' in reservation) throw rateLimited(reservation.retryAt, now);
  const user = await repo.findUserByEmail(db, email);
  const usable = Boolean(user && user.active);
  const matches = await verifyPassword(input.password, usable ? user!.password_hash : await dummyHash(deps.config));
  if (!user || !usable || !matches) throw unauthenticated('Wrong e-mail or password', 'LOGIN_FAILED');
  // Said only to the right password: the person learns why, a guesser learns nothing.
  if (await repo.orgDeactivated(db, user.org_id)) throw unauthenticated('Your organisation has been deactivated', 'ORG_DEACTIVATED_SIGN_IN');
  await repo.markLoginSucceeded(db, reservation.id);

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
  return { token, csrfToken, actor: repo.toActor(user, await repo.rolesOf(db, user.id)), mustChangePassword: Boolean(user.must_change_password) };
}

export interface Authenticated {
  actor: Actor;
  csrfToken: string | null;
  mustChangePassword: boolean;
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
  const client = db.client as object;
  let cache = tokenCaches.get(client);
  if (!cache) tokenCaches.set(client, (cache = { entries: new Map(), epoch: 0 }));
  return cache;
}

export function forgetUser(db: Q, userId: number): void {
  const cache = tokenCache(db);
  cache.epoch += 1;
  for (const [key, entry] of cache.entries) if (entry.userId === userId) cache.entries.delete(key);
}

const copyOf = (a: Authenticated): Authenticated => ({ actor: { ...a.actor, roles: [...a.actor.roles] }, csrfToken: a.csrfToken, mustChangePassword: a.mustChangePassword });

/** Resolves a bearer token or session cookie to its user; null when unknown, expired, revoked or the user is disabled. */
export async function authenticate(deps: Deps, token: string, kind: TokenKind): Promise<Authenticated | null> {
  const { db } = deps;
  const now = deps.clock();
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
  const found: Authenticated = { actor: repo.toActor(user, await repo.rolesOf(db, user.id)), csrfToken: user.csrf_token, mustChangePassword: Boolean(user.must_change_password) };
  if (cache.epoch === epoch) {
    if (cache.entries.size >= TOKEN_CACHE_MAX) cache.entries.delete(cache.entries.keys().next().value!);
    cache.entries.set(key, { found, userId: user.id, cachedAt: t, until: Math.min(t + TOKEN_CACHE_MS, Date.parse(user.expires_at)) });
  }
  return copyOf(found);
}

export async function logout(deps: Deps, token: string): Promise<void> {
  const { db } = deps;
  const hash = sha256Hex(token);
  await repo.revokeToken(db, hash, deps.clock().toISOString());
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

/** An organisation's id that does not exist is a field error of the form (`orgId`). */
const noSuchOrg = () => invalid('ORG_NOT_FOUND', 'Organisation does not exist', { orgId: 'no such organisation' });
const emailTaken = () => new AppError('conflict', 'EMAIL_TAKEN', 'A user with this e-mail already exists', { email: 'already used by another user' });

/**
 * Administrators manage the users of their own tree (orgs `adminScope`): they create users only in it, and only
 * the superadmin grants 'superadmin'.
 */
export async function createUser(ctx: Ctx, input: NewUser): Promise<Actor> {
  const { db, actor } = ctx;
  authorize(actor, ADMIN_ROLES, input.orgId, await adminScope(db, actor));
  if (input.roles.includes('superadmin') && !isSuperadmin(actor)) throw forbidden('Only the superadmin grants the superadmin role', 'SUPERADMIN_ONLY');
  return provisionUser(ctx, input);
}

/**
 * Creates a user as given, with no authorisation: for system work only — the administrator of the first start
 * (`bootstrapAdmin`) and test fixtures. Not exported from the feature's index: people go through `createUser`.
 */
export async function provisionUser(deps: Deps, input: NewUser): Promise<Actor> {
  const { db } = deps;
  if (!(await findOrgById(db, input.orgId))) throw noSuchOrg();
  if (await repo.findUserByEmail(db, input.email)) throw emailTaken();
  try {
    const id = await db.transaction(async (tx) =>
      repo.insertUser(
        tx,
        {
          email: input.email,
          name: input.name,
          password_hash: await hashPassword(deps.config, input.password),
          org_id: input.orgId,
          locale: input.locale ?? 'vi',
          active: true,
          created_at: deps.clock().toISOString(),
        },
        uniqueRoles(input.roles),
      ),
    );
    const user = await repo.findUserById(db, id);
    return repo.toActor(user!, await repo.rolesOf(db, id));
  } catch (err) {
    if (isUniqueViolation(err)) throw emailTaken();
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

/** The roles whose loss would lock an administrator out of the users pages. */
const ADMINISTERING: readonly Role[] = ['admin', 'superadmin'];

/**
 * An administrator changes, disables, re-roles and moves the users of their tree, only inside it; only the
 * superadmin changes a superadmin or grants the role; nobody disables themselves or drops their own admin role.
 * Disabling or a new password signs the user out everywhere.
 */
export async function updateUser(ctx: Ctx, userId: number, patch: UserPatch): Promise<Actor> {
  const { db, actor } = ctx;
  const user = await repo.findUserById(db, userId);
  if (!user) throw notFound('User', 'USER_NOT_FOUND');
  const scope = await adminScope(db, actor);
  authorize(actor, ADMIN_ROLES, user.org_id, scope);
  const currentRoles = await repo.rolesOf(db, userId);
  const touchesSuperadmin = currentRoles.includes('superadmin') || Boolean(patch.roles?.includes('superadmin'));
  if (touchesSuperadmin && !isSuperadmin(actor)) throw forbidden('Only the superadmin changes a superadmin or grants the role', 'SUPERADMIN_ONLY');
  if (patch.orgId !== undefined && patch.orgId !== user.org_id) authorize(actor, ADMIN_ROLES, patch.orgId, scope);
  if (patch.orgId !== undefined && !(await findOrgById(db, patch.orgId))) throw noSuchOrg();
  const nextRoles = patch.roles ? uniqueRoles(patch.roles) : currentRoles;
  const dropsOwnAdmin = ADMINISTERING.some((r) => currentRoles.includes(r) && !nextRoles.includes(r));
  if (actor.id === userId && (patch.active === false || dropsOwnAdmin)) {
    throw new AppError('conflict', 'CANNOT_LOCK_SELF_OUT', 'You cannot disable yourself or remove your own admin role', patch.active === false ? { active: 'you cannot disable yourself' } : { roles: 'you cannot remove your own admin role' });
  }
  const now = ctx.clock().toISOString();
  await db.transaction(async (tx) => {
    const row: Partial<repo.UserRow> = {};
    if (patch.name !== undefined) row.name = patch.name;
    if (patch.orgId !== undefined) row.org_id = patch.orgId;
    if (patch.active !== undefined) row.active = patch.active;
    if (patch.locale !== undefined) row.locale = patch.locale;
    if (patch.password !== undefined) row.password_hash = await hashPassword(ctx.config, patch.password);
    if (Object.keys(row).length) await repo.updateUser(tx, userId, row);
    if (patch.roles) await repo.setRoles(tx, userId, nextRoles);
    if (patch.active === false || patch.password !== undefined) await repo.revokeTokensOfUser(tx, userId, now);
  });
  forgetUser(db, userId);
  const updated = await repo.findUserById(db, userId);
  return repo.toActor(updated!, await repo.rolesOf(db, userId));
}

/** A user may change their own display language. */
export async function setOwnLocale(ctx: Ctx, locale: 'vi' | 'en'): Promise<void> {
  await repo.updateUser(ctx.db, ctx.actor.id, { locale });
  forgetUser(ctx.db, ctx.actor.id);
}

export interface ListedUser extends Actor {
  active: boolean;
}

/** The users an administrator manages: those of their own tree (everyone for the superadmin). */
export async function listUsers(ctx: Ctx, filter: { orgId?: number }): Promise<ListedUser[]> {
  const { db, actor } = ctx;
  if (!hasRole(actor, ADMIN_ROLES)) throw forbidden('Only administrators list users');
  const orgIds = isSuperadmin(actor) ? undefined : [...(await adminScope(db, actor))];
  const users = await repo.listUsers(db, { ...filter, orgIds });
  const roles = await repo.rolesOfMany(db, users.map((u) => u.id));
  return users.map((u) => ({ ...repo.toActor(u, roles.get(u.id) ?? []), active: Boolean(u.active) }));
}

/** One page of the users the administrator manages, searched by name or e-mail. */
export async function searchUsers(ctx: Ctx, query: ListQuery & { orgId?: number }): Promise<Page<ListedUser>> {
  const { db, actor } = ctx;
  if (!hasRole(actor, ADMIN_ROLES)) throw forbidden('Only administrators list users');
  const orgIds = isSuperadmin(actor) ? undefined : [...(await adminScope(db, actor))];
  const { rows, total } = await repo.pageUsers(db, { orgId: query.orgId, orgIds, q: query.q }, { limit: query.pageSize, offset: offsetOf(query) });
  const roles = await repo.rolesOfMany(db, rows.map((u) => u.id));
  return pageOf(rows.map((u) => ({ ...repo.toActor(u, roles.get(u.id) ?? []), active: Boolean(u.active) })), total, query);
}

/** One user the administrator manages (their edit form); 404 outside their tree. */
export async function getUser(ctx: Ctx, userId: number): Promise<ListedUser> {
  if (!hasRole(ctx.actor, ADMIN_ROLES)) throw forbidden('Only administrators list users');
  const user = await repo.findUserById(ctx.db, userId);
  if (!user) throw notFound('User', 'USER_NOT_FOUND');
  const found = (await listUsers(ctx, { orgId: user.org_id })).find((u) => u.id === userId);
  if (!found) throw notFound('User', 'USER_NOT_FOUND');
  return found;
}

/** The roles an administrator may hand out on the users pages: 'superadmin' only by the superadmin. */
export function grantableRoles(actor: Actor): Role[] {
  return ROLES.filter((r) => r !== 'superadmin' || isSuperadmin(actor));
}

/** Without duplicates; 'superadmin' always comes with 'admin'. */
function uniqueRoles(roles: Role[]): Role[] {
  const set = new Set(roles);
  if (set.has('superadmin')) set.add('admin');
  return [...set];
}

/**
 * First start with an empty database: creates the administrator, the installation's superadmin, attached to
 * the first root organisation (created if there is none yet). Returns the generated password when the operator
 * gave none, so the caller can print it once.
 */
export async function bootstrapAdmin(deps: Deps): Promise<{ email: string; password: string | null } | null> {
  const { db, config } = deps;
  if ((await repo.countUsers(db)) > 0) return null;
  const orgId = await ensureRootOrg(deps);
  const generated = config.VANDONG_ADMIN_PASSWORD ? null : generatePassword();
  await provisionUser(deps, {
    email: config.VANDONG_ADMIN_EMAIL.toLowerCase(),
    name: 'Quản trị hệ thống',
    password: config.VANDONG_ADMIN_PASSWORD ?? generated!,
    roles: ['admin', 'superadmin'],
    orgId,
  });
  return { email: config.VANDONG_ADMIN_EMAIL.toLowerCase(), password: generated };
}

// ---- reads for other features and system work (no access rule: the caller has decided) ----

/** Which of these organisations have an active user: a letter to them arrives in their inbox (dispatch). */
export async function orgsWithActiveUsers(db: Q, orgIds: number[]): Promise<Set<number>> {
  return repo.orgsWithActiveUsers(db, orgIds);
}

/** The active users of an organisation (the colleagues an incoming letter can be handed to), and users' names. */
export async function activeUsersOf(db: Q, orgId: number): Promise<{ id: number; name: string }[]> {
  return repo.activeUsersOf(db, orgId);
}

export async function userNames(db: Q, ids: number[]): Promise<Map<number, string>> {
  return repo.userNames(db, ids);
}

/** The e-mail addresses of the active users holding `role` in each organisation (for reminders). */
export async function activeEmailsByRole(db: Q, orgIds: number[], role: Role): Promise<Map<number, string[]>> {
  return repo.activeEmailsByRole(db, orgIds, role);
}

/** The user with this e-mail as services see them, or undefined (seeds act as the demo users). */
export async function findActorByEmail(db: Q, email: string): Promise<Actor | undefined> {
  const user = await repo.findUserByEmail(db, email.normalize('NFC').trim().toLowerCase());
  return user ? repo.toActor(user, await repo.rolesOf(db, user.id)) : undefined;
}

/** The installation's administrator: the first active superadmin (seeds and system work act as them). */
export async function installationAdmin(db: Q): Promise<Actor | undefined> {
  const user = await repo.firstActiveWithRole(db, 'superadmin');
  return user ? repo.toActor(user, await repo.rolesOf(db, user.id)) : undefined;
}

/** Who a notice goes to (no access rule: the notifying feature decided): the active users by id, or by role in an organisation. */
export async function activeAddressees(db: Q, who: { ids: number[] } | { orgId: number; roles: Role[] }): Promise<repo.Addressee[]> {
  return repo.activeAddressees(db, who);
}

/** The user with this id as services see them, or undefined (no access rule: the signing feature names a certificate's owner). */
export async function findActorById(db: Q, id: number): Promise<Actor | undefined> {
  const user = await repo.findUserById(db, id);
  return user ? repo.toActor(user, await repo.rolesOf(db, user.id)) : undefined;
}

/**
 * The way back in when the first administrator's password was missed (printed once at the first start) or lost:
 * `npm run admin:reset-password -- email`. A new generated password for that active account; its sessions and API
 * tokens end, and the reset counts as a successful sign-in so earlier failures no longer delay the next one. Only
 * from the server's shell, never over HTTP: access to the shell and the database is the proof of authority.
 */
export async function resetPasswordFromShell(deps: Deps, email: string): Promise<{ email: string; password: string }> {
  const address = email.normalize('NFC').trim().toLowerCase();
  const user = await repo.findUserByEmail(deps.db, address);
  if (!user) throw notFound('User', 'USER_NOT_FOUND');
  if (!user.active) throw new AppError('conflict', 'USER_INACTIVE', `The account ${address} is disabled; an administrator re-enables it on the users page`);
  const password = generatePassword();
  const now = deps.clock().toISOString();
  await deps.db.transaction(async (tx) => {
    await repo.updateUser(tx, user.id, { password_hash: await hashPassword(deps.config, password) });
    await repo.revokeTokensOfUser(tx, user.id, now);
    await repo.insertLoginAttempt(tx, { email: address, ip: 'shell', success: true, at: now });
  });
  forgetUser(deps.db, user.id);
  return { email: address, password };
}
