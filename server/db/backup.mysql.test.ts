// `npm run backup` on MariaDB: the mysqldump wrapper writes a gzipped, consistent dump that loads
// into an empty database with every row of every table (MariaDB suite only).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDb } from '../../tests/setup/harness';
import { seedDemo } from '../seed';

const ROOT = resolve(import.meta.dirname, '../..');
let source: TestDb;
let target: TestDb;
let dir: string;

beforeAll(async () => {
  source = await createTestDatabase();
  target = await createTestDatabase();
  dir = mkdtempSync(join(tmpdir(), 'barron-mysqldump-'));
  await seedDemo(source.database.db);
});
afterAll(async () => {
  await source?.drop();
  await target?.drop();
  rmSync(dir, { recursive: true, force: true });
});

async function counts(db: TestDb) {
  const tables = (await db.database.raw.introspection.getTables()).map((t) => t.name).sort();
  const out: Record<string, number> = {};
  for (const t of tables) out[t] = Number((await db.database.raw.selectFrom(t).select((e) => e.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
  return out;
}

describe('npm run backup on MariaDB', () => {
  it('dumps every table with mysqldump --single-transaction, and the dump restores to the same rows', async () => {
    execFileSync('npx', ['tsx', 'server/db/backup-cli.ts'], { cwd: ROOT, env: { ...process.env, DATABASE_URL: source.url, BACKUP_DIR: dir }, stdio: 'pipe' });
    const [dump] = readdirSync(dir).filter((f) => f.endsWith('.sql.gz'));
    expect(dump).toMatch(/^barron-\d{8}T\d{6}Z\.sql\.gz$/);
    const u = new URL(target.url);
    // What docs/operations.md tells an operator to run: gunzip -c <file> | mysql <database>.
    execFileSync('sh', ['-c', `gunzip -c "${join(dir, dump)}" | mysql -h ${u.hostname} -P ${u.port || '3306'} -u ${u.username} ${u.pathname.slice(1)}`], {
      env: { ...process.env, MYSQL_PWD: decodeURIComponent(u.password) }, stdio: 'pipe',
    });
    const before = await counts(source);
    expect(before.users).toBeGreaterThan(0);
    expect(await counts(target)).toEqual(before);
  });
});
