import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { useHarness } from '../../tests/setup/harness';
import { auditRows, expectCleanError, tokenFor, userByName } from '../../tests/setup/helpers';
import { DEMO_PASSWORD } from '../seed';
import { reserveLogin, settleLogin } from './throttle';

const h = useHarness();
beforeEach(() => {
  h.deps.env.TRUST_PROXY = true; // each test names the address a login comes from
});
afterEach(() => {
  h.deps.env.TRUST_PROXY = undefined;
});

const login = (username: string, password: string, ip = '10.0.0.1') =>
  h.call('POST', '/api/auth/login', { body: { username, password }, headers: { 'x-forwarded-for': ip } });
const wrong = (username: string, ip?: string) => login(username, 'not-the-password', ip);

/** Failed logins without bcrypt, through the same reservation a request makes. */
async function failures(n: number, username: (i: number) => string, ip: (i: number) => string) {
  for (let i = 0; i < n; i++) {
    const r = await reserveLogin(h.deps, username(i), ip(i), new Date());
    if (!r.ok) throw new Error(`attempt ${i} was refused`);
    await settleLogin(h.deps, r.reservation, false, new Date());
  }
}

/** Moves every throttle time `minutes` into the past, as if that long had gone by. */
async function wait(minutes: number) {
  const back = (t: string | null) => t && new Date(Date.parse(t) - minutes * 60_000).toISOString();
  for (const r of await h.deps.db.selectFrom('loginThrottle').selectAll().execute()) {
    await h.deps.db.updateTable('loginThrottle').set({ lastAt: back(r.lastAt)!, blockedUntil: back(r.blockedUntil), succeededAt: back(r.succeededAt) }).where('bucket', '=', r.bucket).execute();
  }
}

function expectThrottled(r: { status: number; body: any; headers: Headers }, minutes: number) {
  expect(r.status).toBe(429);
  expectCleanError(r.body, 'too_many_attempts');
  const seconds = Number(r.headers.get('retry-after'));
  expect(seconds).toBeGreaterThan((minutes - 1) * 60);
  expect(seconds).toBeLessThanOrEqual(minutes * 60);
  expect(r.body.error.message).toContain(`Try again in ${minutes} minutes`);
}

describe('failed logins of one username from one address', () => {
  it('after 5 within 15 minutes answer 429 too_many_attempts with Retry-After, even for the right password from there', async () => {
    for (let i = 0; i < 5; i++) expect((await wrong('manager')).status).toBe(401);
    expectThrottled(await login('manager', DEMO_PASSWORD), 15);
    const [row] = (await auditRows(h, 'auth.login')).slice(-1);
    expect(row).toMatchObject({ outcome: 'rejected', code: 'too_many_attempts', ip: '10.0.0.1' });
  });

  it('do not keep the right password out from another address, nor other usernames from the same one', async () => {
    for (let i = 0; i < 5; i++) await wrong('manager', '203.0.113.9');
    expect((await login('manager', DEMO_PASSWORD, '203.0.113.9')).status).toBe(429);
    expect((await login('manager', DEMO_PASSWORD, '10.0.0.2')).status).toBe(200);
    expect((await login('admin', DEMO_PASSWORD, '203.0.113.9')).status).toBe(200);
  });

  it('hold under concurrency: of 40 wrong passwords sent at once at most 5 are checked, the rest answer 429', async () => {
    const answers = await Promise.all(Array.from({ length: 40 }, () => wrong('manager')));
    const statuses = answers.map((r) => r.status);
    expect(statuses.filter((s) => s === 401)).toHaveLength(5);
    expect(statuses.filter((s) => s === 429)).toHaveLength(35);
    const checked = (await auditRows(h, 'auth.login')).filter((r) => r.code === 'invalid_credentials');
    expect(checked).toHaveLength(5);
    // The right password from another address still gets in.
    expect((await login('manager', DEMO_PASSWORD, '10.0.0.2')).status).toBe(200);
  });

  it('wait longer each time: one more try after 15 minutes, then 30 minutes', async () => {
    for (let i = 0; i < 5; i++) await wrong('manager');
    await wait(15);
    expect((await wrong('manager')).status).toBe(401);
    expectThrottled(await login('manager', DEMO_PASSWORD), 30);
    await wait(30);
    expect((await login('manager', DEMO_PASSWORD)).status).toBe(200);
    // A success ends the streak: five tries again.
    for (let i = 0; i < 5; i++) expect((await wrong('manager')).status).toBe(401);
  });

  it('are forgotten after 15 quiet minutes once no wait is running', async () => {
    for (let i = 0; i < 4; i++) await wrong('manager');
    await wait(16);
    for (let i = 0; i < 5; i++) expect((await wrong('manager')).status).toBe(401);
    expect((await wrong('manager')).status).toBe(429);
  });

  it('count one username however its letters are cased', async () => {
    for (const name of ['manager', 'Manager', 'MANAGER', 'manageR', 'MaNaGeR']) await wrong(name);
    expect((await login('manager', DEMO_PASSWORD)).status).toBe(429);
  });

  it('end when an admin resets the password', async () => {
    for (let i = 0; i < 5; i++) await wrong('operator.press');
    const op = await userByName(h, 'operator.press');
    const reset = await h.call('POST', `/api/admin/users/${op.id}/reset-password`, { token: await tokenFor(h, 'admin'), body: { password: 'a-new-long-passphrase' } });
    expect(reset.status).toBe(204);
    expect((await login('operator.press', 'a-new-long-passphrase')).status).toBe(200);
  });
});

describe('failed logins from one address, of any username', () => {
  it('after 50 make that address wait, except for a username that has logged in from it before and not failed since', async () => {
    expect((await login('admin', DEMO_PASSWORD, '10.9.9.9')).status).toBe(200);
    await failures(50, (i) => `nobody-${i % 10}`, () => '10.9.9.9');
    const r = await login('manager', DEMO_PASSWORD, '10.9.9.9');
    expect(r.status).toBe(429);
    expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await login('admin', DEMO_PASSWORD, '10.9.9.9')).status).toBe(200);
    // Other addresses are not affected.
    expect((await login('manager', DEMO_PASSWORD, '10.9.9.10')).status).toBe(200);
  });

  it('hold under concurrency: of 120 attempts reserved at once from one address at most 50 get through', async () => {
    const results = await Promise.all(Array.from({ length: 120 }, (_, i) => reserveLogin(h.deps, `nobody-${i % 30}`, '10.9.9.9', new Date())));
    expect(results.filter((r) => r.ok)).toHaveLength(50);
  });
});

describe('failed logins of one username from many addresses', () => {
  it('past 25 let each address that failed wait, while the right password from an address that has not failed gets in', async () => {
    await failures(25, () => 'manager', (i) => `198.51.100.${i}`);
    expect((await login('manager', DEMO_PASSWORD, '198.51.100.3')).status).toBe(429);
    expect((await login('manager', DEMO_PASSWORD, '192.0.2.1')).status).toBe(200);
  });
});
