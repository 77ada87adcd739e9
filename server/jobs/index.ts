// Every background job the server runs. A module adds its job to the end of this list.
import type { Job } from './jobs';

export const JOBS: Job[] = [];
