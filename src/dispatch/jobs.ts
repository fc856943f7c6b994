import type { Job } from '../jobs';
import { drainOutbox } from './worker';

/**
 * The outbox is also kicked right after each dispatch; this tick picks up retries whose backoff has
 * passed, messages enqueued by other instances or features (report reminders), and leftovers of a crash.
 */
export const jobs: Job[] = [
  {
    name: 'dispatch.outbox',
    cron: '* * * * *',
    leaseSeconds: 600,
    run: async (deps) => {
      await drainOutbox(deps);
    },
  },
];
