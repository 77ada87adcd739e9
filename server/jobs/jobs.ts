// Background jobs (SOP escalation, preventive maintenance, …). Every server process runs every job on
// its own timer, so a pass must be safe in several processes at once: each step is guarded by a
// conditional update (or a lock) and writes through `auditedWrite` as the system actor. A pass is
// idempotent and catches up: the first pass runs at start, so a server that was down past a due time
// acts at once.
import type { Deps } from '../context';
import type { Actor } from '../../sync/roles';

/** The app itself acting (an escalation, a preventive ticket opened on schedule): audited as "the system". */
export const SYSTEM_ACTOR: Actor = { id: '00000000-0000-7000-8000-000000000001', role: 'admin', departmentId: null };
export const SYSTEM_USERNAME = 'system';

export interface Job {
  name: string;
  /** Seconds between passes, read from the environment (e.g. `ESCALATION_CHECK_SECONDS`). */
  everySeconds(deps: Deps): number;
  /** One pass at `now`; answers how many steps it took (for logs and metrics). */
  run(deps: Deps, now: Date): Promise<number>;
}

export interface RunningJobs {
  /** Runs one pass of every job now (tests; the start). */
  runAll(now?: Date): Promise<void>;
  stop(): void;
}

/** Starts each job's timer after a first pass; a pass never overlaps the same job's previous one in this process. */
export function startJobs(deps: Deps, jobs: readonly Job[]): RunningJobs {
  const busy = new Set<string>();
  const timers: NodeJS.Timeout[] = [];
  const pass = async (job: Job, now = new Date()) => {
    if (busy.has(job.name)) return;
    busy.add(job.name);
    try {
      const steps = await job.run(deps, now);
      deps.metrics?.jobRuns.inc({ job: job.name, outcome: 'ok' });
      if (steps > 0) deps.metrics?.jobSteps.inc({ job: job.name }, steps);
    } catch (e) {
      deps.metrics?.jobRuns.inc({ job: job.name, outcome: 'failed' });
      deps.log(`job ${job.name} failed`, e);
    } finally {
      busy.delete(job.name);
    }
  };
  for (const job of jobs) {
    const t = setInterval(() => void pass(job), Math.max(1, job.everySeconds(deps)) * 1000);
    t.unref();
    timers.push(t);
  }
  return {
    runAll: async (now) => { for (const job of jobs) await pass(job, now); },
    stop: () => { for (const t of timers) clearInterval(t); },
  };
}
