// npm run bench:fairness — 200 devices push at once (a shift back after a Wi-Fi outage): how evenly
// the waiting is shared. Prints latency percentiles and p99 ÷ p50, measured in one run.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { uuidv7 } from '../sync/ids';
import { loadEnv } from '../server/env';
import { startServer } from '../server/server';
import { DEMO_PASSWORD } from '../server/seed';

const DEVICES = Number(process.env.BENCH_DEVICES ?? 200);
const PER_PUSH = Number(process.env.BENCH_PER_PUSH ?? 20);

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'barron-fair-'));
  const env = loadEnv({ PORT: '0', HOST: '127.0.0.1', DATABASE_URL: `sqlite:${join(dir, 'b.sqlite')}`, SEED_DEMO: 'true', LOG_LEVEL: 'silent', JWT_SECRET: 'bench-secret-that-is-long-enough-0123456789', NODE_ENV: 'test' }, dir);
  const running = await startServer(env);
  try {
    const login = await fetch(`${running.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'manager', password: DEMO_PASSWORD }) });
    const { accessToken } = (await login.json()) as { accessToken: string };
    const stages = await running.deps.db.selectFrom('stages').select('id').where('status', 'in', ['running', 'paused', 'ready']).execute();
    const push = async (device: number) => {
      const mutations = Array.from({ length: PER_PUSH }, (_, i) => ({
        id: uuidv7(), seq: i + 1, name: 'job.progress', at: new Date().toISOString(),
        args: { id: uuidv7(), stageId: stages[(device + i) % stages.length].id, goodQty: 1, rejectQty: 0 },
      }));
      const t0 = performance.now();
      const res = await fetch(`${running.url}/api/sync/push`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${accessToken}` }, body: JSON.stringify({ clientId: uuidv7(), schemaVersion: 1, mutations }) });
      if (!res.ok) throw new Error(`push ${res.status}: ${await res.text()}`);
      await res.json();
      return performance.now() - t0;
    };
    const t0 = performance.now();
    const times = (await Promise.all(Array.from({ length: DEVICES }, (_, d) => push(d)))).sort((a, b) => a - b);
    const total = performance.now() - t0;
    const pct = (p: number) => times[Math.min(times.length - 1, Math.floor((p / 100) * times.length))];
    console.log(`${DEVICES} devices × ${PER_PUSH} mutations at once on SQLite: all done in ${(total / 1000).toFixed(1)} s`);
    console.log(`  push latency p50 ${(pct(50) / 1000).toFixed(2)} s, p90 ${(pct(90) / 1000).toFixed(2)} s, p99 ${(pct(99) / 1000).toFixed(2)} s, max ${(times.at(-1)! / 1000).toFixed(2)} s`);
    console.log(`  p99 ÷ p50 = ${(pct(99) / pct(50)).toFixed(2)} (first come first served gives about 2; 1 would mean everyone waits for the slowest)`);
  } finally {
    await running.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
