// The app's state in one object made by createAppState() and passed by context: who is signed in,
// their database and sync engine, sync status, network, storage and the errors the user must see.
import { computed, signal, type ReadonlySignal } from '@preact/signals';
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { MutationArgs, MutationName } from '../sync/mutations';
import type { PublicUser } from '../sync/roles';
import { SessionsDB, type Session } from './db/sessions';
import { pendingCount } from './db/outbox';
import { unsentPhotoCount } from './db/photos';
import { askPersistent, isQuotaError, storageEstimate } from './db/storage';
import { openIssueCount } from './db/sync-issues';
import { watch } from './db/live';
import { overdueActionCount } from './db/rows';
import { checkVerifier, deleteVerifier, saveVerifier } from './auth/offline-verifier';
import { BarronDB, deleteUserDb, userDbName, withUserDb } from './db/db';
import { ApiError, apiRequest, NetworkError, type FetchFn } from './sync/api';
import { LoginRequired, SyncEngine, type SyncState } from './sync/engine';
import { SyncScheduler } from './sync/scheduler';
import { LivePoke } from './sync/live';

export interface StorageInfo {
  usage: number | null;
  quota: number | null;
  persisted: boolean | null;
  /** What navigator.storage.persist() answered after the last sign-in. */
  persistGranted: boolean | null;
}

export interface ShownError { id: number; where: string; message: string; at: string }

/** Another user who signed in on this device: their queued changes stay theirs. */
export interface DeviceUser { userId: string; user: PublicUser; needsLogin: boolean; pending: number; lastUsedAt: string }

export interface AppState {
  sessions: SessionsDB;
  booted: ReadonlySignal<boolean>;
  session: ReadonlySignal<Session | null>;
  user: ReadonlySignal<PublicUser | null>;
  engine: ReadonlySignal<SyncEngine | null>;
  sync: ReadonlySignal<SyncState>;
  pending: ReadonlySignal<number>;
  openIssues: ReadonlySignal<number>;
  /** quality: the signed-in user's corrective actions open past their due day (the "My actions" badge). */
  overdueActions: ReadonlySignal<number>;
  online: ReadonlySignal<boolean>;
  storage: ReadonlySignal<StorageInfo>;
  errors: ReadonlySignal<ShownError[]>;
  deviceUsers: ReadonlySignal<DeviceUser[]>;
  /** Forms with unsaved input; an app update waits for 0. */
  dirtyForms: ReadonlySignal<number>;
  /** Set when a new version is installed and waiting. */
  update: ReadonlySignal<{ apply: () => void } | null>;

  boot(): Promise<void>;
  login(username: string, password: string): Promise<void>;
  /** Signs the active user out; refused (with the count) while their outbox holds unsynced changes. */
  logout(): Promise<{ ok: true } | { ok: false; pending: number }>;
  /** Shows the sign-in page with the current user kept on the device (switching users on a shared device). */
  switchUser(): Promise<void>;
  syncNow(): Promise<void>;
  mutate<N extends MutationName>(name: N, args: MutationArgs[N]): Promise<void>;
  /** Applies again a change kept on Sync issues (its name and args as stored; the mutator checks them). */
  redo(change: { name: string; args: unknown }): Promise<void>;
  /** An online API call as the active user (admin and audit screens). */
  request<T>(path: string, o?: { method?: string; body?: unknown }): Promise<T>;
  refreshStorage(): Promise<void>;
  reportError(where: string, err: unknown): void;
  dismissError(id: number): void;
  markDirty(delta: 1 | -1): void;
  offerUpdate(apply: (() => void) | null): void;
}

export interface AppStateOptions {
  fetch?: FetchFn;
  sessions?: SessionsDB;
}

export function errorMessage(err: unknown): string {
  if (isQuotaError(err)) {
    return 'The device is out of storage space for this app. Free space (Settings shows usage) or sync to send queued changes.';
  }
  if (err instanceof NetworkError) return 'Offline: the server cannot be reached.';
  if (err instanceof ApiError) return err.message;
  if (err instanceof Error) return err.name && err.name !== 'Error' ? `${err.name}: ${err.message}` : err.message;
  return String(err);
}

export function createAppState(opts: AppStateOptions = {}): AppState {
  const fetchFn: FetchFn = opts.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const sessions = opts.sessions ?? new SessionsDB();

  const booted = signal(false);
  const session = signal<Session | null>(null);
  const engine = signal<SyncEngine | null>(null);
  const sync = signal<SyncState>({ syncing: false, lastSyncAt: null, lastError: null, needsLogin: false });
  const pending = signal(0);
  const openIssues = signal(0);
  const overdueActions = signal(0);
  const online = signal(typeof navigator === 'undefined' ? true : navigator.onLine);
  const storage = signal<StorageInfo>({ usage: null, quota: null, persisted: null, persistGranted: null });
  const errors = signal<ShownError[]>([]);
  const deviceUsers = signal<DeviceUser[]>([]);
  const dirtyForms = signal(0);
  const update = signal<{ apply: () => void } | null>(null);
  const user = computed(() => session.value?.user ?? null);

  let scheduler: SyncScheduler | null = null;
  let live: LivePoke | null = null;
  let teardown: (() => void)[] = [];
  let errorId = 0;

  function reportError(where: string, err: unknown) {
    console.error(`[barron] ${where}`, err);
    const message = errorMessage(err);
    // One entry per distinct message: a failing live query must not flood the banner.
    if (errors.value.some((e) => e.where === where && e.message === message)) return;
    errors.value = [...errors.value, { id: ++errorId, where, message, at: new Date().toISOString() }].slice(-5);
  }

  if (typeof window !== 'undefined') {
    window.addEventListener('online', () => (online.value = true));
    window.addEventListener('offline', () => (online.value = false));
    window.addEventListener('unhandledrejection', (e) => reportError('Unexpected error', e.reason));
  }

  async function refreshDeviceUsers() {
    const all = await sessions.list();
    const activeId = session.value?.userId;
    const list: DeviceUser[] = [];
    for (const s of all) {
      const pendingCount = s.userId === activeId ? pending.value : await countPending(s.userId);
      list.push({ userId: s.userId, user: s.user, needsLogin: s.needsLogin, pending: pendingCount, lastUsedAt: s.lastUsedAt });
    }
    deviceUsers.value = list;
  }

  function countPending(userId: string): Promise<number> {
    // quality photos: unsent photos count as queued changes (sent with the user's own session)
    return withUserDb(userId, 0, async (db) => (await pendingCount(db)) + (await unsentPhotoCount(db)));
  }

  /** Other users' queued changes go up with their own sessions, so a shared device never mixes them. */
  async function syncOtherUsers() {
    const activeId = session.value?.userId;
    for (const s of await sessions.list()) {
      if (s.userId === activeId || s.needsLogin || (await countPending(s.userId)) === 0) continue;
      await withUserDb(s.userId, undefined, async (db) => {
        try {
          await new SyncEngine({ db, sessions, userId: s.userId, fetch: fetchFn }).sync();
        } catch (err) {
          if (!(err instanceof NetworkError || err instanceof LoginRequired)) reportError(`Syncing ${s.user.displayName}'s changes`, err);
        }
      });
    }
  }

  function deactivate() {
    live?.stop();
    live = null;
    scheduler?.stop();
    scheduler = null;
    for (const t of teardown) t();
    teardown = [];
    engine.value?.db.close();
    engine.value = null;
    session.value = null;
    pending.value = 0;
    openIssues.value = 0;
    overdueActions.value = 0;
  }

  async function activate(s: Session) {
    deactivate();
    const db = new BarronDB(userDbName(s.userId));
    db.on('versionchange', () => {
      // Another tab deleted or upgraded this database (say, signed this user out): let it.
      db.close();
      location.reload();
    });
    await db.open();
    const eng = new SyncEngine({ db, sessions, userId: s.userId, fetch: fetchFn });
    // The last sync time survives a reload (even offline): the engine starts from what it stored.
    await eng.restore();
    session.value = s;
    engine.value = eng;
    teardown.push(eng.subscribe((st) => {
      sync.value = st;
      if (st.needsLogin) void sessions.get(s.userId).then((fresh) => fresh && (session.value = fresh));
    }) as () => void);
    teardown.push(
      watch(() => pendingCount(db), { next: (n) => (pending.value = n), error: (e) => reportError('Reading the outbox', e) }),
      watch(() => openIssueCount(db), { next: (n) => (openIssues.value = n), error: (e) => reportError('Reading sync issues', e) }),
      // quality
      watch(() => overdueActionCount(db, s.userId), { next: (n) => (overdueActions.value = n), error: (e) => reportError('Reading corrective actions', e) }),
    );
    scheduler = new SyncScheduler({
      run: async () => {
        try {
          await eng.sync();
        } finally {
          await syncOtherUsers();
          void refreshDeviceUsers();
        }
      },
      isOnline: () => navigator.onLine,
      isPermanent: (err) => err instanceof LoginRequired,
      // A change goes up 0.3 s after the last tap (a burst of taps is still one push), so with the
      // poke other screens show it within seconds (docs/sync.md "The poke").
      afterChangeMs: 300,
      events: { window, document },
    });
    scheduler.start();
    // The poke: the server says when its change log moved, and the scheduler pulls at once.
    const sched = scheduler;
    live = new LivePoke({
      open: (signal) => eng.client.open('/api/sync/events', { signal, accept: 'text/event-stream' }),
      onChanged: () => sched.poke(),
      isPermanent: (err) => err instanceof LoginRequired,
    });
    live.start();
    const poke = live;
    const onOnline = () => poke.kick();
    window.addEventListener('online', onOnline);
    teardown.push(() => window.removeEventListener('online', onOnline));
    void refreshDeviceUsers();
  }

  async function saveSession(s: Session, password: string) {
    await sessions.save(s);
    await sessions.setActive(s.userId);
    await saveVerifier(sessions, s.userId, password);
  }

  /** After a sign-in (online or offline): once per device, since a granted request stays granted. */
  async function askPersistence() {
    try {
      if (await navigator.storage?.persisted?.()) return refreshStorage();
      const granted = await askPersistent();
      if (granted === null) return;
      storage.value = { ...storage.value, persistGranted: granted };
    } catch (err) {
      reportError('Asking for persistent storage', err);
    }
    await refreshStorage();
  }

  async function refreshStorage() {
    try {
      const est = await storageEstimate();
      storage.value = { ...storage.value, ...(est ?? { usage: null, quota: null, persisted: null }) };
    } catch (err) {
      reportError('Reading storage usage', err);
    }
  }

  const state: AppState = {
    sessions, booted, session, user, engine, sync, pending, openIssues, overdueActions, online, storage, errors, deviceUsers, dirtyForms, update,

    async boot() {
      try {
        const s = await sessions.active();
        if (s) await activate(s);
        else await refreshDeviceUsers();
      } catch (err) {
        reportError('Opening this device\'s data', err);
      } finally {
        booted.value = true;
      }
    },

    async login(username, password) {
      const name = username.trim().toLowerCase();
      try {
        const r = await apiRequest<{ accessToken: string; refreshToken: string; user: PublicUser }>(fetchFn, '', '/api/auth/login', {
          body: { username: name, password },
        });
        const s: Session = { userId: r.user.id, user: r.user, accessToken: r.accessToken, refreshToken: r.refreshToken, needsLogin: false, lastUsedAt: new Date().toISOString() };
        await saveSession(s, password);
        await activate(s);
        void askPersistence();
      } catch (err) {
        if (!(err instanceof NetworkError)) throw err;
        // Offline: a user who signed in here before may come back with the same password.
        const known = (await sessions.list()).find((s) => s.user.username === name);
        if (!known) throw new Error(`Offline, and ${name} has not signed in on this device before. Connect to sign in.`);
        if (!(await checkVerifier(sessions, known.userId, password))) throw new ApiError(401, 'invalid_credentials', 'Wrong username or password.');
        const s = { ...known, lastUsedAt: new Date().toISOString() };
        await sessions.save(s);
        await sessions.setActive(s.userId);
        await activate(s);
        void askPersistence();
      }
    },

    async logout() {
      const eng = engine.value;
      const s = session.value;
      if (!eng || !s) return { ok: true };
      // Unsent photos are kept like the outbox: sign-out waits for them too.
      const n = (await eng.pendingCount()) + (await unsentPhotoCount(eng.db));
      if (n > 0) return { ok: false, pending: n };
      try {
        await apiRequest(fetchFn, '', '/api/auth/logout', { body: { refreshToken: s.refreshToken } });
      } catch (err) {
        // Offline: the device forgets the token now; it expires on the server by itself.
        if (!(err instanceof NetworkError)) reportError('Signing out on the server', err);
      }
      deactivate();
      await sessions.remove(s.userId);
      await deleteVerifier(sessions, s.userId);
      await sessions.setActive(null);
      await deleteUserDb(s.userId);
      await refreshDeviceUsers();
      return { ok: true };
    },

    async switchUser() {
      deactivate();
      await sessions.setActive(null);
      await refreshDeviceUsers();
    },

    async syncNow() {
      if (!scheduler) throw new LoginRequired('Sign in to sync.');
      await scheduler.now();
    },

    async mutate(name, args) {
      const eng = engine.value;
      if (!eng) throw new LoginRequired('Sign in first.');
      await eng.mutate(name, args);
      scheduler?.changed();
    },

    async redo(change) {
      const eng = engine.value;
      if (!eng) throw new LoginRequired('Sign in first.');
      await eng.apply(change.name, change.args);
      scheduler?.changed();
    },

    request(path, o) {
      const eng = engine.value;
      if (!eng) return Promise.reject(new LoginRequired('Sign in first.'));
      return eng.client.request(path, o);
    },

    refreshStorage,
    reportError,
    dismissError(id) {
      errors.value = errors.value.filter((e) => e.id !== id);
    },
    markDirty(delta) {
      dirtyForms.value = Math.max(0, dirtyForms.value + delta);
    },
    offerUpdate(apply) {
      update.value = apply ? { apply } : null;
    },
  };
  return state;
}

export const AppContext = createContext<AppState | null>(null);

export function useApp(): AppState {
  const app = useContext(AppContext);
  if (!app) throw new Error('useApp() outside <AppContext.Provider>');
  return app;
}

/** The signed-in user's database and engine, for pages that only render when someone is signed in. */
export function useSession() {
  const app = useApp();
  const eng = app.engine.value;
  const u = app.user.value;
  if (!eng || !u) throw new Error('useSession() with nobody signed in');
  return { app, db: eng.db, user: u };
}
