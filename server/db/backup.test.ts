// Backups under writes: every row committed before the backup began is in it, the copy is a
// consistent prefix of what was written, a restore brings it back, and a restore refuses while a
// server runs on the database.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { backupSqlite, listBackups, markServerRunning, pidFile, restoreSqlite, runningServer } from './backup';
import { openDatabase } from './db';
import { migrateUp } from './migrate';

const dirs: string[] = [];
const temp = () => {
  const d = mkdtempSync(join(tmpdir(), 'barron-backup-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function migratedFile(dir: string) {
  const file = join(dir, 'barron.sqlite');
  const handle = openDatabase(`sqlite:${file}`);
  await migrateUp(handle.raw);
  await handle.close();
  const db = new SQLite(file);
  db.pragma('journal_mode = WAL');
  db.exec('create table writes (n integer primary key, payload text not null)');
  return { file, db };
}

const count = (file: string) => {
  const db = new SQLite(file, { readonly: true });
  try {
    const r = db.prepare('select count(*) as c, coalesce(max(n), 0) as m from writes').get() as { c: number; m: number };
    return r;
  } finally {
    db.close();
  }
};

describe('npm run backup (SQLite)', () => {
  it('copies a database that is being written to: every row committed before it began, as a consistent prefix', async () => {
    const dir = temp();
    const { file, db } = await migratedFile(dir);
    const insert = db.prepare('insert into writes (n, payload) values (?, ?)');
    let n = 0;
    const write = (k: number) => db.transaction(() => { for (let i = 0; i < k; i++) insert.run(++n, 'x'.repeat(200)); })();
    write(5_000); // ~1.5 MB: several backup steps' worth of pages
    const committedBefore = n;
    // A second connection keeps committing while the backup copies.
    let writing = true;
    const writer = (async () => { while (writing) { write(50); await new Promise((r) => setImmediate(r)); } })();
    const result = await backupSqlite(file, join(dir, 'backups'), 3);
    writing = false;
    await writer;
    db.close();

    const copied = count(result.file);
    expect(copied.c).toBeGreaterThanOrEqual(committedBefore);
    expect(copied.m).toBe(copied.c); // no holes: a snapshot at one moment, not a mix of moments
    expect(n).toBeGreaterThan(committedBefore); // the writes really ran during the backup

    // Restored in place of a database that moved on, it holds exactly what the backup held.
    await restoreSqlite(result.file, file);
    expect(count(file)).toEqual(copied);
    const restored = openDatabase(`sqlite:${file}`);
    try {
      const admin = await restored.db.selectFrom('counters').selectAll().execute();
      expect(admin.length).toBeGreaterThan(0); // the app's own tables came back too
    } finally {
      await restored.close();
    }
  });

  it('keeps only the newest BACKUP_KEEP backups', async () => {
    const dir = temp();
    const { file, db } = await migratedFile(dir);
    db.close();
    const out = join(dir, 'backups');
    for (let i = 0; i < 4; i++) await backupSqlite(file, out, 2, new Date(Date.UTC(2026, 11, 1, 6, i)));
    const left = listBackups(out).map((f) => f.slice(-23));
    expect(left).toEqual(['20261201T060200Z.sqlite', '20261201T060300Z.sqlite']);
  });
});

describe('npm run restore (SQLite)', () => {
  it('refuses while a server runs on the database, and changes nothing', async () => {
    const dir = temp();
    const { file, db } = await migratedFile(dir);
    db.prepare('insert into writes (n, payload) values (1, ?)').run('kept');
    db.close();
    const { file: backup } = await backupSqlite(file, join(dir, 'backups'), 3);
    const now = new SQLite(file);
    now.prepare('insert into writes (n, payload) values (2, ?)').run('newer');
    now.close();
    markServerRunning(file); // this test process stands in for the running server
    expect(runningServer(file)).toBe(process.pid);
    await expect(restoreSqlite(backup, file)).rejects.toThrow(/server \(pid \d+\) is running/);
    expect(count(file).c).toBe(2);
    rmSync(pidFile(file));
    await restoreSqlite(backup, file);
    expect(count(file).c).toBe(1);
  });

  it('ignores the pid file of a server that is gone, and refuses a file that is not a backup', async () => {
    const dir = temp();
    const { file, db } = await migratedFile(dir);
    db.close();
    writeFileSync(pidFile(file), '999999999');
    expect(runningServer(file)).toBeNull();
    const junk = join(dir, 'junk.sqlite');
    writeFileSync(junk, 'not a database at all, just text');
    await expect(restoreSqlite(junk, file)).rejects.toThrow(/nothing was changed|not a database|file is not a database/);
    expect(existsSync(file)).toBe(true);
    expect(count(file).c).toBe(0);
  });
});
