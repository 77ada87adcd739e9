// Access tokens (jose HS256, 15 minutes) and opaque refresh tokens (random 256-bit, stored hashed).
// An access token names its session (`sid`, the refresh-token family), so ending the session ends it.
import { createHash, randomBytes } from 'node:crypto';
import { errors, jwtVerify, SignJWT } from 'jose';
import { ROLES, type PublicUser, type Role } from '../../sync/roles';
import { AppError } from '../http/errors';

export const ACCESS_TOKEN_SECONDS = 15 * 60;
export const REFRESH_TOKEN_DAYS = 30;
const ISSUER = 'barron-pms';
const AUDIENCE = 'barron-pms';

const key = (secret: string) => new TextEncoder().encode(secret);

/** Clock difference between server processes that is still accepted for `iat` and `exp`. */
const CLOCK_TOLERANCE_SECONDS = 5;

export async function issueAccessToken(secret: string, user: PublicUser, sessionId: string, nowSeconds = Math.floor(Date.now() / 1000)) {
  return new SignJWT({ role: user.role, dept: user.departmentId, name: user.username, sid: sessionId })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(user.id)
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt(nowSeconds)
    .setExpirationTime(nowSeconds + ACCESS_TOKEN_SECONDS)
    .sign(key(secret));
}

/**
 * The user id, role and session id of a valid token; 401 `token_expired` or `unauthenticated` otherwise.
 * `exp`, `iat`, `sub` and `sid` are required, and a token older than 15 minutes is expired whatever
 * its `exp` says. Whether the session is still open is the caller's question (server/http/auth.ts).
 */
export async function verifyAccessToken(secret: string, token: string): Promise<{ sub: string; role: Role; sid: string }> {
  try {
    const { payload } = await jwtVerify(token, key(secret), {
      algorithms: ['HS256'], issuer: ISSUER, audience: AUDIENCE, requiredClaims: ['exp', 'iat', 'sub', 'sid'],
      maxTokenAge: ACCESS_TOKEN_SECONDS, clockTolerance: CLOCK_TOLERANCE_SECONDS,
    });
    if (typeof payload.sub !== 'string' || typeof payload.sid !== 'string' || !ROLES.includes(payload.role as Role)) throw new Error('claims');
    return { sub: payload.sub, role: payload.role as Role, sid: payload.sid };
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
