import type { Job } from '../jobs/types';

export const jobs: Job[] = [];
