import type { Deps } from '../deps';

/** A recurring job. Each feature declares its own beside its domain; the scheduler only runs them. */
export interface Job {
  /** Unique name; also the lease key. */
  name: string;
  /** node-cron expression, evaluated in Asia/Ho_Chi_Minh. */
  cron: string;
  /** Longest a run may hold the lease; another instance may take over after that. */
  leaseSeconds: number;
  run(deps: Deps): Promise<void>;
}
