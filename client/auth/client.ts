// The one authenticated HTTP client: requests as one signed-in user, with that user's tokens, and a
// single refresh on 401 under a lock so two tabs never spend the same refresh token. The sync engine,
// the admin and the audit screens all go through it.
import type { PublicUser } from '../../sync/roles';
import type { Session, SessionsDB } from '../db/sessions';
import { ApiError, apiRequest, type FetchFn } from '../sync/api';

/** Sign-in is needed before this user's changes can be sent; nothing is lost meanwhile. */
export class LoginRequired extends Error {}

export interface AuthedClientOptions {
  sessions: SessionsDB;
  userId: string;
  fetch: FetchFn;
  baseUrl?: string;
}

export class AuthedClient {
  constructor(private readonly o: AuthedClientOptions) {}

  /** This user's session on the device; LoginRequired when there is none. */
  async session(): Promise<Session> {
    const s = await this.o.sessions.get(this.o.userId);
    if (!s) throw new LoginRequired('No session for this user on this device.');
    return s;
  }

  /** A request as this user; a 401 refreshes the tokens once and tries again. */
  async request<T>(path: string, o: { method?: string; body?: unknown; as?: 'json' | 'blob' } = {}): Promise<T> {
    let s = await this.session();
    if (s.needsLogin) throw new LoginRequired('Sign in again to sync.');
    try {
      return await this.send<T>(path, s, o);
    } catch (err) {
      if (!(err instanceof ApiError) || err.status !== 401) throw err;
    }
    s = await this.refresh(s);
    return this.send<T>(path, s, o);
  }

  /**
   * A request whose answer is read as it comes (the poke stream) or saved (a CSV download): the
   * Response itself, with the same one refresh on 401. An error status throws ApiError.
   */
  async open(path: string, o: { signal?: AbortSignal; accept?: string } = {}): Promise<Response> {
    let s = await this.session();
    if (s.needsLogin) throw new LoginRequired('Sign in again to sync.');
    const first = await apiRequest<Response>(this.o.fetch, this.o.baseUrl ?? '', path, { token: s.accessToken, signal: o.signal, accept: o.accept, raw: 'keep-401' });
    if (first.status !== 401) return first;
    await first.body?.cancel();
    s = await this.refresh(s);
    return apiRequest<Response>(this.o.fetch, this.o.baseUrl ?? '', path, { token: s.accessToken, signal: o.signal, accept: o.accept, raw: true });
  }

  private send<T>(path: string, s: Session, o: { method?: string; body?: unknown; as?: 'json' | 'blob' }) {
    return apiRequest<T>(this.o.fetch, this.o.baseUrl ?? '', path, { token: s.accessToken, body: o.body, method: o.method, as: o.as });
  }

  /** One refresh, under a lock so two tabs never spend the same refresh token. */
  private refresh(stale: Session): Promise<Session> {
    return withLock(`barron-refresh-${this.o.userId}`, async () => {
      const current = await this.session();
      if (current.accessToken !== stale.accessToken) return current; // another tab refreshed already
      try {
        const r = await apiRequest<{ accessToken: string; refreshToken: string; user: PublicUser }>(this.o.fetch, this.o.baseUrl ?? '', '/api/auth/refresh', {
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
}

const localLocks = new Map<string, Promise<unknown>>();

/** navigator.locks where the platform has it (one tab at a time), an in-process queue otherwise. */
export function withLock<T>(name: string, fn: () => Promise<T>): Promise<T> {
  const locks = (globalThis.navigator as Navigator | undefined)?.locks;
  if (locks) return locks.request(name, fn) as Promise<T>;
  const prev = localLocks.get(name) ?? Promise.resolve();
  const next = prev.then(fn, fn);
  localLocks.set(name, next.catch(() => undefined));
  return next;
}
