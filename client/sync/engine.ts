// The device's sync engine: mutate() applies a mutation to IndexedDB and queues it in the same
// transaction; sync() pushes the outbox, pulls changes, and rebases pending mutations on top. It only
// orchestrates: storage is in client/db/, HTTP and tokens in client/auth/client.ts.
import { uuidv7 } from '../../sync/ids';
import { runMutator } from '../../sync/mutations';
import { SCHEMA_VERSION, type MutationResult, type PullResponse, type PushResponse } from '../../sync/protocol';
import type { PublicUser } from '../../sync/roles';
import { mutationContext, Rejection } from '../../sync/store';
import type { MutationArgs, MutationName } from '../../sync/mutations';
import { AuthedClient, LoginRequired, withLock } from '../auth/client';
import type { SessionsDB } from '../db/sessions';
import { ClientStore } from '../db/client-store';
import { dropAcknowledged, entries, pending, pendingCount, queue, recordResults, renumber } from '../db/outbox';
import { pruneWindow } from '../db/prune';
import { uploadPhotos } from './photos';
import { applyChanges, clearSynced, restoreServerRows } from '../db/shadows';
import { DEFAULT_SYNC_WINDOW_DAYS, horizon } from '../../sync/window';
import type { BarronDB } from '../db/db';
import { ApiError, NetworkError, type FetchFn } from './api';

export { LoginRequired, withLock };

/** Pulled changes that may wait in memory for their write while the next pages are fetched. */
export const PULL_AHEAD = 10_000;

export interface EngineOptions {
  db: BarronDB;
  sessions: SessionsDB;
  userId: string;
  fetch: FetchFn;
  baseUrl?: string;
  pushBatch?: number;
  pullLimit?: number;
  now?: () => Date;
  /** Days closed work stays on the device (the server's SYNC_WINDOW_DAYS). */
  windowDays?: number;
}

export interface SyncState {
  syncing: boolean;
  lastSyncAt: string | null;
  lastError: string | null;
  needsLogin: boolean;
}

type Listener = (s: SyncState) => void;

export class SyncEngine {
  readonly db: BarronDB;
  private readonly o: Required<Omit<EngineOptions, 'db'>>;
  /** Online requests as this engine's user (sync, and the admin and audit screens through app.request). */
  readonly client: AuthedClient;
  private running: Promise<void> | null = null;
  private again = false;
  state: SyncState = { syncing: false, lastSyncAt: null, lastError: null, needsLogin: false };
  private listeners = new Set<Listener>();

  constructor(opts: EngineOptions) {
    this.db = opts.db;
    this.o = { baseUrl: '', pushBatch: 100, pullLimit: 1000, now: () => new Date(), windowDays: DEFAULT_SYNC_WINDOW_DAYS, ...opts } as Required<Omit<EngineOptions, 'db'>>;
    this.client = new AuthedClient(this.o);
  }

  /** Starts from the state stored on the device: the time of the last successful sync ('lastSyncAt' meta). */
  async restore() {
    const lastSyncAt = await this.db.getMeta<string>('lastSyncAt');
    if (lastSyncAt && !this.state.lastSyncAt) this.set({ lastSyncAt });
  }

  subscribe(fn: Listener) {
    this.listeners.add(fn);
    fn(this.state);
    return () => this.listeners.delete(fn);
  }

  private set(patch: Partial<SyncState>) {
    this.state = { ...this.state, ...patch };
    for (const l of this.listeners) l(this.state);
  }

  async clientId(): Promise<string> {
    let id = await this.db.getMeta<string>('clientId');
    if (!id) {
      id = uuidv7();
      await this.db.setMeta('clientId', id);
    }
    return id;
  }

  /**
   * Applies a mutation locally and queues it, in one IndexedDB transaction. A Rejection (bad input,
   * not allowed, illegal transition) throws and nothing is queued.
   */
  mutate<N extends MutationName>(name: N, args: MutationArgs[N]): Promise<void> {
    return this.apply(name, args);
  }

  /** `mutate` for a change whose name and args come from storage (Sync issues): the mutator validates them. */
  async apply(name: string, args: unknown): Promise<void> {
    const { user } = await this.client.session();
    await this.clientId();
    const at = this.o.now().toISOString();
    // The outbox entry's id is the mutation's id: the ids the mutator derives from it match the server's.
    const id = uuidv7();
    await this.db.transaction('rw', this.db.writeScope, async () => {
      await runMutator(new ClientStore(this.db, user.id, at), name, args, mutationContext({ actor: user, now: at, at, side: 'client', mutationId: id }));
      await queue(this.db, { id, name, args, at, userId: user.id });
    });
  }

  /** Runs one sync (push then pull). Concurrent calls share the run; a call during a run schedules one more. */
  sync(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      try {
        do {
          this.again = false;
          await withLock(`barron-sync-${this.o.userId}`, () => this.syncOnce());
        } while (this.again);
      } finally {
        this.running = null;
      }
    })();
    return this.running;
  }

  private async syncOnce() {
    this.set({ syncing: true });
    try {
      await this.pushAll();
      await this.pullAll();
      await pruneWindow(this.db, horizon(this.o.now(), this.o.windowDays));
      // Photos go after the text (their records acknowledged by now); a failed upload never fails the sync.
      // A pass that sent photos syncs once more, so their rows come down with the next pull at once.
      if ((await uploadPhotos(this.db, this.client, this.o.now)).sent > 0) this.again = true;
      this.set({ syncing: false, lastError: null, needsLogin: false, lastSyncAt: this.o.now().toISOString() });
      await this.db.setMeta('lastSyncAt', this.state.lastSyncAt);
    } catch (err) {
      const needsLogin = err instanceof LoginRequired;
      this.set({ syncing: false, needsLogin, lastError: describe(err) });
      throw err;
    }
  }

  /** An online request as this user (admin and audit screens), with the same one-refresh-on-401 as sync. */
  request<T>(path: string, o: { method?: string; body?: unknown } = {}): Promise<T> {
    return this.client.request<T>(path, o);
  }

  // ── push ─────────────────────────────────────────────────────────────────

  private async pushAll() {
    const clientId = await this.clientId();
    for (;;) {
      const batch = await pending(this.db, this.o.pushBatch);
      if (batch.length === 0) return;
      let res: PushResponse;
      try {
        res = await this.client.request<PushResponse>('/api/sync/push', { body: {
          clientId, schemaVersion: SCHEMA_VERSION,
          mutations: batch.map((e) => ({ id: e.id, seq: e.seq, name: e.name, args: e.args, at: e.at })),
        } });
      } catch (err) {
        // A push that stopped early (a gap, the database gone) still says what it committed.
        const partial = (err instanceof ApiError && (err.details?.[0] as { results?: unknown })?.results) || null;
        if (Array.isArray(partial)) await recordResults(this.db, batch, partial as MutationResult[], this.o.now().toISOString());
        if (err instanceof ApiError && err.code === 'seq_gap') {
          await this.closeGap(Number((err.details?.[0] as { expected?: number })?.expected));
          continue;
        }
        throw err;
      }
      await recordResults(this.db, batch, res.results, this.o.now().toISOString());
    }
  }

  /**
   * The server expects an earlier seq than the outbox holds: those mutations were never received and
   * are no longer on this device, so the pending ones (none of which the server has seen) move down.
   */
  private async closeGap(expected: number) {
    if (!Number.isInteger(expected) || expected < 1) throw new Error('The server reported a sequence gap without the expected seq.');
    await renumber(this.db, expected);
  }

  // ── pull and rebase ──────────────────────────────────────────────────────

  /**
   * Pulls until the server has nothing more. The pages are fetched one after the other while the
   * ones already here are written, so the server, the network and the JSON parse overlap the
   * IndexedDB work; every page that has arrived by the time the previous write ends goes into the
   * next write together, in order (one transaction, so live queries wake once for them, not once a
   * page). At most PULL_AHEAD changes wait in memory. When a request fails, the pages that arrived
   * before it are still written, then the error is thrown (the next sync goes on from their cursor).
   */
  private async pullAll() {
    const clientId = await this.clientId();
    const fetchPage = (cursor: string | undefined) => {
      const qs = new URLSearchParams({ clientId, limit: String(this.o.pullLimit) });
      if (cursor) qs.set('cursor', cursor);
      return this.client.request<PullResponse>(`/api/sync/pull?${qs}`);
    };
    const arrived: PullResponse[] = [];
    let waiting = 0;
    let done = false;
    let stopped = false;
    let failure: { err: unknown } | null = null;
    let wakeWriter: (() => void) | null = null;
    let wakeFetcher: (() => void) | null = null;
    const kick = (which: 'writer' | 'fetcher') => {
      const fn = which === 'writer' ? wakeWriter : wakeFetcher;
      if (which === 'writer') wakeWriter = null;
      else wakeFetcher = null;
      fn?.();
    };
    void (async () => {
      try {
        let cursor = await this.db.getMeta<string>('cursor');
        for (let pages = 0; pages < 10_000 && !stopped; pages++) {
          while (waiting >= PULL_AHEAD && !stopped) await new Promise<void>((ok) => (wakeFetcher = ok));
          if (stopped) return;
          const page = await fetchPage(cursor);
          arrived.push(page);
          waiting += page.changes.length;
          kick('writer');
          if (!page.hasMore) return;
          cursor = page.cursor;
        }
      } catch (err) {
        failure = { err };
      } finally {
        done = true;
        kick('writer');
      }
    })();
    try {
      for (;;) {
        if (!arrived.length && !done) await new Promise<void>((ok) => (wakeWriter = ok));
        if (arrived.length) {
          const pages = arrived.splice(0);
          waiting = 0;
          kick('fetcher');
          await this.applyPages(pages);
          continue;
        }
        if (done) {
          if (failure) throw (failure as { err: unknown }).err;
          return;
        }
      }
    } finally {
      stopped = true; // a write failed: the fetcher stops at its next turn
      kick('fetcher');
    }
  }

  /** One pull page, its cursor, the dropping of acknowledged entries and the rebase: one transaction. */
  applyPage(page: PullResponse) {
    return this.applyPages([page]);
  }

  /**
   * Consecutive pull pages in one transaction: each page's changes in order (a page that starts the
   * device over clears it first), then the last page's cursor, the dropping of the entries it
   * acknowledges and one rebase — the same rows as writing them page by page.
   */
  async applyPages(pages: PullResponse[]) {
    if (!pages.length) return;
    const { user } = await this.client.session();
    const last = pages[pages.length - 1];
    await this.db.transaction('rw', this.db.writeScope, async () => {
      for (const page of pages) {
        if (page.reset) await clearSynced(this.db);
        await applyChanges(this.db, page.changes);
      }
      await this.db.setMeta('cursor', last.cursor);
      await dropAcknowledged(this.db, Math.max(...pages.map((p) => p.lastSeq)));
      await rebase(this.db, user);
    });
  }

  pendingCount(): Promise<number> {
    return pendingCount(this.db);
  }
}

/** Puts every row with local changes back to the server's version, then re-applies what is still pending. */
export async function rebase(db: BarronDB, user: PublicUser) {
  await restoreServerRows(db);
  for (const e of await entries(db)) {
    if (e.result?.status === 'rejected') continue; // the server refused it: it is on Sync issues, not on screen
    const store = new ClientStore(db, e.userId, e.at);
    try {
      await runMutator(store, e.name, e.args, mutationContext({ actor: user, now: e.at, at: e.at, side: 'client', mutationId: e.id, rebase: true }));
    } catch (err) {
      // No longer applies on this device's data (say, the order went on hold): the server decides, and a
      // rejection will show on Sync issues. Whatever it wrote before refusing is put back.
      if (!(err instanceof Rejection)) throw err;
      await store.undo();
    }
  }
}

function describe(err: unknown): string {
  if (err instanceof NetworkError) return 'Offline: the server cannot be reached.';
  if (err instanceof ApiError) return `${err.message} (${err.code})`;
  return err instanceof Error ? err.message : String(err);
}
