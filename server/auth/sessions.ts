// A session is one refresh-token family: login opens it, refresh rotates within it, logout or a
// detected reuse revokes it. Its access tokens carry its id and die with it.
import type { PublicUser } from '../../sync/roles';
import type { Deps } from '../context';
import * as repo from './auth.repository';
import { ACCESS_TOKEN_SECONDS, hashToken, issueAccessToken, newRefreshToken, REFRESH_TOKEN_DAYS } from './tokens';

/** Stores a new refresh token of `familyId` and answers the login/refresh shape of SYNC-PROTOCOL.md. */
export async function issueSession(deps: Deps, user: PublicUser, familyId: string, now: Date) {
  const refreshToken = newRefreshToken();
  await repo.insertRefreshToken(deps.db, {
    userId: user.id, familyId, tokenHash: hashToken(refreshToken), createdAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + REFRESH_TOKEN_DAYS * 86_400_000).toISOString(),
  });
  const accessToken = await issueAccessToken(deps.env.JWT_SECRET, user, familyId, Math.floor(now.getTime() / 1000));
  return { accessToken, refreshToken, expiresIn: ACCESS_TOKEN_SECONDS, user };
}
