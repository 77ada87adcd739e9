// POST /api/auth/login, /refresh, /logout (SYNC-PROTOCOL.md "Auth").
import { Hono } from 'hono';
import { describeRoute } from '../http/openapi';
import bcrypt from 'bcryptjs';
import * as v from 'valibot';
import type { AppEnv } from '../context';
import { writeAudit } from '../audit/audit';
import { AppError, body } from '../http/errors';
import { clientIp } from '../http/ip';
import * as repo from './auth.repository';
import { hashToken } from './tokens';
import { issueSession } from './sessions';
import { reserveLogin, settleLogin, waitWords } from './throttle';
import { uuidv7 } from '../../sync/ids';

// Usernames are stored in lower case (admin.schemas.ts), so the lookup and the throttle are
// case-blind on every database collation: "Admin" and "admin" share one limit.
const LoginSchema = v.strictObject({
  username: v.pipe(v.string(), v.trim(), v.toLowerCase(), v.minLength(1, 'is required'), v.maxLength(64)),
  password: v.pipe(v.string(), v.minLength(1, 'is required'), v.maxLength(200)),
});
const RefreshSchema = v.strictObject({ refreshToken: v.pipe(v.string(), v.minLength(1), v.maxLength(200)) });

/** A bcrypt hash of nothing in particular, compared against when the user does not exist so timing does not tell. */
const DUMMY_HASH = bcrypt.hashSync('not-a-password', 10);

export const authRoutes = new Hono<AppEnv>()
  .post('/login', describeRoute({ summary: 'Sign in: access and refresh tokens', body: LoginSchema, public: true }), async (c) => {
    const deps = c.get('deps');
    const { username, password } = await body(c, LoginSchema);
    const ip = clientIp(c);
    const now = new Date();
    // Counted before the password is checked: concurrent guesses cannot get past the limit (throttle.ts).
    const attempt = await reserveLogin(deps, username, ip, now);
    if (!attempt.ok) {
      await writeAudit(deps.db, { mutationName: 'auth.login', username, outcome: 'rejected', code: 'too_many_attempts', ip });
      const wait = attempt.retryAfterSeconds;
      throw new AppError(429, 'too_many_attempts', `Too many failed logins. Try again in ${waitWords(wait)}, or ask an admin to reset the password.`, undefined, { 'Retry-After': String(wait) });
    }
    const user = await repo.findUserByUsername(deps.db, username);
    const ok = await bcrypt.compare(password, user?.passwordHash ?? DUMMY_HASH);
    await settleLogin(deps, attempt.reservation, !!user && ok && user.active, new Date());
    if (!user || !ok || !user.active) {
      await writeAudit(deps.db, {
        mutationName: 'auth.login', userId: user?.id, username, outcome: 'rejected', code: 'invalid_credentials',
        message: user && ok ? 'account deactivated' : 'wrong username or password', ip,
      });
      throw new AppError(401, 'invalid_credentials', 'Wrong username or password.');
    }
    const session = await issueSession(deps, repo.publicUser(user), uuidv7(), now);
    await writeAudit(deps.db, { mutationName: 'auth.login', userId: user.id, username, entity: 'users', entityId: user.id, outcome: 'applied', ip });
    return c.json(session);
  })
  .post('/refresh', describeRoute({ summary: 'New tokens for a refresh token (spent once)', body: RefreshSchema, public: true }), async (c) => {
    const deps = c.get('deps');
    const { refreshToken } = await body(c, RefreshSchema);
    const now = new Date();
    const stored = await repo.findRefreshToken(deps.db, hashToken(refreshToken));
    const invalid = () => new AppError(401, 'unauthenticated', 'This session is no longer valid. Log in again.');
    if (!stored || stored.revokedAt) throw invalid();
    if (stored.spentAt || !(await repo.spendRefreshToken(deps.db, stored.id, now.toISOString()))) {
      // A spent token came back: someone holds a copy. End every session of that family.
      await repo.revokeFamily(deps.db, stored.familyId, now.toISOString());
      await writeAudit(deps.db, {
        mutationName: 'auth.refresh_reuse', userId: stored.userId, entity: 'users', entityId: stored.userId, outcome: 'rejected',
        code: 'refresh_reuse', message: 'a spent refresh token was presented; its family was revoked', ip: clientIp(c),
      });
      throw invalid();
    }
    if (stored.expiresAt <= now.toISOString()) throw invalid();
    const user = await repo.findUserById(deps.db, stored.userId);
    if (!user || !user.active) {
      await repo.revokeFamily(deps.db, stored.familyId, now.toISOString());
      throw invalid();
    }
    return c.json(await issueSession(deps, repo.publicUser(user), stored.familyId, now));
  })
  .post('/logout', describeRoute({ summary: 'End the session of a refresh token', body: RefreshSchema, public: true, status: 204 }), async (c) => {
    const deps = c.get('deps');
    const { refreshToken } = await body(c, RefreshSchema);
    const stored = await repo.findRefreshToken(deps.db, hashToken(refreshToken));
    if (stored && !stored.revokedAt) {
      await repo.revokeFamily(deps.db, stored.familyId, new Date().toISOString());
      await writeAudit(deps.db, { mutationName: 'auth.logout', userId: stored.userId, entity: 'users', entityId: stored.userId, outcome: 'applied', ip: clientIp(c) });
    }
    return c.body(null, 204);
  });
