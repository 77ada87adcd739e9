// `npm run backup`: an online backup of the database into data/backups/ (BACKUP_DIR), keeping the
// newest BACKUP_KEEP (default 14). SQLite: the backup API, safe while the server runs. MySQL/MariaDB:
// mysqldump --single-transaction (a consistent snapshot without locking InnoDB tables), gzipped.
import { spawn } from 'node:child_process';
import { createWriteStream, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { loadDatabaseEnv, loadOrExit } from '../env';
import { backupSqlite, BACKUP_PREFIX, sqliteFile } from './backup';

const { DATABASE_URL } = loadOrExit(() => loadDatabaseEnv());
const keep = Number(process.env.BACKUP_KEEP ?? 14);
if (!Number.isInteger(keep) || keep < 1) {
  console.error('BACKUP_KEEP must be a whole number of at least 1.');
  process.exit(2);
}
const file = sqliteFile(DATABASE_URL);
const dir = resolve(process.env.BACKUP_DIR ?? (file ? join(dirname(file), 'backups') : 'data/backups'));

try {
  if (file) {
    const r = await backupSqlite(file, dir, keep);
    console.log(`Backed up ${file} to ${r.file} (${(r.bytes / 1024).toFixed(0)} KiB, integrity ok).`);
    for (const p of r.pruned) console.log(`Removed the old backup ${p} (BACKUP_KEEP=${keep}).`);
  } else {
    await mysqlBackup(DATABASE_URL, dir, keep);
  }
} catch (err) {
  console.error(`Backup failed: ${(err as Error).message}`);
  process.exit(1);
}

async function mysqlBackup(url: string, dir: string, keep: number) {
  const u = new URL(url);
  const database = decodeURIComponent(u.pathname.slice(1));
  mkdirSync(dir, { recursive: true });
  const target = join(dir, `${BACKUP_PREFIX}${new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}.sql.gz`);
  const args = ['--single-transaction', '--routines', '--triggers', '--hex-blob', '--default-character-set=utf8mb4',
    '-h', u.hostname, '-P', u.port || '3306', '-u', decodeURIComponent(u.username), database];
  // The password goes in the environment, not the command line other users of the host can list.
  const dump = spawn('mysqldump', args, { env: { ...process.env, MYSQL_PWD: decodeURIComponent(u.password) }, stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<number>((ok, fail) => {
    dump.on('error', (e) => fail(new Error(`cannot run mysqldump (${e.message}); install the MariaDB/MySQL client or run the command in docs/operations.md`)));
    dump.on('close', (code) => ok(code ?? 1));
  });
  await pipeline(dump.stdout, createGzip(), createWriteStream(target));
  const code = await exited;
  if (code !== 0) {
    rmSync(target, { force: true });
    throw new Error(`mysqldump exited with ${code}`);
  }
  console.log(`Backed up ${database} to ${target} (${(statSync(target).size / 1024).toFixed(0)} KiB).`);
  const old = readdirSync(dir).filter((f) => f.startsWith(BACKUP_PREFIX) && f.endsWith('.sql.gz')).sort();
  for (const f of old.slice(0, Math.max(0, old.length - keep))) {
    rmSync(join(dir, f));
    console.log(`Removed the old backup ${f} (BACKUP_KEEP=${keep}).`);
  }
}
