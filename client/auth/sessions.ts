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
    const id = (await this.meta.get('activeUserId'))?.value as string | undefined;
    return id ? this.sessions.get(id) : undefined;
  }

  async setActive(userId: string | null) {
    if (userId) await this.meta.put({ key: 'activeUserId', value: userId });
    else await this.meta.delete('activeUserId');
  }

  async save(s: Session) {
    await this.sessions.put(s);
  }
}
