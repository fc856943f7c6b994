import { z } from 'zod';
import { calendarDate, id, requiredText } from '../shared/validate';
import { isValidTime } from '../shared/time';

/** A real calendar date in a plausible year (shared rule: no 9999-01-01, no 2026-02-30). */
const date = calendarDate;
const time = () => z.string().refine(isValidTime, 'a time of day written HH:MM, 00:00 to 23:59');
/** An id the caller must give: left out (a select with nothing chosen) it is "required", not "expected number, received NaN". */
const requiredId = () =>
  z
    .unknown()
    .refine((v) => v !== undefined && v !== null && v !== '', { message: 'required', abort: true })
    .pipe(id());

/** A value the caller must give: a select left on "—" ("") is "required", not a wrong number. */
const given = <T extends z.ZodTypeAny>(inner: T) =>
  z
    .unknown()
    .refine((v) => v !== undefined && v !== null && v !== '', { message: 'required', abort: true })
    .pipe(inner);

export const AudioUpload = z.object({ title: requiredText(300) }).strict();

const scheduleFields = {
  title: requiredText(300),
  communeIds: z.array(id()).min(1, 'choose at least one commune').max(5000).optional(),
  groupId: requiredId().optional(),
  underOrgId: requiredId().optional(),
  startDate: date(),
  endDate: date(),
  times: z.array(time()).min(1, 'give at least one time').max(24),
  daysOfWeek: z.array(z.coerce.number().int().min(1, '1 = Monday … 7 = Sunday').max(7, '1 = Monday … 7 = Sunday')).min(1).max(7).optional(),
  campaignId: id().nullable().optional(),
  /** Days left out, e.g. public holidays. */
  exceptDates: z.array(date()).max(366).optional(),
  /** "The first Monday of the month": days chosen by their place in the month instead of daysOfWeek. */
  monthlyOn: z
    .array(
      z
        .object({
          week: given(z.coerce.number().int().refine((v) => [1, 2, 3, 4, 5, -1].includes(v), '1 … 5, or -1 for the last')),
          weekday: given(z.coerce.number().int().min(1, '1 = Monday … 7 = Sunday').max(7, '1 = Monday … 7 = Sunday')),
        })
        .strict(),
    )
    .min(1)
    .max(35)
    .nullable()
    .optional(),
};

/** A bulletin placed in the schedule: the commune's own (normal) or one that goes first (priority). */
const scheduledClass = z.enum(['normal', 'priority']).optional();

/** Exactly one way of naming the communes: a list, a recipient group, or every commune under an organisation. */
const oneTarget = (v: { communeIds?: unknown; groupId?: unknown; underOrgId?: unknown }) =>
  [v.communeIds, v.groupId, v.underOrgId].filter((x) => x !== undefined).length === 1;

export const BroadcastCreate = z
  .object({ audioId: requiredId(), ...scheduleFields, class: scheduledClass })
  .strict()
  .refine(oneTarget, { message: 'give exactly one of communeIds, groupId or underOrgId', path: ['communeIds'] })
  .refine((v) => v.endDate >= v.startDate, { message: 'the schedule ends before it starts', path: ['endDate'] });
export type BroadcastCreate = z.infer<typeof BroadcastCreate>;

export const BroadcastPatch = z
  .object(scheduleFields)
  .partial()
  .strict()
  .refine((v) => [v.communeIds, v.groupId, v.underOrgId].filter((x) => x !== undefined).length <= 1, {
    message: 'give at most one of communeIds, groupId or underOrgId',
    path: ['communeIds'],
  });
export type BroadcastPatch = z.infer<typeof BroadcastPatch>;

/** The slots a plan makes, shown before saving (no communes needed). */
export const PlanPreview = z
  .object({
    startDate: scheduleFields.startDate,
    endDate: scheduleFields.endDate,
    times: scheduleFields.times,
    daysOfWeek: scheduleFields.daysOfWeek,
    exceptDates: scheduleFields.exceptDates,
    monthlyOn: scheduleFields.monthlyOn,
  })
  .strict()
  .refine((v) => v.endDate >= v.startDate, { message: 'the schedule ends before it starts', path: ['endDate'] });

export const ClashOrder = z.object({ occurrenceIds: z.array(id()).min(2, 'at least two broadcasts').max(50) }).strict();

export const ScheduleQuery = z.object({ date: date().optional(), orgId: id().optional() });

export const CalendarQuery = z.object({ week: z.string().regex(/^\d{4}-W\d{2}$/, 'a week like 2026-W06').optional() });

/** A broadcaster's short note on a missed slot ("mất điện"). */
export const MissedNoteBody = z.object({ note: requiredText(200) });

/** Cancelling a schedule: why, told to every commune it named. */
export const CancelBody = z.object({ reason: requiredText(500) });
export type CancelBody = z.infer<typeof CancelBody>;
export type MissedNoteBody = z.infer<typeof MissedNoteBody>;

export const ConfirmBody = z
  .object({ playedAt: z.string().datetime({ offset: true, message: 'an ISO date-time, e.g. 2026-02-05T06:02:00+07:00' }).optional() })
  .strict();

export const FeedTokenCreate = z.object({ orgId: requiredId(), label: requiredText(100).optional() }).strict();
export const FeedTokenListQuery = z.object({ orgId: id().optional() });

/** An emergency (disaster, fire, epidemic) plays now: no dates or times, a deadline for the communes to confirm. */
export const EmergencyCreate = z
  .object({
    audioId: requiredId(),
    title: requiredText(300),
    class: z.literal('emergency'),
    communeIds: scheduleFields.communeIds,
    groupId: scheduleFields.groupId,
    underOrgId: scheduleFields.underOrgId,
    campaignId: scheduleFields.campaignId,
    confirmWithinMinutes: z.coerce.number().int().min(1).max(24 * 60).optional(),
  })
  .strict()
  .refine(oneTarget, { message: 'give exactly one of communeIds, groupId or underOrgId', path: ['communeIds'] });
export type EmergencyCreate = z.infer<typeof EmergencyCreate>;

export const HeartbeatBody = z
  .object({
    version: z.string().max(100).optional(),
    freeBytes: z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
    files: z.array(z.string().regex(/^[0-9a-f]{64}$/, 'a sha256 in hex')).max(10_000).optional(),
  })
  .strict();

export const ReceiversQuery = z.object({ orgId: id().optional() });

export const ActivityQuery = z
  .object({ from: date(), to: date(), orgId: id().optional(), format: z.enum(['json', 'xlsx', 'docx']).optional() })
  .refine((v) => v.to >= v.from, { message: 'the period ends before it starts', path: ['to'] });
