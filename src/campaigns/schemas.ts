import { z } from 'zod';
import { calendarDate, id, requiredText, text } from '../shared/validate';
import { isValidTime } from '../shared/time';

/** A real calendar date in a plausible year (shared rule: no 9999-01-01, no 2026-02-30). */
const date = calendarDate;

export const Deadline = z
  .object({
    weekday: z.coerce.number().int().min(1, '1 = Monday … 7 = Sunday').max(7, '1 = Monday … 7 = Sunday'),
    time: z.string().refine(isValidTime, 'a time written HH:MM'),
  })
  .strict();

/** Is this (possibly half-parsed) body an object? The "which organisations" rule reads it even when other fields failed. */
const isObject = (payload: { value: unknown }) => typeof payload.value === 'object' && payload.value !== null;

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
  })
  // Runs even when other fields failed, so an empty form marks the organisations too.
  .superRefine(
    (v, ctx) => {
      if (!v.orgIds && !v.groupId) ctx.addIssue({ code: 'custom', path: ['orgIds'], message: 'give orgIds or groupId' });
      if (v.orgIds && v.groupId) ctx.addIssue({ code: 'custom', path: ['groupId'], message: 'give orgIds or groupId, not both' });
    },
    { when: isObject },
  );
export type CampaignCreate = z.infer<typeof CampaignCreate>;

/**
 * An edit of a running campaign (PATCH): any of name, end date, deadline, target; expected organisations added or
 * removed from `fromWeek` on (required with them), so the weeks before it keep their expected organisations.
 */
export const CampaignUpdate = z
  .object({
    name: requiredText(300).optional(),
    endDate: date().optional(),
    deadline: Deadline.optional(),
    targetPercent: z.coerce.number().min(0.01, 'above 0').max(100, 'at most 100').optional(),
    addOrgIds: z.array(id()).max(20000).optional(),
    removeOrgIds: z.array(id()).max(20000).optional(),
    fromWeek: z.string().optional(),
  })
  .strict()
  .superRefine((v, ctx) => {
    if ((v.addOrgIds?.length || v.removeOrgIds?.length) && !v.fromWeek) ctx.addIssue({ code: 'custom', path: ['fromWeek'], message: 'give the week from which the change applies' });
    const both = (v.addOrgIds ?? []).filter((o) => (v.removeOrgIds ?? []).includes(o));
    if (both.length) ctx.addIssue({ code: 'custom', path: ['removeOrgIds'], message: 'an organisation cannot be added and removed at once' });
  });
export type CampaignUpdate = z.infer<typeof CampaignUpdate>;
