import { z } from 'zod';
import { listQuery } from '../shared/paging';
import { email, id, requiredText, text } from '../shared/validate';

export const ORG_KINDS = ['province', 'department', 'district', 'commune', 'press', 'enterprise', 'other'] as const;
export type OrgKind = (typeof ORG_KINDS)[number];

/** Symbol abbreviations are upper-case letters and digits (Đ included), as in "STTTT", "SYT", "UBND". */
const shortName = () =>
  requiredText(40).pipe(z.string().regex(/^[A-ZĐ0-9&]+$/u, 'upper-case letters and digits only, e.g. STTTT'));

/**
 * The issuing name as a letter header prints it ("SỞ THÔNG TIN VÀ\nTRUYỀN THÔNG"): upper case, at most three
 * lines, each break a "\n" (a form's CRLF counts as one).
 */
const headerName = () =>
  z
    .string()
    .transform((s) => s.normalize('NFC').replace(/\r\n?/g, '\n').split('\n').map((l) => l.trim().replace(/\s+/g, ' ')).filter(Boolean).join('\n'))
    .pipe(
      z
        .string()
        .max(300, 'at most 300 characters')
        .refine((s) => s.split('\n').length <= 3, 'at most three lines')
        .refine((s) => s === s.toLocaleUpperCase('vi'), 'upper case, as printed'),
    )
    .transform((s) => s || null);

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
    headerName: headerName().nullable().optional(),
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
