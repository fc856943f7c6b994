import { z } from 'zod';
import { email, id, requiredText } from '../shared/validate';
import { ROLES } from './roles';

export const LoginBody = z.object({ email: z.string().max(254), password: z.string().min(1).max(200), next: z.string().optional() }).strict();

const password = () => z.string().min(8, 'at least 8 characters').max(200);

export const UserCreate = z
  .object({
    email: email(),
    name: requiredText(200),
    password: password(),
    roles: z.array(z.enum(ROLES)).min(1, 'at least one role'),
    orgId: id(),
    locale: z.enum(['vi', 'en']).optional(),
  })
  .strict();

export const UserPatch = z
  .object({
    name: requiredText(200).optional(),
    password: password().optional(),
    roles: z.array(z.enum(ROLES)).min(1).optional(),
    orgId: id().optional(),
    active: z.boolean().optional(),
    locale: z.enum(['vi', 'en']).optional(),
  })
  .strict();

/** The user edit page always sends these (a cleared name, no role ticked: the form's errors, not "unchanged"). */
export const UserEditForm = UserPatch.required({ name: true, orgId: true, roles: true });

/** The language switch in the top bar: the language, and the page to go back to. */
export const LocaleSwitch = z.object({ locale: z.enum(['vi', 'en']), back: z.string().max(2000).optional() }).strict();

/** "Quên mật khẩu?": the address to send a link to (any text: the answer is the same for every address). */
export const PasswordResetRequest = z.object({ email: z.string().trim().min(1).max(254) }).strict();

/** The token of a password link, as it appears in the link. */
export const PasswordLinkToken = z.string().regex(/^[A-Za-z0-9_-]{20,100}$/, 'used, expired or unknown');

/** A new password through a link (the API). */
export const PasswordResetSet = z.object({ password: password() }).strict();

const sameTwice = (v: { password: string; confirm: string }) => v.password === v.confirm;

/** The set-password page: the new password, typed twice. */
export const PasswordSetForm = z
  .object({ password: password(), confirm: z.string().max(200) })
  .strict()
  .refine(sameTwice, { path: ['confirm'], message: 'the two passwords differ' });

/** Changing one's own password: the current one, and the new one twice. */
export const OwnPasswordForm = z
  .object({ current: z.string().min(1).max(200), password: password(), confirm: z.string().max(200) })
  .strict()
  .refine(sameTwice, { path: ['confirm'], message: 'the two passwords differ' });
