/** The scheduler: runs the jobs each feature declares beside its domain, each under a lease row. */
export type { Job } from './types';
export { startScheduler, type Scheduler } from './scheduler';
export { withLease } from './lease';
