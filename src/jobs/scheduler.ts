import cron, { type ScheduledTask } from 'node-cron';
import crypto from 'node:crypto';
import os from 'node:os';
import type { Deps } from '../deps';
import { TIME_ZONE } from '../shared/time';
import type { Job } from './types';
import { withLease } from './lease';

export interface Scheduler {
  /** Runs one job now (under its lease), as a cron tick would. */
  runNow(name: string): Promise<boolean>;
  stop(): Promise<void>;
}

/** Starts every job on its cron schedule in Vietnam time; each tick first takes the job's lease. */
export function startScheduler(deps: Deps, jobs: Job[]): Scheduler {
  const holder = `${os.hostname()}:${process.pid}:${crypto.randomBytes(4).toString('hex')}`;
  const running = new Set<Promise<unknown>>();
  const byName = new Map(jobs.map((j) => [j.name, j]));

  const tick = (job: Job): Promise<boolean> => {
    const p = withLease(deps, job.name, holder, job.leaseSeconds, () => job.run(deps)).catch((err) => {
      deps.log.error({ err, job: job.name }, 'job failed');
      return false;
    });
    running.add(p);
    void p.finally(() => running.delete(p));
    return p;
  };

  const tasks: ScheduledTask[] = jobs.map((job) =>
    cron.schedule(job.cron, () => void tick(job), { timezone: TIME_ZONE, name: job.name, noOverlap: true }),
  );
  deps.log.info({ jobs: jobs.map((j) => `${j.name} (${j.cron})`) }, 'scheduler started');

  return {
    runNow: async (name) => {
      const job = byName.get(name);
      if (!job) throw new Error(`no job ${name}`);
      return tick(job);
    },
    stop: async () => {
      for (const t of tasks) await t.stop();
      await Promise.allSettled([...running]);
    },
  };
}
