// Backups of the embedded SQLite database (docs/operations.md "Backups"): an online copy with
// SQLite's backup API while the server keeps writing, kept under data/backups/ with a retention
// count, and a restore that refuses while a server has the database open.
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import SQLite from 'better-sqlite3';

export const BACKUP_PREFIX = 'barron-';

/** `sqlite:data/barron.sqlite` → the file's absolute path; null for a MySQL URL. */
export function sqliteFile(url: string): string | null {
  if (url.startsWith('mysql://')) return null;
  const file = url.replace(/^sqlite:/, '');
  return file === ':memory:' ? null : resolve(file);
}

/** The file a running server writes beside its database (its pid), so a restore can refuse. */
export const pidFile = (dbFile: string) => `${dbFile}.server-pid`;

export function markServerRunning(dbFile: string) {
  writeFileSync(pidFile(dbFile), String(process.pid));
}

export function markServerStopped(dbFile: string) {
  const f = pidFile(dbFile);
  if (existsSync(f) && readFileSync(f, 'utf8').trim() === String(process.pid)) unlinkSync(f);
}

/** The pid of a live server process using `dbFile`, or null (no pid file, or its process is gone). */
export function runningServer(dbFile: string): number | null {
  const f = pidFile(dbFile);
  if (!existsSync(f)) return null;
  const pid = Number(readFileSync(f, 'utf8').trim());
  if (!Number.isInteger(pid) || pid <= 0) return null;
  try {
    process.kill(pid, 0);
    return pid;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM' ? pid : null;
  }
}

const stamp = (d: Date) => d.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');

export interface BackupResult { file: string; bytes: number; pruned: string[] }

/**
 * Copies the live database into `dir` as `barron-<UTC time>.sqlite` with SQLite's online backup,
 * checks the copy, then deletes the oldest backups beyond `keep`. Writers are never blocked for
 * long: the copy runs in steps, and a step that sees another connection's write starts over.
 */
export async function backupSqlite(dbFile: string, dir: string, keep: number, now = new Date()): Promise<BackupResult> {
  if (!existsSync(dbFile)) throw new Error(`There is no database at ${dbFile}.`);
  mkdirSync(dir, { recursive: true });
  let target = join(dir, `${BACKUP_PREFIX}${stamp(now)}.sqlite`);
  for (let n = 1; existsSync(target); n++) target = join(dir, `${BACKUP_PREFIX}${stamp(now)}-${n}.sqlite`);
  const partial = `${target}.partial`;
  const source = new SQLite(dbFile, { readonly: true, fileMustExist: true });
  try {
    source.pragma('busy_timeout = 5000');
    // Big steps: a step that copies every page holds one read snapshot, so busy writers cannot
    // make it start over forever.
    await source.backup(partial, { progress: () => 1_000_000 });
  } finally {
    source.close();
  }
  const check = new SQLite(partial, { readonly: true });
  try {
    const result = check.pragma('integrity_check', { simple: true });
    if (result !== 'ok') throw new Error(`The backup failed its integrity check: ${String(result)}`);
  } finally {
    check.close();
  }
  copyFileSync(partial, target);
  unlinkSync(partial);
  return { file: target, bytes: statSync(target).size, pruned: pruneBackups(dir, keep) };
}

/** Deletes the oldest `barron-*.sqlite` files in `dir` beyond the newest `keep`. */
export function pruneBackups(dir: string, keep: number): string[] {
  const files = listBackups(dir);
  const gone = files.slice(0, Math.max(0, files.length - keep));
  for (const f of gone) rmSync(f);
  return gone;
}

/** Backups in `dir`, oldest first (their names sort by time). */
export function listBackups(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((f) => f.startsWith(BACKUP_PREFIX) && f.endsWith('.sqlite')).sort().map((f) => join(dir, f));
}

/**
 * Replaces the database at `dbFile` with the backup `from`, after checking the backup and keeping
 * the current file beside it (`<db>.before-restore-<time>`). Refuses while a server uses the file.
 */
export async function restoreSqlite(from: string, dbFile: string, now = new Date()): Promise<{ kept: string | null }> {
  const pid = runningServer(dbFile);
  if (pid !== null) throw new Error(`A server (pid ${pid}) is running on ${dbFile}. Stop it first, then restore.`);
  if (!existsSync(from)) throw new Error(`There is no backup at ${from}.`);
  const backup = new SQLite(from, { readonly: true, fileMustExist: true });
  try {
    const result = backup.pragma('integrity_check', { simple: true });
    if (result !== 'ok') throw new Error(`${basename(from)} fails its integrity check (${String(result)}); nothing was changed.`);
    const hasMigrations = backup.prepare("select count(*) as n from sqlite_master where type = 'table' and name = 'kysely_migration'").get() as { n: number };
    if (!hasMigrations.n) throw new Error(`${basename(from)} is not a Barron PMS database; nothing was changed.`);
  } finally {
    backup.close();
  }
  let kept: string | null = null;
  if (existsSync(dbFile)) {
    // Fold the write-ahead log into the file first, so the kept copy is whole.
    const current = new SQLite(dbFile);
    current.pragma('wal_checkpoint(TRUNCATE)');
    current.close();
    kept = `${dbFile}.before-restore-${stamp(now)}`;
    copyFileSync(dbFile, kept);
  }
  for (const suffix of ['-wal', '-shm']) if (existsSync(dbFile + suffix)) rmSync(dbFile + suffix);
  mkdirSync(dirname(dbFile), { recursive: true });
  const tmp = `${dbFile}.restoring`;
  copyFileSync(from, tmp);
  copyFileSync(tmp, dbFile);
  unlinkSync(tmp);
  return { kept };
}
