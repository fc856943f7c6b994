import { z } from 'zod';
import { listQuery } from '../shared/paging';
import { email, id, requiredText, text } from '../shared/validate';

export const ORG_KINDS = ['province', 'department', 'district', 'commune', 'press', 'enterprise', 'other'] as const;
export type OrgKind = (typeof ORG_KINDS)[number];

/** Symbol abbreviations are upper-case letters and digits (Đ included), as in "STTTT", "SYT", "UBND". */
const shortName = () =>
  requiredText(40).pipe(z.string().regex(/^[A-ZĐ0-9&]+$/u, 'upper-case letters and digits only, e.g. STTTT'));

const count = () => z.coerce.number().int('a whole number').min(0, 'cannot be negative').max(100_000_000);

export const OrgCreate = z
  .object({
    name: requiredText(300),
    shortName: shortName(),
    kind: z.enum(ORG_KINDS),
    parentId: id().nullable().optional(),
    code: text(60).optional().nullable(),
    email: email().nullable().optional(),
    headcount: count().nullable().optional(),
    population18: count().nullable().optional(),
    place: text(120).nullable().optional(),
  })
  .strict();
export type OrgCreate = z.infer<typeof OrgCreate>;

export const OrgPatch = OrgCreate.partial().strict();
export type OrgPatch = z.infer<typeof OrgPatch>;

export const OrgListQuery = listQuery.extend({
  kind: z.enum(ORG_KINDS).optional(),
  parentId: id().optional(),
  /** `true`: only organisations in use (pickers); `false`: only deactivated ones. */
  active: z.enum(['true', 'false']).transform((v) => v === 'true').optional(),
});
export type OrgListQuery = z.infer<typeof OrgListQuery>;

export const GroupCreate = z
  .object({
    name: requiredText(200),
    orgIds: z.array(id()).min(1, 'choose at least one organisation').max(5000),
    ownerOrgId: id().optional(),
  })
  .strict();
export type GroupCreate = z.infer<typeof GroupCreate>;
