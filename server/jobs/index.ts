// Every background job the server runs. A module adds its job to the end of this list.
import type { Job } from './jobs';
import { escalationJob } from './escalation';
import { preventiveJob } from './preventive';

export const JOBS: Job[] = [
  // SOP compliance (issue 12)
  escalationJob,
  // maintenance (issue 13)
  preventiveJob,
];
