// GET /api/sync/events: the poke. A Server-Sent Events stream that says "changed" with the latest
// change-log sequence number (nothing else) when the change log advances; the device then pulls.
//
// Stateless across processes: nothing here knows about writes. Each process has ONE watcher per
// database that reads the `sync` counter at most once a second, only while it has listeners, and
// shares that one read among all of them. A write through any process behind the load balancer moves
// the counter, so every process sees it within a second. docs/sync.md "The poke".
import { decodeJwt } from 'jose';
import type { Db } from '../db/db';
import { ACCESS_TOKEN_SECONDS } from '../auth/tokens';
import { readCounter } from './sync.repository';

export const WATCH_INTERVAL_MS = 1_000;
export const HEARTBEAT_MS = 20_000;

type Listener = (seq: number) => void;

/** Reads the sequence every `intervalMs` while it has listeners; one read serves every listener. */
export class SequenceWatcher {
  private readonly listeners = new Set<Listener>();
  private timer: ReturnType<typeof setTimeout> | null = null;
  /** The last sequence read; null before the first read of a watching period. */
  latest: number | null = null;
  /** Reads made (tests count them). */
  reads = 0;
  /** Bumped by stop(): a read still under way from an earlier watching period does not start a second loop. */
  private period = 0;
  /** A read loop runs for the current period. */
  private active = false;

  constructor(private readonly read: () => Promise<number>, private readonly intervalMs = WATCH_INTERVAL_MS, private readonly onError: (err: unknown) => void = () => {}) {}

  get size() {
    return this.listeners.size;
  }

  /** `fn` gets the sequence at once when known, then every time it moves. */
  subscribe(fn: Listener): () => void {
    this.listeners.add(fn);
    if (this.latest !== null) fn(this.latest);
    if (!this.active) {
      this.active = true;
      this.schedule(0);
    }
    return () => {
      this.listeners.delete(fn);
      if (this.listeners.size === 0) this.stop();
    };
  }

  stop() {
    this.period += 1;
    this.active = false;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.latest = null; // a later period starts with a fresh read
  }

  private schedule(ms: number) {
    this.timer = setTimeout(() => void this.tick(), ms);
    this.timer.unref?.();
  }

  private async tick() {
    const period = this.period;
    let seq: number | null = null;
    try {
      this.reads += 1;
      seq = await this.read();
    } catch (err) {
      this.onError(err); // the database is away: try again next second, listeners keep their stream
    }
    if (period !== this.period || this.listeners.size === 0) return; // stopped while reading (a new period has its own loop)
    if (seq !== null && seq !== this.latest) {
      this.latest = seq;
      for (const l of [...this.listeners]) l(seq);
    }
    this.schedule(this.intervalMs);
  }
}

interface Hub { watcher: SequenceWatcher; streams: Set<() => void> }

/** One hub per database handle, i.e. per process in production (tests open several databases). */
const hubs = new WeakMap<Db, Hub>();
let openStreams = 0;

function hubOf(db: Db, log: (msg: string, err?: unknown) => void): Hub {
  let hub = hubs.get(db);
  if (!hub) {
    hub = { watcher: new SequenceWatcher(() => readCounter(db, 'sync'), WATCH_INTERVAL_MS, (e) => log('the poke watcher could not read the sequence', e)), streams: new Set() };
    hubs.set(db, hub);
  }
  return hub;
}

/** The number of SSE connections this process holds open (the load benchmark and metrics read it). */
export function openSseConnections(): number {
  return openStreams;
}

/** The watcher of `db` (tests check that it reads once a second whatever the number of listeners). */
export function watcherOf(db: Db): SequenceWatcher | undefined {
  return hubs.get(db)?.watcher;
}

/** Ends every stream on `db` (the server is closing: an open stream would keep it from closing). */
export function closeStreams(db: Db) {
  const hub = hubs.get(db);
  if (!hub) return;
  for (const end of [...hub.streams]) end();
}

/** When the access token stops being valid: the stream ends then and the device refreshes and reconnects. */
export function tokenEnd(authorization: string | undefined, nowMs = Date.now()): number {
  const token = /^Bearer (.+)$/.exec(authorization ?? '')?.[1];
  try {
    const claims = token ? decodeJwt(token) : {};
    const ends = [claims.exp, claims.iat === undefined ? undefined : claims.iat + ACCESS_TOKEN_SECONDS].filter((n): n is number => typeof n === 'number');
    return ends.length ? Math.min(...ends) * 1000 : nowMs + ACCESS_TOKEN_SECONDS * 1000;
  } catch {
    return nowMs;
  }
}

const encoder = new TextEncoder();

/**
 * The stream of one device. `endsAt`: the moment its token expires. The first message carries the
 * current sequence (the device's baseline); a comment every `heartbeatMs` keeps proxies from closing it.
 */
export function eventStream(db: Db, log: (msg: string, err?: unknown) => void, o: { endsAt: number; heartbeatMs?: number; signal?: AbortSignal }): Response {
  const hub = hubOf(db, log);
  let end: () => void = () => {};
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      let closed = false;
      const send = (text: string) => {
        if (closed) return;
        try {
          controller.enqueue(encoder.encode(text));
        } catch {
          end();
        }
      };
      // Tells the device how long to wait before it reconnects after a drop (EventSource's field; our client reads it too).
      send(`retry: 2000\n\n`);
      const unsubscribe = hub.watcher.subscribe((seq) => send(`event: changed\ndata: {"seq":${seq}}\n\n`));
      const heartbeat = setInterval(() => send(`: keep-alive\n\n`), o.heartbeatMs ?? HEARTBEAT_MS);
      const expiry = setTimeout(() => {
        send(`event: expired\ndata: {}\n\n`);
        end();
      }, Math.max(0, o.endsAt - Date.now()));
      const onAbort = () => end();
      end = () => {
        if (closed) return;
        closed = true;
        openStreams -= 1;
        hub.streams.delete(end);
        unsubscribe();
        clearInterval(heartbeat);
        clearTimeout(expiry);
        o.signal?.removeEventListener('abort', onAbort);
        try {
          controller.close();
        } catch {
          // already cancelled by the reader
        }
      };
      openStreams += 1;
      hub.streams.add(end);
      o.signal?.addEventListener('abort', onAbort);
    },
    cancel() {
      end(); // the device went away
    },
  });
  return new Response(body, {
    headers: {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      // nginx and some other proxies buffer responses unless told not to; the scheduled pull covers those that still do.
      'x-accel-buffering': 'no',
    },
  });
}
