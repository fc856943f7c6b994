import type { Job } from '../jobs';
import { runReminderPass } from './reminders';

/**
 * Report reminders: every 15 minutes (Vietnam time), e-mail the organisations that have not reported,
 * N hours before the week's deadline and once after it. The scheduler takes the lease; each reminder is
 * recorded once per organisation, week and kind, so running twice sends nothing twice.
 */
export const jobs: Job[] = [
  {
    name: 'reports.reminders',
    cron: '*/15 * * * *',
    leaseSeconds: 600,
    run: async (deps) => {
      const sent = await runReminderPass(deps);
      if (sent > 0) deps.log.info({ sent }, 'report reminders sent');
    },
  },
];
