// Authentication middleware and the one role guard (department scope for queries: server/db/scope.ts).
import type { MiddlewareHandler } from 'hono';
import type { Role } from '../../sync/roles';
import type { AppEnv } from '../context';
import { findSessionUser, publicUser } from '../auth/auth.repository';
import { verifyAccessToken } from '../auth/tokens';
import { AppError } from './errors';

/**
 * Puts the user on the context. The user and the token's session are re-read on every request, so
 * a deactivation, a role change, a logout or a revoked session takes effect at once.
 */
export const requireUser: MiddlewareHandler<AppEnv> = async (c, next) => {
  const header = c.req.header('authorization') ?? '';
  const match = /^Bearer ([A-Za-z0-9._~+/=-]+)$/.exec(header);
  if (!match) throw new AppError(401, 'unauthenticated', 'Log in first: this needs an access token.');
  const { env, db } = c.get('deps');
  const claims = await verifyAccessToken(env.JWT_SECRET, match[1]);
  const user = await findSessionUser(db, claims.sub, claims.sid);
  if (!user || !user.active) throw new AppError(401, 'unauthenticated', 'This account is not active.');
  if (!user.sessionOpen) throw new AppError(401, 'unauthenticated', 'This session has ended. Log in again.');
  c.set('user', publicUser(user));
  await next();
};

/** The one role guard: 403 unless the acting user has one of `roles`. */
export function requireRole(...roles: Role[]): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const user = c.get('user');
    if (!roles.includes(user.role)) throw new AppError(403, 'forbidden', `This needs one of the roles: ${roles.join(', ')}.`);
    await next();
  };
}
