// A simulated device for tests: the real client engine on its own fake-indexeddb, talking to the
// real server app in process, over a network that can drop a request before or after the server.
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { SessionsDB } from '../../client/db/sessions';
import { BarronDB, userDbName } from '../../client/db/db';
import { SyncEngine, type EngineOptions } from '../../client/sync/engine';
import type { FetchFn } from '../../client/sync/api';
import type { Harness } from './harness';
import type { PublicUser } from '../../sync/roles';

export type Drop = 'before' | 'after' | null;
export interface Network { offline: boolean; drop: () => Drop; onRequest?: (url: string) => void | Promise<void> }

export interface Device {
  engine: SyncEngine;
  db: BarronDB;
  user: PublicUser;
  /** The device's session store (to age or spoil its tokens). */
  sessions: SessionsDB;
  /**
   * The simulated network: `offline`, `drop` (whether a request is lost before or after the server),
   * and `onRequest`, run before each request reaches it (a test counts pulls or lets another device
   * act in between; throwing there is a failed request).
   */
  network: Network;
  close(): void;
}

export async function makeDevice(h: Harness, username: string, opts: Partial<Pick<EngineOptions, 'pullLimit' | 'pushBatch'>> = {}): Promise<Device> {
  const idb = { indexedDB: new IDBFactory(), IDBKeyRange };
  const session = await h.login(username);
  const sessions = new SessionsDB(idb);
  await sessions.save({ userId: session.user.id, user: session.user, accessToken: session.accessToken, refreshToken: session.refreshToken, needsLogin: false, lastUsedAt: new Date().toISOString() });
  await sessions.setActive(session.user.id);
  const db = new BarronDB(userDbName(session.user.id), idb);
  const network: Network = { offline: false, drop: (): Drop => null };
  const fetchFn: FetchFn = async (url, init) => {
    if (network.offline) throw new TypeError('Failed to fetch (offline)');
    await network.onRequest?.(url);
    const drop = network.drop();
    if (drop === 'before') throw new TypeError('Failed to fetch (dropped before the server)');
    const res = await h.app.request(url, init);
    if (drop === 'after') throw new TypeError('Failed to fetch (answer lost)');
    return res;
  };
  const engine = new SyncEngine({ db, sessions, userId: session.user.id, fetch: fetchFn, ...opts });
  return {
    engine, db, user: session.user, network, sessions,
    close() {
      db.close();
      sessions.close();
    },
  };
}
