// All SQL of authentication: users by name, refresh-token families, failed-login counts.
import { uuidv7 } from '../../sync/ids';
import type { PublicUser, Role } from '../../sync/roles';
import type { Db } from '../db/db';

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

export async function countRecentFailures(db: Db, field: 'username' | 'ip', value: string, since: string): Promise<number> {
  const r = await db.selectFrom('loginFailures').select((eb) => eb.fn.countAll().as('n')).where(field, '=', value).where('at', '>', since).executeTakeFirst();
  return Number(r?.n ?? 0);
}

export async function recordFailure(db: Db, username: string, ip: string | null, at: string) {
  await db.insertInto('loginFailures').values({ id: uuidv7(), username: username.slice(0, 64), ip, at }).execute();
}

export async function clearFailures(db: Db, username: string) {
  await db.deleteFrom('loginFailures').where('username', '=', username).execute();
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

/** Housekeeping: failed logins older than a day, and refresh tokens that can no longer be used for a month. */
export async function pruneAuth(db: Db, now: Date) {
  const day = new Date(now.getTime() - 86_400_000).toISOString();
  const month = new Date(now.getTime() - 30 * 86_400_000).toISOString();
  await db.deleteFrom('loginFailures').where('at', '<', day).execute();
  await db.deleteFrom('refreshTokens').where((eb) => eb.or([eb('expiresAt', '<', month), eb('revokedAt', '<', month), eb('spentAt', '<', month)])).execute();
}
