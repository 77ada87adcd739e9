// Every background job the server runs. A module adds its job to the end of this list.
import type { Job } from './jobs';
import { preventiveJob } from './preventive';

export const JOBS: Job[] = [
  // maintenance (issue 13)
  preventiveJob,
];
