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
