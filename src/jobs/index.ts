import type { Job } from './types';
import { jobs as dispatchJobs } from '../dispatch/jobs';
import { jobs as broadcastJobs } from '../broadcasts/jobs';
import { jobs as reportJobs } from '../reports/jobs';

/** Every recurring job of the application; each is defined beside the domain it serves. */
export const allJobs: Job[] = [...dispatchJobs, ...broadcastJobs, ...reportJobs];
