import { z } from 'zod';
import { calendarDate, id, requiredText, text } from '../shared/validate';
import { isValidTime } from '../shared/time';

/** A real calendar date in a plausible year (shared rule: no 9999-01-01, no 2026-02-30). */
const date = calendarDate;

/** A whole, non-negative number of people. */
const count = () =>
  z.coerce
    .number({ message: 'a number' })
    .refine((n) => Number.isFinite(n), 'a number')
    .pipe(z.number().int('a whole number').min(0, 'cannot be negative').max(100_000_000, 'too large'));

export const Deadline = z
  .object({
    weekday: z.coerce.number().int().min(1, '1 = Monday … 7 = Sunday').max(7, '1 = Monday … 7 = Sunday'),
    time: z.string().refine(isValidTime, 'a time written HH:MM'),
  })
  .strict();

export const CampaignCreate = z
  .object({
    name: requiredText(300),
    metricLabel: requiredText(300),
    description: text(4000).optional(),
    targetPercent: z.coerce.number().min(0.01, 'above 0').max(100, 'at most 100').default(100),
    startDate: date(),
    endDate: date(),
    deadline: Deadline,
    orgIds: z.array(id()).min(1, 'choose at least one organisation').max(20000).optional(),
    groupId: id().optional(),
    reminderHoursBefore: z.coerce.number().int().min(0).max(168).optional(),
    /** The campaign counts residents (figures compared with the population aged 18+), not staff. */
    countsResidents: z.coerce.boolean().optional(),
  })
  .strict()
  .superRefine((v, ctx) => {
    if (v.endDate < v.startDate) ctx.addIssue({ code: 'custom', path: ['endDate'], message: 'must not be before the start date' });
    if (!v.orgIds && !v.groupId) ctx.addIssue({ code: 'custom', path: ['orgIds'], message: 'give orgIds or groupId' });
    if (v.orgIds && v.groupId) ctx.addIssue({ code: 'custom', path: ['groupId'], message: 'give orgIds or groupId, not both' });
  });
export type CampaignCreate = z.infer<typeof CampaignCreate>;

// Weeks (paths, queries, forms, bodies) are read with weeks.parseWeek / parseOptionalWeek, which answer WEEK_INVALID.

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
