import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestDatabase, TEST_SECRET, type TestDb } from '../../tests/setup/harness';

let t: TestDb | undefined;
afterEach(async () => {
  await t?.drop();
  t = undefined;
});

/** Runs `npm run create-admin -- <args>` with `password` typed on standard input. */
function createAdmin(args: string[], password: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn(resolve('node_modules/.bin/tsx'), ['server/db/create-admin-cli.ts', ...args], {
      env: { ...process.env, DATABASE_URL: t!.url, JWT_SECRET: TEST_SECRET, NODE_ENV: 'production' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
    child.stdin.end(`${password}\n`);
  });
}

const admins = async () => (await t!.database.db.selectFrom('users').select(['username', 'role']).execute()).map((u) => `${u.username}:${u.role}`);

describe('npm run create-admin', () => {
  it('refuses a weak password with the reason and creates nobody, then creates the admin with a good one', async () => {
    t = await createTestDatabase();
    for (const [password, reason] of [['password123', /too common/], ['plant.admin-2026', /username/]] as const) {
      const r = await createAdmin(['plant.admin', 'Plant Admin'], password);
      expect(r.code, password).toBe(2);
      expect(r.stderr).toMatch(reason);
    }
    expect(await admins()).toEqual([]);

    const ok = await createAdmin(['plant.admin', 'Plant Admin'], 'gearbox-lantern-meadow');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('Admin "plant.admin" created.');
    expect(await admins()).toEqual(['plant.admin:admin']);
  });
});
