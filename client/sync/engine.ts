// The device's sync engine: mutate() applies a mutation to IndexedDB and queues it in the same
// transaction; sync() pushes the outbox, pulls changes, and rebases pending mutations on top.
import { uuidv7 } from '../../sync/ids';
import { runMutator } from '../../sync/mutations';
import { SCHEMA_VERSION, type MutationResult, type PullResponse, type PushResponse } from '../../sync/protocol';
import type { PublicUser } from '../../sync/roles';
import { mutationContext, Rejection } from '../../sync/store';
import { SYNCED_TABLES, type Row } from '../../sync/tables';
import type { MutationArgs, MutationName } from '../../sync/mutations';
import type { Session, SessionsDB } from '../auth/sessions';
import { ClientStore } from '../db/client-store';
import { pruneWindow } from '../db/prune';
import { DEFAULT_SYNC_WINDOW_DAYS, horizon } from '../../sync/window';
import type { BarronDB, OutboxEntry } from '../db/db';
import { ApiError, apiRequest, NetworkError, type FetchFn } from './api';

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

/** Sign-in is needed before this user's changes can be sent; nothing is lost meanwhile. */
export class LoginRequired extends Error {}

type Listener = (s: SyncState) => void;

export class SyncEngine {
  readonly db: BarronDB;
  private readonly o: Required<Omit<EngineOptions, 'db'>>;
  private running: Promise<void> | null = null;
  private again = false;
  state: SyncState = { syncing: false, lastSyncAt: null, lastError: null, needsLogin: false };
  private listeners = new Set<Listener>();

  constructor(opts: EngineOptions) {
    this.db = opts.db;
    this.o = { baseUrl: '', pushBatch: 100, pullLimit: 500, now: () => new Date(), windowDays: DEFAULT_SYNC_WINDOW_DAYS, ...opts } as Required<Omit<EngineOptions, 'db'>>;
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

  private async session(): Promise<Session> {
    const s = await this.o.sessions.sessions.get(this.o.userId);
    if (!s) throw new LoginRequired('No session for this user on this device.');
    return s;
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
    const { user } = await this.session();
    await this.clientId();
    const at = this.o.now().toISOString();
    // The outbox entry's id is the mutation's id: the ids the mutator derives from it match the server's.
    const id = uuidv7();
    await this.db.transaction('rw', this.db.writeScope, async () => {
      await runMutator(new ClientStore(this.db, user.id, at), name, args, mutationContext({ actor: user, now: at, at, side: 'client', mutationId: id }));
      const seq = ((await this.db.getMeta<number>('lastQueuedSeq')) ?? 0) + 1;
      await this.db.setMeta('lastQueuedSeq', seq);
      await this.db.outbox.add({ seq, id, name, args, at, userId: user.id });
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
      this.set({ syncing: false, lastError: null, needsLogin: false, lastSyncAt: this.o.now().toISOString() });
      await this.db.setMeta('lastSyncAt', this.state.lastSyncAt);
    } catch (err) {
      const needsLogin = err instanceof LoginRequired;
      this.set({ syncing: false, needsLogin, lastError: describe(err) });
      throw err;
    }
  }

  // ── HTTP with one refresh on 401 ─────────────────────────────────────────

  private async call<T>(path: string, body?: unknown, method?: string): Promise<T> {
    let s = await this.session();
    if (s.needsLogin) throw new LoginRequired('Sign in again to sync.');
    try {
      return await apiRequest<T>(this.o.fetch, this.o.baseUrl, path, { token: s.accessToken, body, method });
    } catch (err) {
      if (!(err instanceof ApiError) || err.status !== 401) throw err;
    }
    s = await this.refresh(s);
    return apiRequest<T>(this.o.fetch, this.o.baseUrl, path, { token: s.accessToken, body, method });
  }

  /** An online request as this user (admin and audit screens), with the same one-refresh-on-401 as sync. */
  request<T>(path: string, o: { method?: string; body?: unknown } = {}): Promise<T> {
    return this.call<T>(path, o.body, o.method);
  }

  /** One refresh, under a lock so two tabs never spend the same refresh token. */
  private refresh(stale: Session): Promise<Session> {
    return withLock(`barron-refresh-${this.o.userId}`, async () => {
      const current = await this.session();
      if (current.accessToken !== stale.accessToken) return current; // another tab refreshed already
      try {
        const r = await apiRequest<{ accessToken: string; refreshToken: string; user: PublicUser }>(this.o.fetch, this.o.baseUrl, '/api/auth/refresh', {
          body: { refreshToken: current.refreshToken },
        });
        const next: Session = { ...current, accessToken: r.accessToken, refreshToken: r.refreshToken, user: r.user, needsLogin: false };
        await this.o.sessions.save(next);
        return next;
      } catch (err) {
        if (err instanceof ApiError && (err.status === 401 || err.status === 403)) {
          await this.o.sessions.save({ ...current, needsLogin: true });
          throw new LoginRequired('Your session ended. Sign in again; your unsynced changes are kept.');
        }
        throw err;
      }
    });
  }

  // ── push ─────────────────────────────────────────────────────────────────

  private async pushAll() {
    const clientId = await this.clientId();
    for (;;) {
      const batch = (await this.db.outbox.orderBy('seq').toArray()).filter((e) => !e.result).slice(0, this.o.pushBatch);
      if (batch.length === 0) return;
      let res: PushResponse;
      try {
        res = await this.call<PushResponse>('/api/sync/push', {
          clientId, schemaVersion: SCHEMA_VERSION,
          mutations: batch.map((e) => ({ id: e.id, seq: e.seq, name: e.name, args: e.args, at: e.at })),
        });
      } catch (err) {
        // A push that stopped early (a gap, the database gone) still says what it committed.
        const partial = (err instanceof ApiError && (err.details?.[0] as { results?: unknown })?.results) || null;
        if (Array.isArray(partial)) await this.recordResults(batch, partial as MutationResult[]);
        if (err instanceof ApiError && err.code === 'seq_gap') {
          await this.closeGap(Number((err.details?.[0] as { expected?: number })?.expected));
          continue;
        }
        throw err;
      }
      await this.recordResults(batch, res.results);
    }
  }

  private async recordResults(batch: OutboxEntry[], results: MutationResult[]) {
    const bySeq = new Map(batch.map((e) => [e.seq, e]));
    await this.db.transaction('rw', [this.db.outbox, this.db.syncIssues], async () => {
      for (const r of results) {
        const entry = bySeq.get(r.seq);
        if (!entry) continue;
        await this.db.outbox.update(r.seq, { result: r });
        if (r.status !== 'applied') {
          await this.db.syncIssues.put({
            id: entry.id, seq: entry.seq, name: entry.name, args: entry.args, at: entry.at, status: r.status,
            code: r.code, message: r.message, conflicts: r.conflicts, entity: r.entity ?? null,
            createdAt: this.o.now().toISOString(), resolved: 0,
          });
        }
      }
    });
  }

  /**
   * The server expects an earlier seq than the outbox holds: those mutations were never received and
   * are no longer on this device, so the pending ones (none of which the server has seen) move down.
   */
  private async closeGap(expected: number) {
    if (!Number.isInteger(expected) || expected < 1) throw new Error('The server reported a sequence gap without the expected seq.');
    await this.db.transaction('rw', [this.db.outbox, this.db.meta], async () => {
      const pending = (await this.db.outbox.orderBy('seq').toArray()).filter((e) => !e.result);
      if (!pending.length || pending[0].seq <= expected) throw new Error(`Cannot close a sequence gap at ${expected}.`);
      await this.db.outbox.bulkDelete(pending.map((e) => e.seq));
      await this.db.outbox.bulkAdd(pending.map((e, i) => ({ ...e, seq: expected + i })));
      await this.db.setMeta('lastQueuedSeq', expected + pending.length - 1);
    });
  }

  // ── pull and rebase ──────────────────────────────────────────────────────

  private async pullAll() {
    const clientId = await this.clientId();
    for (let pages = 0; pages < 10_000; pages++) {
      const cursor = await this.db.getMeta<string>('cursor');
      const qs = new URLSearchParams({ clientId, limit: String(this.o.pullLimit) });
      if (cursor) qs.set('cursor', cursor);
      const page = await this.call<PullResponse>(`/api/sync/pull?${qs}`);
      await this.applyPage(page);
      if (!page.hasMore) return;
    }
  }

  /** One pull page, its cursor, the dropping of acknowledged entries and the rebase: one transaction. */
  async applyPage(page: PullResponse) {
    const { user } = await this.session();
    await this.db.transaction('rw', this.db.writeScope, async () => {
      if (page.reset) {
        for (const t of SYNCED_TABLES) await this.db.rows(t).clear();
        await this.db.shadows.clear();
      }
      for (const ch of page.changes) {
        const key = `${ch.table}:${ch.id}`;
        const shadow = await this.db.shadows.get(key);
        if (ch.op === 'upsert') {
          await this.db.rows(ch.table).put(ch.row as Row);
          if (shadow) await this.db.shadows.put({ ...shadow, row: ch.row as Row });
        } else {
          await this.db.rows(ch.table).delete(ch.id);
          if (shadow) await this.db.shadows.put({ ...shadow, row: null });
        }
      }
      await this.db.setMeta('cursor', page.cursor);
      await this.db.outbox.where('seq').belowOrEqual(page.lastSeq).delete();
      await rebase(this.db, user);
    });
  }

  async pendingCount(): Promise<number> {
    return this.db.outbox.filter((e) => !e.result).count();
  }
}

/** Puts every row with local changes back to the server's version, then re-applies what is still pending. */
export async function rebase(db: BarronDB, user: PublicUser) {
  for (const s of await db.shadows.toArray()) {
    if (s.row) await db.rows(s.table).put(s.row);
    else await db.rows(s.table).delete(s.id);
  }
  await db.shadows.clear();
  for (const e of await db.outbox.orderBy('seq').toArray()) {
    if (e.result?.status === 'rejected') continue; // the server refused it: it is on Sync issues, not on screen
    const store = new ClientStore(db, e.userId, e.at);
    try {
      await runMutator(store, e.name, e.args, mutationContext({ actor: user, now: e.at, at: e.at, side: 'client', mutationId: e.id }));
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

const localLocks = new Map<string, Promise<unknown>>();

/** navigator.locks where the platform has it (one tab syncs at a time), an in-process queue otherwise. */
export function withLock<T>(name: string, fn: () => Promise<T>): Promise<T> {
  const locks = (globalThis.navigator as Navigator | undefined)?.locks;
  if (locks) return locks.request(name, fn) as Promise<T>;
  const prev = localLocks.get(name) ?? Promise.resolve();
  const next = prev.then(fn, fn);
  localLocks.set(name, next.catch(() => undefined));
  return next;
}
