// Authentication middleware and the one role guard (department scope for queries: server/db/scope.ts).
import type { MiddlewareHandler } from 'hono';
import type { Role } from '../../sync/roles';
import type { AppEnv } from '../context';
import { findUserById, publicUser } from '../auth/auth.repository';
import { verifyAccessToken } from '../auth/tokens';
import { AppError } from './errors';

/** Puts the user on the context. The user is re-read so a deactivation or role change takes effect at once. */
export const requireUser: MiddlewareHandler<AppEnv> = async (c, next) => {
  const header = c.req.header('authorization') ?? '';
  const match = /^Bearer ([A-Za-z0-9._~+/=-]+)$/.exec(header);
  if (!match) throw new AppError(401, 'unauthenticated', 'Log in first: this needs an access token.');
  const { env, db } = c.get('deps');
  const claims = await verifyAccessToken(env.JWT_SECRET, match[1]);
  const user = await findUserById(db, claims.sub);
  if (!user || !user.active) throw new AppError(401, 'unauthenticated', 'This account is not active.');
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
