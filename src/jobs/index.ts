// The scheduler's public entry point: it runs the jobs each feature declares beside its domain (the list is
// composed in src/all-jobs.ts), each under a lease row.

// What a feature declares.
export type { Job } from './types';

// Running them: on their cron schedules (server.ts), or one at once under its lease (tests, manual runs).
export { startScheduler, type Scheduler } from './scheduler';
export { withLease } from './lease';
