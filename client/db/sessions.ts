// Sessions that survive offline: every user who signed in on this device, kept in IndexedDB,
// so reopening the app without network lands in the last user's session.
import Dexie, { type Table } from 'dexie';
import type { PublicUser } from '../../sync/roles';

export interface Session {
  userId: string;
  user: PublicUser;
  accessToken: string;
  refreshToken: string;
  /** The server refused this session's refresh token: the user must sign in again (the outbox is kept). */
  needsLogin: boolean;
  lastUsedAt: string;
}

export class SessionsDB extends Dexie {
  sessions!: Table<Session, string>;
  meta!: Table<{ key: string; value: unknown }, string>;

  constructor(options?: ConstructorParameters<typeof Dexie>[1], name = 'barron-sessions') {
    super(name, options);
    this.version(1).stores({ sessions: 'userId, lastUsedAt', meta: 'key' });
  }

  async active(): Promise<Session | undefined> {
    const id = await this.getValue<string>('activeUserId');
    return id ? this.sessions.get(id) : undefined;
  }

  async setActive(userId: string | null) {
    if (userId) await this.setValue('activeUserId', userId);
    else await this.deleteValue('activeUserId');
  }

  async save(s: Session) {
    await this.sessions.put(s);
  }

  get(userId: string): Promise<Session | undefined> {
    return this.sessions.get(userId);
  }

  /** Every session on the device, the most recently used first. */
  list(): Promise<Session[]> {
    return this.sessions.orderBy('lastUsedAt').reverse().toArray();
  }

  async remove(userId: string) {
    await this.sessions.delete(userId);
  }

  /** A device-wide value (the active user, offline verifiers). */
  async getValue<T>(key: string): Promise<T | undefined> {
    return (await this.meta.get(key))?.value as T | undefined;
  }

  async setValue(key: string, value: unknown) {
    await this.meta.put({ key, value });
  }

  async deleteValue(key: string) {
    await this.meta.delete(key);
  }
}
