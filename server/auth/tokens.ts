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
  const known = verifiedOf(secret).get(token);
  if (known) {
    // The same checks of time jose makes (exp, maxTokenAge, iat, with the tolerance): a token verified
    // once expires from here as it would there.
    const now = Math.floor(Date.now() / 1000);
    if (known.exp <= now - CLOCK_TOLERANCE_SECONDS || now - known.iat - CLOCK_TOLERANCE_SECONDS > ACCESS_TOKEN_SECONDS) {
      verifiedOf(secret).delete(token);
      throw new AppError(401, 'token_expired', 'Your session has expired. Refresh it or log in again.');
    }
    // Issued in the future (the server's clock stepped back since): jose refuses it as not valid.
    if (known.iat > now + CLOCK_TOLERANCE_SECONDS) throw new AppError(401, 'unauthenticated', 'The access token is not valid.');
    return known.claims;
  }
  try {
    const { payload } = await jwtVerify(token, key(secret), {
      algorithms: ['HS256'], issuer: ISSUER, audience: AUDIENCE, requiredClaims: ['exp', 'iat', 'sub', 'sid'],
      maxTokenAge: ACCESS_TOKEN_SECONDS, clockTolerance: CLOCK_TOLERANCE_SECONDS,
    });
    if (typeof payload.sub !== 'string' || typeof payload.sid !== 'string' || !ROLES.includes(payload.role as Role)) throw new Error('claims');
    const claims = { sub: payload.sub, role: payload.role as Role, sid: payload.sid };
    remember(secret, token, { claims, exp: payload.exp!, iat: payload.iat! });
    return claims;
  } catch (err) {
    if (err instanceof errors.JWTExpired) throw new AppError(401, 'token_expired', 'Your session has expired. Refresh it or log in again.');
    throw new AppError(401, 'unauthenticated', 'The access token is not valid.');
  }
}

/**
 * Tokens whose signature and claims were verified, by secret: a device sends the same token for up
 * to 15 minutes, and each verification is an HMAC on the crypto thread pool (a wait of about half
 * a millisecond per request). Only the token's own, unchangeable content is kept; whether its
 * session is still open and its user active is read on every request (server/http/auth.ts).
 */
type Verified = { claims: { sub: string; role: Role; sid: string }; exp: number; iat: number };
const verified = new Map<string, Map<string, Verified>>();
const MAX_VERIFIED = 10_000;

function verifiedOf(secret: string) {
  let m = verified.get(secret);
  if (!m) verified.set(secret, (m = new Map()));
  return m;
}

function remember(secret: string, token: string, v: Verified) {
  const m = verifiedOf(secret);
  if (m.size >= MAX_VERIFIED) {
    const now = Math.floor(Date.now() / 1000);
    for (const [t, e] of m) if (e.exp <= now - CLOCK_TOLERANCE_SECONDS || now - e.iat - CLOCK_TOLERANCE_SECONDS > ACCESS_TOKEN_SECONDS) m.delete(t);
    if (m.size >= MAX_VERIFIED) m.delete(m.keys().next().value!); // the oldest
  }
  m.set(token, v);
}

export function newRefreshToken(): string {
  return randomBytes(32).toString('base64url');
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
