import { z } from 'zod';
import { calendarDate, id, text } from '../shared/validate';
import { listQuery } from '../shared/paging';
import { INBOX_STATES } from './repo';

export const InboxQuery = listQuery
  .extend({
    orgId: id().optional(),
    status: z.enum(INBOX_STATES).optional(),
    lang: z.string().optional(),
  })
  .strict();
export type InboxQuery = z.infer<typeof InboxQuery>;

export const AssignBody = z
  .object({
    userId: id(),
    dueDate: calendarDate().nullable().optional(),
    note: text(1000).nullable().optional(),
  })
  .strict();
export type AssignBody = z.infer<typeof AssignBody>;

export const DoneBody = z.object({ note: text(2000).nullable().optional() }).strict();
export type DoneBody = z.infer<typeof DoneBody>;

/** An empty JSON body (or none): receiving takes no options. */
export const ReceiveBody = z.object({}).strict();

export const RegisterQuery = z
  .object({
    orgId: id().optional(),
    year: z.coerce.number().int().min(1990).max(2200).optional(),
    format: z.enum(['json', 'xlsx']).optional(),
    lang: z.string().optional(),
  })
  .strict();

export const FileIndex = z.coerce.number().int().min(0).max(1000);

export { id };
