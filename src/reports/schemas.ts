import { z } from 'zod';
import { id, text } from '../shared/validate';
import { listQuery } from '../shared/paging';

/** A whole, non-negative number of people. */
const count = () =>
  z.coerce
    .number({ message: 'a number' })
    .refine((n) => Number.isFinite(n), 'a number')
    .pipe(z.number().int('a whole number').min(0, 'cannot be negative').max(100_000_000, 'too large'));

// The campaign's create schema is src/campaigns' CampaignCreate. Weeks (paths, queries, forms, bodies) are read with
// the campaigns' parseWeek / parseOptionalWeek, which answer WEEK_INVALID.

export const SubmissionBody = z
  .object({
    headcount: count().optional(),
    installed: count(),
    note: text(1000).optional().nullable(),
    orgId: id().optional(),
  })
  .strict()
  .superRefine((v, ctx) => {
    if (v.headcount !== undefined && v.installed > v.headcount) ctx.addIssue({ code: 'custom', path: ['installed'], message: 'cannot be greater than the headcount' });
  });
export type SubmissionBody = z.infer<typeof SubmissionBody>;

/** `week` (optional: up to which week; checked with parseOptionalWeek). */
export const ExportQuery = z.object({ format: z.enum(['csv', 'xlsx']).default('csv') });

/** With an optional `week`, checked with parseOptionalWeek. */
export const SummaryQuery = z.object({
  symbol: z.string().regex(/^[A-ZĐ0-9]+(-[A-ZĐ0-9]+)+$/u, 'like STTTT-TTBCXB').optional(),
  signerTitle: text(100).optional(),
  signerName: text(100).optional(),
});

/** `week` is checked with parseOptionalWeek. */
export const RemindBody = z.object({ week: z.unknown().optional() }).strict();

/**
 * The dashboard's table (api: `?week=&q=&page=&pageSize=&sort=progress|lateness|name&under=&kind=`): the shared list
 * query plus the order, the drill-down (`under`: an organisation of the tree) and the level (`kind`). `week` is
 * checked with parseOptionalWeek.
 */
export const DashboardQuery = listQuery.extend({
  week: z.unknown().optional(),
  sort: z.enum(['progress', 'lateness', 'name']).default('progress'),
  under: id().optional(),
  kind: text(30).optional(),
});
