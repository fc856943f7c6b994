import { z } from 'zod';
import { listQuery } from '../shared/paging';
import { id } from '../shared/validate';
import { OUTBOX_STATES } from './states';

/** Dispatch and resend take no options; an empty JSON body (or none) is all they accept. */
export const DispatchBody = z.object({}).strict();

export const OutboxQuery = listQuery
  .extend({
    status: z.enum(OUTBOX_STATES).optional(),
    before: id().optional(),
    lang: z.string().optional(),
  })
  .strict();

export const AckToken = z.string().min(1).max(200);

export { id };
