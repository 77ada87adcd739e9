import { decodeJwt, SignJWT, UnsecuredJWT } from 'jose';
import { describe, expect, it, vi } from 'vitest';
import { TEST_SECRET, useHarness } from '../../tests/setup/harness';
import { auditRows, expectCleanError, tokenFor, userByName } from '../../tests/setup/helpers';
import { issueAccessToken } from './tokens';

const h = useHarness();

const login = (username: string, password: string) => h.call('POST', '/api/auth/login', { body: { username, password } });
const refresh = (refreshToken: string) => h.call('POST', '/api/auth/refresh', { body: { refreshToken } });
const me = (token: string) => h.call('GET', '/api/me', { token });

describe('login', () => {
  it('gives a working access token, a refresh token and the public user for the right password', async () => {
    const r = await login('operator.press', 'barron-demo-2026');
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ accessToken: expect.any(String), refreshToken: expect.any(String), expiresIn: 900 });
    expect(r.body.user).toEqual({
      id: expect.any(String), username: 'operator.press', displayName: 'Olivia Operator (Press)', role: 'operator', departmentId: expect.any(String),
    });
    expect((await me(r.body.accessToken)).body.user).toEqual(r.body.user);
  });

  it('answers 401 invalid_credentials for a wrong password and for an unknown user, alike', async () => {
    const wrong = await login('admin', 'not-the-password');
    const unknown = await login('nobody', 'barron-demo-2026');
    for (const r of [wrong, unknown]) {
      expect(r.status).toBe(401);
      expectCleanError(r.body, 'invalid_credentials');
    }
    expect(unknown.body.error.message).toBe(wrong.body.error.message);
  });

  it('accepts the username in any letter case, since usernames are stored in lower case', async () => {
    expect((await login('Operator.Press', 'barron-demo-2026')).status).toBe(200);
  });

  it('writes an audit row for a successful and for a failed login, without the password', async () => {
    await login('admin', 'barron-demo-2026');
    await login('admin', 'wrong-password');
    const rows = await auditRows(h, 'auth.login');
    const admin = await userByName(h, 'admin');
    expect(rows.map((r) => [r.outcome, r.code ?? null, r.userId, r.username])).toEqual([
      ['applied', null, admin.id, 'admin'],
      ['rejected', 'invalid_credentials', admin.id, 'admin'],
    ]);
    expect(JSON.stringify(rows)).not.toContain('wrong-password');
  });

  it('rejects a body with a missing, mistyped or unknown field as 400 validation_failed', async () => {
    for (const body of [{ username: 'admin' }, { username: 'admin', password: 1234 }, { username: 'admin', password: 'barron-demo-2026', remember: true }]) {
      const r = await h.call('POST', '/api/auth/login', { body });
      expect(r.status).toBe(400);
      expectCleanError(r.body, 'validation_failed');
      expect(r.body.error.details.length).toBeGreaterThan(0);
    }
  });
});

describe('GET /api/me', () => {
  it('answers the acting user', async () => {
    const token = await tokenFor(h, 'technician');
    const r = await me(token);
    expect(r.status).toBe(200);
    expect(r.body.user).toMatchObject({ username: 'technician', role: 'technician' });
    expect(r.body.user).not.toHaveProperty('passwordHash');
  });

  it('answers 401 unauthenticated without a token or with a malformed header', async () => {
    for (const headers of <Record<string, string>[]>[{}, { authorization: 'Bearer' }, { authorization: 'Basic YWRtaW46YmFycm9uLWRlbW8tMjAyNg==' }, { authorization: 'Bearer not a token' }]) {
      const r = await h.call('GET', '/api/me', { headers });
      expect(r.status).toBe(401);
      expectCleanError(r.body, 'unauthenticated');
    }
  });
});

describe('refresh', () => {
  it('rotates: the new refresh token works, the old one is spent', async () => {
    const first = await login('supervisor.press', 'barron-demo-2026');
    const second = await refresh(first.body.refreshToken);
    expect(second.status).toBe(200);
    expect(second.body.refreshToken).not.toBe(first.body.refreshToken);
    expect(second.body.user.username).toBe('supervisor.press');
    expect((await me(second.body.accessToken)).status).toBe(200);
    const third = await refresh(second.body.refreshToken);
    expect(third.status).toBe(200);
  });

  it('treats a spent token presented again as theft: 401, the whole family revoked, an audit row', async () => {
    const first = await login('operator.paint', 'barron-demo-2026');
    const second = await refresh(first.body.refreshToken);
    expect(second.status).toBe(200);

    const reuse = await refresh(first.body.refreshToken);
    expect(reuse.status).toBe(401);
    expectCleanError(reuse.body, 'unauthenticated');
    // The newer token of the same family stops working too.
    expect((await refresh(second.body.refreshToken)).status).toBe(401);

    const rows = await auditRows(h, 'auth.refresh_reuse');
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ userId: first.body.user.id, outcome: 'rejected' });
  });

  it('does not touch the other sessions of the same user when one family is revoked', async () => {
    const phone = await login('operator.paint', 'barron-demo-2026');
    const tablet = await login('operator.paint', 'barron-demo-2026');
    await refresh(phone.body.refreshToken);
    await refresh(phone.body.refreshToken); // reuse: the phone's family is revoked
    expect((await refresh(tablet.body.refreshToken)).status).toBe(200);
  });

  it('answers 401 for a token that never existed, and 400 for a body without one', async () => {
    expect((await refresh('x'.repeat(43))).status).toBe(401);
    const r = await h.call('POST', '/api/auth/refresh', { body: {} });
    expect(r.status).toBe(400);
    expectCleanError(r.body, 'validation_failed');
  });

  it('answers 401 for an expired refresh token', async () => {
    const s = await login('admin', 'barron-demo-2026');
    await h.deps.db.updateTable('refreshTokens').set({ expiresAt: new Date(Date.now() - 1000).toISOString() }).execute();
    expect((await refresh(s.body.refreshToken)).status).toBe(401);
  });
});

describe('logout', () => {
  it('answers 204, ends the session so refresh fails afterwards, and is audited', async () => {
    const s = await login('manager', 'barron-demo-2026');
    const out = await h.call('POST', '/api/auth/logout', { body: { refreshToken: s.body.refreshToken } });
    expect(out.status).toBe(204);
    expect((await refresh(s.body.refreshToken)).status).toBe(401);
    const rows = await auditRows(h, 'auth.logout');
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ userId: s.body.user.id, outcome: 'applied' });
  });

  it('answers 204 for an unknown or already revoked token, without an audit row', async () => {
    expect((await h.call('POST', '/api/auth/logout', { body: { refreshToken: 'unknown-token' } })).status).toBe(204);
    expect(await auditRows(h, 'auth.logout')).toHaveLength(0);
  });
});

describe('an access token ends with its session', () => {
  it('answers 401 at once after logout, not up to 15 minutes later', async () => {
    const s = await login('manager', 'barron-demo-2026');
    expect((await me(s.body.accessToken)).status).toBe(200);
    expect((await h.call('POST', '/api/auth/logout', { body: { refreshToken: s.body.refreshToken } })).status).toBe(204);
    const r = await me(s.body.accessToken);
    expect(r.status).toBe(401);
    expectCleanError(r.body, 'unauthenticated');
  });

  it('answers 401 for every access token of a family revoked for refresh reuse, and leaves other sessions alone', async () => {
    const phone = await login('operator.paint', 'barron-demo-2026');
    const tablet = await login('operator.paint', 'barron-demo-2026');
    const rotated = await refresh(phone.body.refreshToken);
    await refresh(phone.body.refreshToken); // reuse: the phone's family is revoked
    expect((await me(phone.body.accessToken)).status).toBe(401);
    expect((await me(rotated.body.accessToken)).status).toBe(401);
    expect((await me(tablet.body.accessToken)).status).toBe(200);
  });

  it('answers 401 after an admin resets the password', async () => {
    const s = await login('operator.press', 'barron-demo-2026');
    const admin = await tokenFor(h, 'admin');
    const reset = await h.call('POST', `/api/admin/users/${s.body.user.id}/reset-password`, { token: admin, body: { password: 'a-new-long-passphrase' } });
    expect(reset.status).toBe(204);
    expect((await me(s.body.accessToken)).status).toBe(401);
  });
});

describe('Cache-Control', () => {
  it('is no-store on every auth answer and every /api answer, errors included', async () => {
    const s = await login('admin', 'barron-demo-2026');
    const answers = [
      s,
      await login('admin', 'wrong-password'),
      await refresh(s.body.refreshToken),
      await me(s.body.accessToken),
      await me('not-a-token'),
      await h.call('GET', '/api/admin/users', { token: s.body.accessToken }),
      await h.call('GET', '/api/no-such-route'),
      await h.call('POST', '/api/auth/logout', { body: { refreshToken: s.body.refreshToken } }),
    ];
    for (const r of answers) expect(r.headers.get('cache-control')).toBe('no-store');
  });
});

describe('a deactivated user', () => {
  it('can neither log in, nor refresh, nor use an access token issued before', async () => {
    const s = await login('operator.press', 'barron-demo-2026');
    const admin = await tokenFor(h, 'admin');
    const deactivate = await h.call('POST', `/api/admin/users/${s.body.user.id}/deactivate`, { token: admin });
    expect(deactivate.status).toBe(200);

    const again = await login('operator.press', 'barron-demo-2026');
    expect(again.status).toBe(401);
    expectCleanError(again.body, 'invalid_credentials');
    expect((await refresh(s.body.refreshToken)).status).toBe(401);
    expect((await me(s.body.accessToken)).status).toBe(401);
  });

  it('cannot refresh even when its refresh tokens were not revoked with it', async () => {
    const s = await login('operator.press', 'barron-demo-2026');
    await h.deps.db.updateTable('users').set({ active: 0 }).where('id', '=', s.body.user.id).execute();
    expect((await refresh(s.body.refreshToken)).status).toBe(401);
  });
});

describe('access token tampering', () => {
  async function claimsOf(username: string) {
    const u = await userByName(h, username);
    return { user: { id: u.id, username: u.username, displayName: u.displayName, role: u.role, departmentId: u.departmentId }, u };
  }
  const now = () => Math.floor(Date.now() / 1000);
  /** The session id of a fresh session of `sub`, as a real login would make it. */
  const sessionOf = async (sub: string) => {
    const u = await h.deps.db.selectFrom('users').selectAll().where('id', '=', sub).executeTakeFirst();
    if (!u) return '0190aaaa-0000-7000-8000-000000000001';
    return decodeJwt(await tokenFor(h, u.username)).sid as string;
  };
  type Claim = 'sub' | 'exp' | 'iat' | 'sid';
  const sign = async (claims: { sub: string; role: string }, o: { secret?: string; iss?: string; aud?: string; exp?: number; iat?: number; sid?: string; omit?: Claim[] } = {}) => {
    const omit = new Set(o.omit ?? []);
    const payload: Record<string, unknown> = {
      role: claims.role, sub: claims.sub, sid: o.sid ?? (await sessionOf(claims.sub)),
      iss: o.iss ?? 'barron-pms', aud: o.aud ?? 'barron-pms', iat: o.iat ?? now(), exp: o.exp ?? now() + 600,
    };
    for (const c of omit) delete payload[c];
    return new SignJWT(payload).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode(o.secret ?? TEST_SECRET));
  };

  it('accepts a correctly signed token (the control for the cases below)', async () => {
    const { u } = await claimsOf('operator.press');
    expect((await me(await sign({ sub: u.id, role: u.role }))).status).toBe(200);
  });

  it('rejects a token signed with another secret', async () => {
    const { u } = await claimsOf('operator.press');
    const r = await me(await sign({ sub: u.id, role: u.role }, { secret: 'another-secret-that-is-long-enough-000000' }));
    expect(r.status).toBe(401);
    expectCleanError(r.body, 'unauthenticated');
  });

  it('rejects a token whose payload was edited after signing (operator claiming admin)', async () => {
    const { u } = await claimsOf('operator.press');
    const admin = await userByName(h, 'admin');
    const [head, , sig] = (await sign({ sub: u.id, role: u.role })).split('.');
    const payload = Buffer.from(JSON.stringify({ sub: admin.id, role: 'admin', iss: 'barron-pms', aud: 'barron-pms', exp: now() + 600 })).toString('base64url');
    const r = await h.call('GET', '/api/admin/users', { token: `${head}.${payload}.${sig}` });
    expect(r.status).toBe(401);
  });

  it('rejects an unsigned token (alg: none)', async () => {
    const admin = await userByName(h, 'admin');
    const unsigned = new UnsecuredJWT({ role: 'admin' }).setSubject(admin.id).setIssuer('barron-pms').setAudience('barron-pms').setIssuedAt().setExpirationTime('10m').encode();
    expect(unsigned.endsWith('.')).toBe(true);
    // Both the bare form and one with a dummy signature part.
    for (const token of [unsigned, `${unsigned}x`]) {
      const r = await h.call('GET', '/api/admin/users', { token });
      expect(r.status).toBe(401);
    }
  });

  it('answers 401 token_expired for an expired token', async () => {
    const { user, u } = await claimsOf('admin');
    const token = await issueAccessToken(TEST_SECRET, user, await sessionOf(u.id), now() - 3600);
    const r = await me(token);
    expect(r.status).toBe(401);
    expectCleanError(r.body, 'token_expired');
  });

  it('a token accepted once (and remembered as verified) still expires at its exp and at 15 minutes of age, and is refused when the clock steps back', async () => {
    const { u } = await claimsOf('admin');
    const shortLived = await sign({ sub: u.id, role: u.role }, { exp: now() + 60 });
    const claimsLonger = await sign({ sub: u.id, role: u.role }, { exp: now() + 86_400 });
    expect((await me(shortLived)).status).toBe(200);
    expect((await me(claimsLonger)).status).toBe(200);
    // The server's clock stepped back 10 minutes: the remembered token is now issued in the future, as jose would say.
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() - 10 * 60_000 });
    try {
      expect((await me(claimsLonger)).status).toBe(401);
    } finally {
      vi.useRealTimers();
    }
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 2 * 60_000 });
    try {
      const r = await me(shortLived);
      expect(r.status).toBe(401);
      expectCleanError(r.body, 'token_expired');
      expect((await me(claimsLonger)).status).toBe(200);
      vi.setSystemTime(Date.now() + 14 * 60_000);
      const old = await me(claimsLonger);
      expect(old.status).toBe(401);
      expectCleanError(old.body, 'token_expired');
    } finally {
      vi.useRealTimers();
    }
  });

  it('rejects a token from another issuer or for another audience', async () => {
    const { u } = await claimsOf('admin');
    for (const o of [{ iss: 'someone-else' }, { aud: 'another-app' }]) {
      const r = await me(await sign({ sub: u.id, role: u.role }, o));
      expect(r.status).toBe(401);
      expectCleanError(r.body, 'unauthenticated');
    }
  });

  it('rejects a token signed with the real secret that lacks exp, iat, sub or the session id', async () => {
    const { u } = await claimsOf('admin');
    for (const claim of <Claim[]>['exp', 'iat', 'sub', 'sid']) {
      const r = await me(await sign({ sub: u.id, role: u.role }, { omit: [claim] }));
      expect(r.status, claim).toBe(401);
      expectCleanError(r.body);
    }
  });

  it('rejects a token that claims to live longer than 15 minutes once it is 15 minutes old, and one issued in the future', async () => {
    const { u } = await claimsOf('admin');
    const old = await me(await sign({ sub: u.id, role: u.role }, { iat: now() - 16 * 60, exp: now() + 86_400 }));
    expect(old.status).toBe(401);
    const future = await me(await sign({ sub: u.id, role: u.role }, { iat: now() + 3600, exp: now() + 4000 }));
    expect(future.status).toBe(401);
  });

  it('rejects a token whose session id belongs to another user', async () => {
    const { u } = await claimsOf('operator.press');
    const admin = await userByName(h, 'admin');
    const r = await me(await sign({ sub: admin.id, role: 'admin' }, { sid: await sessionOf(u.id) }));
    expect(r.status).toBe(401);
  });

  it('rejects a valid signature for a user that no longer exists', async () => {
    const r = await me(await sign({ sub: '0190aaaa-0000-7000-8000-000000000000', role: 'admin' }));
    expect(r.status).toBe(401);
  });

  it('takes the role from the database, not from the token', async () => {
    const { u } = await claimsOf('operator.press');
    const r = await h.call('GET', '/api/admin/users', { token: await sign({ sub: u.id, role: 'admin' }) });
    expect(r.status).toBe(403);
  });
});
