// Every background job the server runs. A module adds its job to the end of this list.
import type { Job } from './jobs';
import { escalationJob } from './escalation';

export const JOBS: Job[] = [
  // SOP compliance (issue 12)
  escalationJob,
];
