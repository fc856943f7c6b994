import type { Job } from './jobs';
import { jobs as dispatchJobs } from './dispatch';
import { jobs as broadcastJobs } from './broadcasts';
import { jobs as reportJobs } from './reports';

/** Every recurring job of the application; each is defined beside the domain it serves, the scheduler only runs them. */
export const allJobs: Job[] = [...dispatchJobs, ...broadcastJobs, ...reportJobs];
