import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDb } from '../../tests/setup/harness';
import { migrateDownAll, migrateDownOne, migrateUp, migrationProvider } from './migrate';

const KYSELY = ['kysely_migration', 'kysely_migration_lock'];
/** The tables the foundation issue promises; later migrations add more (login_throttle replaced login_failures). */
const FOUNDATION = [
  'departments', 'users', 'machines', 'products', 'defect_codes', 'sops', 'suppliers', 'config', 'audit_log',
  'refresh_tokens', 'login_throttle', 'counters', 'sync_clients', 'sync_mutations', 'change_log',
];

let t: TestDb | undefined;
afterEach(async () => {
  await t?.drop();
  t = undefined;
});

const tables = async (db: TestDb) => (await db.database.raw.introspection.getTables()).map((x) => x.name).filter((n) => !KYSELY.includes(n)).sort();

describe(`migrations on ${process.env.TEST_DIALECT ?? 'sqlite'}`, () => {
  it('go up, down all the way leaving no table behind, and up again to the same schema', async () => {
    t = await createTestDatabase(); // migrated up
    const up = await tables(t);
    expect(up).toEqual(expect.arrayContaining(FOUNDATION));
    const columns = async () => (await t!.database.raw.introspection.getTables()).map((x) => `${x.name}(${x.columns.map((c) => `${c.name} ${c.dataType} ${c.isNullable}`).join(', ')})`).sort();
    const schema = await columns();

    await migrateDownAll(t.database.raw);
    expect(await tables(t)).toEqual([]);

    await migrateUp(t.database.raw);
    expect(await tables(t)).toEqual(up);
    expect(await columns()).toEqual(schema);
    // The counters a fresh database starts with are there again.
    const counters = await t.database.raw.selectFrom('counters').select('name').orderBy('name').execute();
    expect(counters.map((c) => c.name)).toEqual(expect.arrayContaining(['horizon', 'sync']));
  });

  it('step down one migration at a time, each undoing exactly what it made', async () => {
    t = await createTestDatabase();
    const names = Object.keys(await migrationProvider.getMigrations());
    expect(names.length).toBeGreaterThan(0);
    for (let left = names.length; left > 0; left--) {
      const { results } = await migrateDownOne(t.database.raw);
      expect(results?.map((r) => [r.migrationName, r.status])).toEqual([[names[left - 1], 'Success']]);
    }
    expect(await tables(t)).toEqual([]);
    expect((await migrateDownOne(t.database.raw)).results).toEqual([]);
  });

  it('run from the command line: npm run migrate and npm run migrate:down', async () => {
    t = await createTestDatabase();
    await migrateDownAll(t.database.raw);
    const cli = (...args: string[]) =>
      promisify(execFile)(resolve('node_modules/.bin/tsx'), ['server/db/migrate-cli.ts', ...args], {
        env: { ...process.env, DATABASE_URL: t!.url, JWT_SECRET: '', NODE_ENV: 'production' },
      });
    const up = await cli('up');
    expect(up.stdout).toMatch(/Up .*foundation: Success/);
    expect((await cli('up')).stdout).toContain('Already up to date.');
    expect(await tables(t)).toEqual(expect.arrayContaining(FOUNDATION));
    const down = await cli('down', '--all');
    expect(down.stdout).toMatch(/Down .*foundation: Success/);
    expect(await tables(t)).toEqual([]);
  });
});
