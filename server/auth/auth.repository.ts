// All SQL of authentication: users by name, refresh-token families, login throttle buckets.
import { uuidv7 } from '../../sync/ids';
import type { PublicUser, Role } from '../../sync/roles';
import type { Db, Dialect } from '../db/db';

export interface UserRecord extends PublicUser {
  passwordHash: string;
  active: boolean;
}

function toUser(r: any): UserRecord {
  return {
    id: r.id, username: r.username, displayName: r.displayName, role: r.role as Role,
    departmentId: r.departmentId ?? null, passwordHash: r.passwordHash, active: !!Number(r.active),
  };
}

const userColumns = ['id', 'username', 'displayName', 'role', 'departmentId', 'passwordHash', 'active'] as const;

export async function findUserByUsername(db: Db, username: string): Promise<UserRecord | undefined> {
  const r = await db.selectFrom('users').select(userColumns).where('username', '=', username).where('deletedAt', 'is', null).executeTakeFirst();
  return r && toUser(r);
}

export async function findUserById(db: Db, id: string): Promise<UserRecord | undefined> {
  const r = await db.selectFrom('users').select(userColumns).where('id', '=', id).where('deletedAt', 'is', null).executeTakeFirst();
  return r && toUser(r);
}

/**
 * The user of an access token, with whether its session (refresh-token family) is still open:
 * one query per request, so a logout or a revoked family ends access at once.
 */
export async function findSessionUser(db: Db, userId: string, sessionId: string): Promise<(UserRecord & { sessionOpen: boolean }) | undefined> {
  const r = await db.selectFrom('users').select(userColumns)
    .select((eb) => eb.exists(
      eb.selectFrom('refreshTokens').select('refreshTokens.id')
        .where('refreshTokens.familyId', '=', sessionId).where('refreshTokens.userId', '=', userId).where('refreshTokens.revokedAt', 'is', null),
    ).as('sessionOpen'))
    .where('id', '=', userId).where('deletedAt', 'is', null).executeTakeFirst();
  return r && { ...toUser(r), sessionOpen: !!Number(r.sessionOpen) };
}

export function publicUser(u: UserRecord): PublicUser {
  return { id: u.id, username: u.username, displayName: u.displayName, role: u.role, departmentId: u.departmentId };
}

export interface ThrottleRow {
  bucket: string;
  username: string | null;
  attempts: number;
  lastAt: string;
  blockedUntil: string | null;
  succeededAt: string | null;
}

const toThrottle = (r: any): ThrottleRow => ({
  bucket: r.bucket, username: r.username ?? null, attempts: Number(r.attempts), lastAt: r.lastAt, blockedUntil: r.blockedUntil ?? null, succeededAt: r.succeededAt ?? null,
});

/**
 * Runs `decide` on the throttle rows of `buckets` (made empty where missing) while holding them,
 * and writes back the rows it returns: one transaction, the rows locked FOR UPDATE on MySQL (on
 * SQLite the one connection runs one transaction at a time). Every server process sees the same
 * counts, and two requests never both read a count before either wrote it.
 */
export async function updateThrottle<T>(
  db: Db, dialect: Dialect, buckets: { bucket: string; username: string | null }[], now: string,
  decide: (rows: Map<string, ThrottleRow>) => { write: ThrottleRow[]; result: T },
): Promise<T> {
  // Sorted, so every request takes the row locks in one order.
  const sorted = [...buckets].sort((a, b) => (a.bucket < b.bucket ? -1 : 1));
  for (let attempt = 1; ; attempt++) {
    try {
      await db.insertInto('loginThrottle').orIgnore()
        .values(sorted.map((b) => ({ ...b, attempts: 0, lastAt: now, blockedUntil: null, succeededAt: null }))).execute();
      return await db.transaction().execute(async (trx) => {
        const rows = await trx.selectFrom('loginThrottle').selectAll().where('bucket', 'in', sorted.map((b) => b.bucket)).orderBy('bucket')
          .$if(dialect === 'mysql', (q) => q.forUpdate()).execute();
        const { write, result } = decide(new Map(rows.map((r) => [r.bucket, toThrottle(r)])));
        for (const { bucket, ...row } of write) await trx.updateTable('loginThrottle').set(row).where('bucket', '=', bucket).execute();
        return result;
      });
    } catch (err) {
      // InnoDB may pick this transaction as a deadlock victim (rolled back whole): run it again.
      if ((err as { code?: string }).code !== 'ER_LOCK_DEADLOCK' || attempt >= 3) throw err;
    }
  }
}

/** Forgets every failed login of a username (a new password was set). */
export async function clearThrottle(db: Db, username: string) {
  await db.deleteFrom('loginThrottle').where('username', '=', username).execute();
}

export async function insertRefreshToken(db: Db, t: { userId: string; familyId: string; tokenHash: string; createdAt: string; expiresAt: string }) {
  await db.insertInto('refreshTokens').values({ id: uuidv7(), ...t, spentAt: null, revokedAt: null }).execute();
}

export async function findRefreshToken(db: Db, tokenHash: string) {
  return db.selectFrom('refreshTokens').selectAll().where('tokenHash', '=', tokenHash).executeTakeFirst();
}

/** Marks a token spent; false when another request spent it first (a race is reuse too). */
export async function spendRefreshToken(db: Db, id: string, at: string): Promise<boolean> {
  const r = await db.updateTable('refreshTokens').set({ spentAt: at }).where('id', '=', id).where('spentAt', 'is', null).executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export async function revokeFamily(db: Db, familyId: string, at: string) {
  await db.updateTable('refreshTokens').set({ revokedAt: at }).where('familyId', '=', familyId).where('revokedAt', 'is', null).execute();
}

export async function revokeUserTokens(db: Db, userId: string, at: string) {
  await db.updateTable('refreshTokens').set({ revokedAt: at }).where('userId', '=', userId).where('revokedAt', 'is', null).execute();
}

/**
 * Housekeeping: throttle buckets quiet for a day (a pair's last success is kept for a month, since
 * it lets that username past a busy address), and refresh tokens that can no longer be used for a month.
 */
export async function pruneAuth(db: Db, now: Date) {
  const day = new Date(now.getTime() - 86_400_000).toISOString();
  const month = new Date(now.getTime() - 30 * 86_400_000).toISOString();
  await db.deleteFrom('loginThrottle').where('lastAt', '<', day)
    .where((eb) => eb.or([eb('blockedUntil', 'is', null), eb('blockedUntil', '<', day)]))
    .where((eb) => eb.or([eb('succeededAt', 'is', null), eb('succeededAt', '<', month)]))
    .execute();
  await db.deleteFrom('refreshTokens').where((eb) => eb.or([eb('expiresAt', '<', month), eb('revokedAt', '<', month), eb('spentAt', '<', month)])).execute();
}
