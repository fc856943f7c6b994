import type { Job } from '../jobs';
import { markMissed, materialiseSchedules } from './schedule';
import { resumeAudioJobs } from './audio';
import { escalateEmergencies } from './emergency';

export const jobs: Job[] = [
  {
    // Schedules are rules: each hour, every live one gets its occurrences up to the end of the rolling window
    // (MATERIALISE_DAYS). Idempotent (unique keys, conditional window end), so a run cut short is simply resumed.
    name: 'broadcasts.materialise',
    cron: '7 * * * *',
    leaseSeconds: 600,
    run: async (deps) => {
      const n = await materialiseSchedules(deps);
      if (n) deps.log.info({ broadcasts: n }, 'broadcast occurrences written for the rolling window');
    },
  },
  {
    // Unconfirmed broadcasts become "missed" once BROADCAST_GRACE_MINUTES have passed since their time.
    name: 'broadcasts.mark-missed',
    cron: '*/5 * * * *',
    leaseSeconds: 240,
    run: async (deps) => {
      const n = await markMissed(deps);
      if (n) deps.log.info({ missed: n }, 'broadcast occurrences marked missed');
    },
  },
  {
    // Emergency bulletins a commune did not confirm within their deadline: one e-mail to the commune and the department.
    name: 'broadcasts.escalate-emergencies',
    cron: '* * * * *',
    leaseSeconds: 50,
    run: async (deps) => {
      const n = await escalateEmergencies(deps);
      if (n) deps.log.warn({ escalated: n }, 'unconfirmed emergency bulletins escalated');
    },
  },
  {
    // Audio left "processing" by a process that died (its row lease ran out) is converted again.
    name: 'broadcasts.resume-audio',
    cron: '* * * * *',
    leaseSeconds: 50,
    run: async (deps) => {
      await resumeAudioJobs(deps);
    },
  },
];
