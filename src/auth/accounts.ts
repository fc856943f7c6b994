/**
 * Accounts without an administrator at hand: "Quên mật khẩu?" (a single-use e-mail link, valid 30 minutes),
 * the invitation of an imported user (the same kind of link, valid 7 days) and a person's own password change.
 * Only the sha256 of a link's token is stored; using a link ends every session of the user and closes their
 * other links. Asking for a link answers the same whether or not the address has an account.
 */
import type { Q } from '../db';
import type { Ctx, Deps } from '../deps';
import { enqueueMail, kickOutbox } from '../dispatch';
import { invalid, tooMany } from '../shared/errors';
import { t, type Locale } from '../shared/i18n';
import { formatVnDateTime, localTime } from '../shared/time';
import { hashPassword, randomToken, sha256Hex, verifyPassword } from './password';
import * as repo from './repo';
import { authSettings, forgetUser, reserveAttempt } from './service';

export const RESET_LINK_MINUTES = 30;
export const INVITE_LINK_DAYS = 7;

/** The stored hash of an account that has no password yet (an invited user): no password ever matches it. */
export const NO_PASSWORD = '!invited';

const linkUrl = (deps: Deps, token: string) => `${deps.config.publicUrl}/password-reset/${token}`;

/** Writes a link for the user and queues its e-mail, with `q` (the caller's transaction). Returns the row id. */
export async function issuePasswordLink(deps: Deps, q: Q, user: { id: number; email: string; name: string; locale: string; org_id?: number }, purpose: 'reset' | 'invite'): Promise<number> {
  const now = deps.clock();
  const token = randomToken();
  const validMs = purpose === 'reset' ? RESET_LINK_MINUTES * 60_000 : INVITE_LINK_DAYS * 86400_000;
  const expires = new Date(now.getTime() + validMs);
  const id = await repo.insertPasswordLink(q, { user_id: user.id, token_hash: sha256Hex(token), purpose, created_at: now.toISOString(), expires_at: expires.toISOString() });
  const locale: Locale = user.locale === 'en' ? 'en' : 'vi';
  const vars = { name: user.name, email: user.email, url: linkUrl(deps, token), until: formatVnDateTime(expires), minutes: RESET_LINK_MINUTES, days: INVITE_LINK_DAYS, site: deps.config.publicUrl };
  await enqueueMail(deps, q, {
    to: user.email,
    subject: t(locale, `accounts.mail.${purpose}.subject`),
    text: t(locale, `accounts.mail.${purpose}.text`, vars),
    kind: purpose === 'reset' ? 'password-reset' : 'invitation',
    dedupeKey: `password-link:${id}`,
    orgId: null,
  });
  return id;
}

/**
 * "Quên mật khẩu?": an e-mail with a link for an active account; nothing for an unknown or disabled address, and
 * the caller answers 202 either way. Throttled like sign-in (per address asked for and per client address).
 */
export async function requestPasswordReset(deps: Deps, input: { email: string; ip: string }): Promise<void> {
  const now = deps.clock();
  const email = input.email.normalize('NFC').trim().toLowerCase();
  const reservation = await reserveAttempt(deps.db, authSettings(deps.config), `reset:${email}`, input.ip, now);
  if ('retryAt' in reservation) {
    const seconds = Math.max(1, Math.ceil((reservation.retryAt.getTime() - now.getTime()) / 1000));
    throw tooMany(`Too many password reset requests; try again in ${seconds} seconds`, 'RESET_RATE_LIMITED', { retryAfterSeconds: seconds, params: { seconds, time: localTime(reservation.retryAt) } });
  }
  const user = await repo.findUserByEmail(deps.db, email);
  if (!user || !user.active) return;
  await deps.db.transaction((tx) => issuePasswordLink(deps, tx, user, 'reset'));
  kickOutbox(deps);
}

const linkInvalid = () => invalid('PASSWORD_LINK_INVALID', 'This link is not valid: it was used already, has expired or never existed; ask for a new one', { token: 'used, expired or unknown' });

/** Which account a live link is for (the set-password page names it), or 400 when it is used, expired or unknown. */
export async function passwordLinkFor(deps: Deps, token: string): Promise<{ email: string; purpose: 'reset' | 'invite' }> {
  const link = await repo.livePasswordLink(deps.db, sha256Hex(token), deps.clock().toISOString());
  const user = link ? await repo.findUserById(deps.db, link.user_id) : undefined;
  if (!link || !user || !user.active) throw linkInvalid();
  return { email: user.email, purpose: link.purpose };
}

/** Sets the password through a link: once (two racing uses: one wins), then every session of the user ends. */
export async function resetPassword(deps: Deps, token: string, password: string): Promise<{ email: string }> {
  const now = deps.clock().toISOString();
  const link = await repo.livePasswordLink(deps.db, sha256Hex(token), now);
  const user = link ? await repo.findUserById(deps.db, link.user_id) : undefined;
  if (!link || !user || !user.active) throw linkInvalid();
  const hash = await hashPassword(deps.config, password);
  await deps.db.transaction(async (tx) => {
    if ((await repo.usePasswordLink(tx, link.id, now)) !== 1) throw linkInvalid();
    await repo.closePasswordLinksOf(tx, user.id, now);
    await repo.updateUser(tx, user.id, { password_hash: hash, must_change_password: false });
    await repo.revokeTokensOfUser(tx, user.id, now);
  });
  forgetUser(deps.db, user.id);
  return { email: user.email };
}

/** A person changes their own password (the current one first); their other sessions end, this one stays. */
export async function changeOwnPassword(ctx: Ctx, input: { current: string; password: string }, keepTokenHash: string | null): Promise<void> {
  const user = await repo.findUserById(ctx.db, ctx.actor.id);
  if (!user || !(await verifyPassword(input.current, user.password_hash))) {
    throw invalid('CURRENT_PASSWORD_WRONG', 'The current password is wrong', { current: 'wrong password' });
  }
  if (input.current === input.password) throw invalid('PASSWORD_UNCHANGED', 'Choose a password different from the current one', { password: 'must differ from the current password' });
  const now = ctx.clock().toISOString();
  const hash = await hashPassword(ctx.config, input.password);
  await ctx.db.transaction(async (tx) => {
    await repo.updateUser(tx, user.id, { password_hash: hash, must_change_password: false });
    await repo.revokeTokensOfUserExcept(tx, user.id, now, keepTokenHash);
    await repo.closePasswordLinksOf(tx, user.id, now);
  });
  forgetUser(ctx.db, user.id);
}
