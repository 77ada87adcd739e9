// The admission gate of POST /api/sync/push: at most a few pushes of this process run at once, the
// rest wait their turn first come, first served. It changes only when a push starts, never what it
// does: each push still takes its locks and writes as before (server/sync/push.ts), so several
// processes behind a load balancer stay correct without sharing this state; each has its own gate.
//
// Why: every push serialises on the sequence lock anyway (docs/sync.md "The sequence"). Without a
// gate, 200 devices pushing at the end of a Wi-Fi outage all enter at once: on MariaDB they take the
// pool's connections and wait inside InnoDB's lock queue, so pulls and /health wait for a connection
// and the lock queue serves the waiters in no fair order; on SQLite they all queue at the one
// connection and a pull waits behind every one of them. With the gate, the pushes wait here, in
// arrival order, holding nothing; the database sees a few at a time, and everything else gets
// through between them. docs/performance.md "A plant's devices".
import type { Db } from '../db/db';
import { AppError } from '../http/errors';

/** Pushes of one process that may run at once, by dialect: enough to keep the database busy, no more. */
export const PUSH_CONCURRENCY = { sqlite: 2, mysql: 6 } as const;

export class PushGate {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(readonly limit: number) {}

  /** Pushes waiting for their turn (metrics, tests). */
  get queued() {
    return this.waiting.length;
  }

  get active() {
    return this.running;
  }

  /**
   * Runs `fn` when its turn comes. A request whose client went away while it waited (`signal`)
   * leaves the queue without running: the device resends it, and it holds no one up meanwhile.
   */
  async run<T>(fn: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    if (this.running < this.limit && this.waiting.length === 0) {
      this.running += 1;
    } else {
      await new Promise<void>((ok, fail) => {
        const turn = () => {
          signal?.removeEventListener('abort', gone);
          ok();
        };
        const gone = () => {
          const i = this.waiting.indexOf(turn);
          if (i >= 0) this.waiting.splice(i, 1);
          fail(new AppError(408, 'request_abandoned', 'The device went away while its push waited for its turn; nothing was changed.'));
        };
        if (signal?.aborted) return gone();
        signal?.addEventListener('abort', gone, { once: true });
        this.waiting.push(turn);
      });
    }
    try {
      return await fn();
    } finally {
      // The slot passes straight to the next in line, so no later arrival can take it first.
      const next = this.waiting.shift();
      if (next) next();
      else this.running -= 1;
    }
  }
}

const gates = new WeakMap<Db, PushGate>();

/** The gate of a database handle (one per process in production; tests open several databases). */
export function pushGateOf(db: Db, dialect: 'sqlite' | 'mysql'): PushGate {
  let gate = gates.get(db);
  if (!gate) {
    gate = new PushGate(PUSH_CONCURRENCY[dialect]);
    gates.set(db, gate);
  }
  return gate;
}
