// Access tokens (jose HS256, 15 minutes) and opaque refresh tokens (random 256-bit, stored hashed).
import { createHash, randomBytes } from 'node:crypto';
import { errors, jwtVerify, SignJWT } from 'jose';
import { ROLES, type PublicUser, type Role } from '../../sync/roles';
import { AppError } from '../http/errors';

export const ACCESS_TOKEN_SECONDS = 15 * 60;
export const REFRESH_TOKEN_DAYS = 30;
const ISSUER = 'barron-pms';
const AUDIENCE = 'barron-pms';

const key = (secret: string) => new TextEncoder().encode(secret);

export async function issueAccessToken(secret: string, user: PublicUser, nowSeconds = Math.floor(Date.now() / 1000)) {
  return new SignJWT({ role: user.role, dept: user.departmentId, name: user.username })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(user.id)
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt(nowSeconds)
    .setExpirationTime(nowSeconds + ACCESS_TOKEN_SECONDS)
    .sign(key(secret));
}

/** The user id and role of a valid token; 401 `token_expired` or `unauthenticated` otherwise. */
export async function verifyAccessToken(secret: string, token: string): Promise<{ sub: string; role: Role }> {
  try {
    const { payload } = await jwtVerify(token, key(secret), { algorithms: ['HS256'], issuer: ISSUER, audience: AUDIENCE });
    if (typeof payload.sub !== 'string' || !ROLES.includes(payload.role as Role)) throw new Error('claims');
    return { sub: payload.sub, role: payload.role as Role };
  } catch (err) {
    if (err instanceof errors.JWTExpired) throw new AppError(401, 'token_expired', 'Your session has expired. Refresh it or log in again.');
    throw new AppError(401, 'unauthenticated', 'The access token is not valid.');
  }
}

export function newRefreshToken(): string {
  return randomBytes(32).toString('base64url');
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
