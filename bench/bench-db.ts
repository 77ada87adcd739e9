// A throwaway database for one benchmark run: a temp SQLite file, or a fresh database on the
// MySQL/MariaDB server of BENCH_DATABASE_URL. Dropped afterwards.
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConnection } from 'mysql2/promise';

export async function withBenchDatabase(kind: 'sqlite' | 'mysql', fn: (url: string) => Promise<void>) {
  const name = `barron_bench_${randomBytes(4).toString('hex')}`;
  if (kind === 'sqlite') {
    const file = join(tmpdir(), `${name}.sqlite`);
    try {
      await fn(`sqlite:${file}`);
    } finally {
      for (const s of ['', '-wal', '-shm']) rmSync(file + s, { force: true });
    }
    return;
  }
  const base = process.env.BENCH_DATABASE_URL!;
  const c = await createConnection(base);
  await c.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`);
  const u = new URL(base);
  u.pathname = `/${name}`;
  try {
    await fn(u.toString());
  } finally {
    await c.query(`DROP DATABASE \`${name}\``);
    await c.end();
  }
}

/** SQLite always; MySQL/MariaDB too when BENCH_DATABASE_URL is set; BENCH_ONLY=sqlite or =mysql runs one. */
export const benchKinds = (): ('sqlite' | 'mysql')[] => {
  const all: ('sqlite' | 'mysql')[] = process.env.BENCH_DATABASE_URL ? ['sqlite', 'mysql'] : ['sqlite'];
  const only = process.env.BENCH_ONLY;
  return only ? all.filter((k) => k === only) : all;
};
