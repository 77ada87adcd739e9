// npm run bench:import — (1) reading an .xlsx is linear: time per row at 20,000 rows against
// 2,000 rows, in the worker thread the server uses; (2) 10,000 order lines imported over HTTP
// (dry run + commit through the order.create mutator) vs. a raw Kysely bulk insert of the same
// orders, items and stages (and their change-log entries); the commit alone against the same baseline.
import { uuidv7 } from '../sync/ids';
import { byName, type Db } from '../server/db/db';
import { loadEnv } from '../server/env';
import { parseUpload } from '../server/import/import.parse';
import { PRESETS } from '../server/import/import.presets';
import { commitImport, dryRun } from '../server/import/import.service';
import { startServer } from '../server/server';
import { DEMO_SKUS, genericOrderLines, LINES_PER_ORDER, xlsxBytes } from '../tests/fixtures/build';
import { benchKinds, withBenchDatabase } from './bench-db';

const LINES = Number(process.env.BENCH_IMPORT_LINES ?? 10_000);
const ROUNDS = Number(process.env.BENCH_IMPORT_ROUNDS ?? 3);

/** Median milliseconds of `runs` reads of one file (after one warm-up read). */
async function parseMs(name: string, bytes: Uint8Array, runs: number) {
  await parseUpload(name, bytes);
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await parseUpload(name, bytes);
    times.push(performance.now() - t0);
  }
  return times.sort((a, b) => a - b)[Math.floor(runs / 2)];
}

async function benchParse() {
  console.log('Reading a sheet (median of 5 reads, after a warm-up; 1.00 = linear in the rows)');
  for (const [kind, make] of [
    ['.xlsx (worker thread)', async (n: number) => xlsxBytes(genericOrderLines(n))],
    ['.csv', async (n: number) => new TextEncoder().encode(genericOrderLines(n).map((r) => r.join(',')).join('\n'))],
  ] as const) {
    const [small, large] = [2_000, 20_000];
    const name = kind.startsWith('.xlsx') ? 'bench.xlsx' : 'bench.csv';
    const perRow = async (n: number) => (await parseMs(name, await make(n), 5)) / n;
    const [a, b] = [await perRow(small), await perRow(large)];
    console.log(`  ${kind}: ${small} rows ${(a * 1000).toFixed(1)} µs/row, ${large} rows ${(b * 1000).toFixed(1)} µs/row; ratio ${(b / a).toFixed(2)}`);
  }
}

/** The same orders, items and stages and their change-log entries, straight through Kysely in 500-row inserts, one transaction: milliseconds. */
async function rawInsert(db: Db, products: { id: string; sku: string; routing: string }[], round: number) {
  const now = new Date().toISOString();
  const meta = { version: 1, createdAt: now, updatedAt: now, updatedBy: null, deletedAt: null, seq: 0 };
  const orders: Record<string, unknown>[] = [];
  const items: Record<string, unknown>[] = [];
  const stages: Record<string, unknown>[] = [];
  let orderId = '';
  for (let i = 0; i < LINES; i++) {
    if (i % LINES_PER_ORDER === 0) {
      orderId = uuidv7();
      orders.push({ id: orderId, ...meta, number: `RAW${round}-${i}`, customerName: `Customer ${i % 50}`, externalRef: `RAW${round}-${i}`, dueDate: '2026-12-01', priority: 3, status: 'draft', source: 'import', departmentIds: '[]' });
    }
    const p = products.find((x) => x.sku === DEMO_SKUS[i % DEMO_SKUS.length])!;
    const itemId = uuidv7();
    items.push({ id: itemId, ...meta, orderId, productId: p.id, quantity: 100, goodQty: 0, rejectQty: 0, departmentIds: '[]' });
    for (const [n, r] of (JSON.parse(p.routing) as { name: string; departmentId: string; plannedMinutes: number }[]).entries()) {
      stages.push({ id: uuidv7(), ...meta, orderId, orderItemId: itemId, sequence: n + 1, name: r.name, departmentId: r.departmentId, plannedMinutes: r.plannedMinutes, status: 'pending', goodQty: 0, rejectQty: 0, downtimeMinutes: 0 });
    }
  }
  // Every row a change-log entry, as every write of a synced row has (devices pull through it): work
  // the import cannot skip, so the baseline does it too.
  let seq = 2_000_000_000 + round * 1_000_000;
  const log = [...orders.map((r) => ['orders', r.id]), ...items.map((r) => ['orderItems', r.id]), ...stages.map((r) => ['stages', r.id])]
    .map(([tableName, rowId]) => ({ seq: ++seq, tableName, rowId, evict: 0, at: now }));
  const r0 = performance.now();
  await db.transaction().execute(async (trx) => {
    for (const [table, rows] of [['orders', orders], ['orderItems', items], ['stages', stages], ['changeLog', log]] as const) {
      for (let i = 0; i < rows.length; i += 500) await byName(trx).insertInto(table).values(rows.slice(i, i + 500)).execute();
    }
  });
  return performance.now() - r0;
}

async function benchImport(url: string) {
  const env = loadEnv({ DATABASE_URL: url, PORT: '0', SEED_DEMO: '1', LOG_LEVEL: 'error', JWT_SECRET: 'bench-secret-bench-secret-bench-secret-0123' });
  const running = await startServer(env);
  try {
    const body = genericOrderLines(LINES, 'BENCH').map((r) => r.join(',')).join('\n');
    const login = await (await fetch(`${running.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'manager', password: 'barron-demo-2026' }) })).json() as any;
    const form = new FormData();
    form.set('file', new File([body], 'bench.csv'));
    const t0 = performance.now();
    const res = await fetch(`${running.url}/api/import/orders?commit=true`, { method: 'POST', headers: { authorization: `Bearer ${login.accessToken}` }, body: form });
    const out = await res.json() as any;
    if (res.status !== 201) throw new Error(`import failed: ${res.status} ${JSON.stringify(out).slice(0, 500)}`);
    const importRate = LINES / ((performance.now() - t0) / 1000);

    // The commit alone, as the route runs it after the dry run: the same lines under other references,
    // read and checked outside the timing.
    // The commit and the raw insert take turns ROUNDS times and each side's time is summed, so that
    // both see the same shifts in a shared machine's load (as bench:sync does).
    const db = running.deps.db;
    const products = await db.selectFrom('products').selectAll().execute();
    let commitMs = 0;
    let rawMs = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const sheet = await parseUpload('bench.csv', new TextEncoder().encode(genericOrderLines(LINES, `COMMIT${round}`).map((r) => r.join(',')).join('\n')));
      const plan = await dryRun(running.deps, sheet, PRESETS.generic, {});
      const c0 = performance.now();
      await commitImport(running.deps, login.user, plan, { fileName: 'bench.csv', preset: 'generic', ip: null });
      commitMs += performance.now() - c0;
      rawMs += await rawInsert(db, products, round);
    }
    const commitRate = (LINES * ROUNDS) / (commitMs / 1000);
    const rawRate = (LINES * ROUNDS) / (rawMs / 1000);
    console.log(`Barron PMS import benchmark (${env.DATABASE_URL.startsWith('mysql') ? 'MySQL/MariaDB' : 'SQLite'}): ${LINES} order lines in ${out.orderCount} orders`);
    console.log(`  import over HTTP (parse, check, create through order.create, audit): ${Math.round(importRate)} lines/s`);
    console.log(`  the commit alone (create through order.create, audit; after the dry run): ${Math.round(commitRate)} lines/s`);
    console.log(`  raw Kysely bulk insert of the same orders, items and stages and their change-log entries: ${Math.round(rawRate)} lines/s`);
    console.log(`  ratio over HTTP ${(importRate / rawRate).toFixed(2)}; commit ratio ${(commitRate / rawRate).toFixed(2)}`);
  } finally {
    await running.close();
  }
}

await benchParse();
for (const kind of benchKinds()) await withBenchDatabase(kind, benchImport);
