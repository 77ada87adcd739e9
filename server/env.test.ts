import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, TEST_SECRET, type TestDb } from '../tests/setup/harness';
import { expectCleanError } from '../tests/setup/helpers';
import { createApp } from './app';
import { issueAccessToken } from './auth/tokens';
import { makeCertificate, type TestCertificate } from '../tests/setup/tls';
import { EnvError, loadDatabaseEnv, loadEnv } from './env';

const dirs: string[] = [];
const dataDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'barron-env-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** The fields an EnvError names, or [] when `load` succeeds. */
function badFields(load: () => unknown): string[] {
  try {
    load();
    return [];
  } catch (err) {
    if (err instanceof EnvError) return err.fields.map((f) => f.split(':')[0]);
    throw err;
  }
}

const SECRET = 'a-production-secret-of-enough-length-1234';

describe('configuration', () => {
  it('has working defaults for a demo: port 3000 and SQLite under data/', () => {
    const env = loadEnv({}, dataDir());
    expect(env).toMatchObject({ NODE_ENV: 'development', PORT: 3000, DATABASE_URL: 'sqlite:data/barron.sqlite', CHANGE_LOG_RETENTION_DAYS: 60 });
  });

  it.each([['abc'], ['-1'], ['70000'], ['80.5']])('refuses PORT=%s, naming PORT', (port) => {
    expect(badFields(() => loadEnv({ PORT: port, JWT_SECRET: SECRET }))).toEqual(['PORT']);
  });

  it.each([['postgres://db/app'], ['barron.sqlite'], ['mysql://'], ['mysql://host-without-database'], ['mysql://u:p@host/db/extra']])(
    'refuses DATABASE_URL=%s, naming DATABASE_URL',
    (url) => {
      expect(badFields(() => loadEnv({ DATABASE_URL: url, JWT_SECRET: SECRET }))).toEqual(['DATABASE_URL']);
      expect(badFields(() => loadDatabaseEnv({ DATABASE_URL: url }))).toEqual(['DATABASE_URL']);
    },
  );

  it('accepts the database URLs the README shows', () => {
    for (const url of ['sqlite:data/barron.sqlite', 'sqlite::memory:', 'mysql://barron:secret@db.example:3306/barron']) {
      expect(loadEnv({ DATABASE_URL: url, JWT_SECRET: SECRET }).DATABASE_URL).toBe(url);
    }
  });

  it('names every bad field at once', () => {
    expect(badFields(() => loadEnv({ PORT: 'x', LOG_LEVEL: 'loud', SEED_DEMO: 'yes', JWT_SECRET: SECRET })).sort()).toEqual(['LOG_LEVEL', 'PORT', 'SEED_DEMO']);
  });

  it('refuses to start in production without a JWT_SECRET, or with one shorter than 32 characters', () => {
    const dir = dataDir();
    expect(badFields(() => loadEnv({ NODE_ENV: 'production' }, dir))).toEqual(['JWT_SECRET']);
    expect(badFields(() => loadEnv({ NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(31) }, dir))).toEqual(['JWT_SECRET']);
    expect(loadEnv({ NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(32) }, dir).JWT_SECRET).toBe('x'.repeat(32));
    // Production never falls back to a generated secret, even one left in the data folder by a demo.
    loadEnv({}, dir);
    expect(badFields(() => loadEnv({ NODE_ENV: 'production' }, dir))).toEqual(['JWT_SECRET']);
  });

  it('in demo mode generates a secret once, keeps it in the data folder, and uses it again at the next start', () => {
    const dir = dataDir();
    const first = loadEnv({}, dir).JWT_SECRET;
    expect(first.length).toBeGreaterThanOrEqual(32);
    const file = join(dir, 'jwt-secret');
    expect(readFileSync(file, 'utf8')).toBe(first);
    expect(statSync(file).mode & 0o077).toBe(0); // readable by the owner only
    expect(loadEnv({}, dir).JWT_SECRET).toBe(first);
    expect(loadEnv({}, dataDir()).JWT_SECRET).not.toBe(first);
  });

  it('replaces a kept secret that is too short to be one (an empty or truncated file)', () => {
    const dir = dataDir();
    writeFileSync(join(dir, 'jwt-secret'), '\n');
    const secret = loadEnv({}, dir).JWT_SECRET;
    expect(secret.length).toBeGreaterThanOrEqual(32);
    expect(loadEnv({}, dir).JWT_SECRET).toBe(secret);
  });

  it('lets the database URL alone be checked, for a migration job that holds no JWT secret', () => {
    expect(loadDatabaseEnv({ NODE_ENV: 'production', DATABASE_URL: 'sqlite:x.sqlite' })).toEqual({ DATABASE_URL: 'sqlite:x.sqlite' });
  });
});

describe('HTTPS configuration', () => {
  let pki: TestCertificate;
  let other: TestCertificate;
  const pkiDir = mkdtempSync(join(tmpdir(), 'barron-pki-')); // kept for the whole describe, unlike dataDir()
  beforeAll(() => {
    mkdirSync(join(pkiDir, 'other'));
    pki = makeCertificate(pkiDir);
    other = makeCertificate(join(pkiDir, 'other'));
  });
  afterAll(() => rmSync(pkiDir, { recursive: true, force: true }));
  const base = { JWT_SECRET: SECRET };
  /** The messages of the EnvError `load` throws. */
  const messages = (load: () => unknown) => {
    try {
      load();
    } catch (err) {
      if (err instanceof EnvError) return err.fields;
      throw err;
    }
    throw new Error('expected an EnvError');
  };

  it('reads the certificate and key when both are set, and keeps plain HTTP when neither is', () => {
    const env = loadEnv({ ...base, TLS_CERT: pki.cert, TLS_KEY: pki.key, HTTP_REDIRECT_PORT: '80', PORT: '443' }, dataDir());
    expect(env.tls?.cert).toContain('-----BEGIN CERTIFICATE-----');
    expect(env.tls?.key).toContain('PRIVATE KEY-----');
    expect(env.HTTP_REDIRECT_PORT).toBe(80);
    expect(loadEnv(base, dataDir()).tls).toBeNull();
  });

  it('refuses one of TLS_CERT and TLS_KEY without the other, naming the missing one', () => {
    expect(messages(() => loadEnv({ ...base, TLS_CERT: pki.cert }))).toEqual(['TLS_KEY: required when TLS_CERT is set (both are paths to PEM files)']);
    expect(messages(() => loadEnv({ ...base, TLS_KEY: pki.key }))).toEqual(['TLS_CERT: required when TLS_KEY is set (both are paths to PEM files)']);
  });

  it('refuses a file it cannot read, a file that is not PEM, and a key of another certificate, naming the file', () => {
    const missing = join(dataDir(), 'nope.pem');
    expect(messages(() => loadEnv({ ...base, TLS_CERT: missing, TLS_KEY: pki.key }))).toEqual([`TLS_CERT: cannot read ${missing} (ENOENT)`]);
    const text = join(dataDir(), 'cert.txt');
    writeFileSync(text, 'not a certificate');
    expect(messages(() => loadEnv({ ...base, TLS_CERT: text, TLS_KEY: pki.cert }))).toEqual([
      `TLS_CERT: ${text} holds no PEM certificate (-----BEGIN …-----)`,
      `TLS_KEY: ${pki.cert} holds no PEM private key (-----BEGIN …-----)`,
    ]);
    const [mismatch] = messages(() => loadEnv({ ...base, TLS_CERT: pki.cert, TLS_KEY: other.key }));
    expect(mismatch).toMatch(new RegExp(`^TLS_KEY: ${other.key} does not belong to the certificate in ${pki.cert}`));
  });

  it('refuses HTTP_REDIRECT_PORT without HTTPS, or on the HTTPS port itself', () => {
    expect(messages(() => loadEnv({ ...base, HTTP_REDIRECT_PORT: '80' }))).toEqual(['HTTP_REDIRECT_PORT: only with TLS_CERT and TLS_KEY (it redirects plain HTTP to the HTTPS port)']);
    expect(messages(() => loadEnv({ ...base, TLS_CERT: pki.cert, TLS_KEY: pki.key, HTTP_REDIRECT_PORT: '3000' }))).toEqual(['HTTP_REDIRECT_PORT: must differ from PORT (3000), which serves HTTPS']);
  });
});

describe('GET /health', () => {
  let t: TestDb | undefined;
  afterEach(async () => {
    await t?.drop();
    t = undefined;
  });

  it('answers 200 while the database answers, and 503 once it is closed; an API call then fails with a bare 500', async () => {
    t = await createTestDatabase();
    const logged: unknown[] = [];
    const env = loadEnv({ NODE_ENV: 'test', JWT_SECRET: TEST_SECRET, DATABASE_URL: t.url });
    const app = createApp({ db: t.database.db, dialect: t.database.dialect, env, log: (_msg, err) => logged.push(err) });

    const up = await app.request('/health');
    expect(up.status).toBe(200);
    expect(await up.json()).toEqual({ status: 'ok', db: 'up' });

    await t.database.close();
    const down = await app.request('/health');
    expect(down.status).toBe(503);
    expect(await down.json()).toEqual({ status: 'unavailable', db: 'down' });

    const token = await issueAccessToken(TEST_SECRET, { id: '0190aaaa-0000-7000-8000-000000000000', username: 'x', displayName: 'X', role: 'admin', departmentId: null }, '0190aaaa-0000-7000-8000-000000000001');
    const me = await app.request('/api/me', { headers: { authorization: `Bearer ${token}` } });
    expect(me.status).toBe(500);
    expectCleanError(await me.json(), 'internal');
    expect(logged).toHaveLength(1); // the cause goes to the log, not to the caller

    t.database.close = async () => {}; // already closed; drop() still removes the database
  });
});
