// npm run bench:import — 10,000 order lines imported over HTTP (dry run + commit through the
// order.create mutator) vs. a raw Kysely bulk insert of the same orders, items and stages.
import { uuidv7 } from '../sync/ids';
import { byName } from '../server/db/db';
import { loadEnv } from '../server/env';
import { startServer } from '../server/server';
import { benchKinds, withBenchDatabase } from './bench-db';

const LINES = Number(process.env.BENCH_IMPORT_LINES ?? 10_000);
const LINES_PER_ORDER = 4;
const SKUS = ['BRK-100', 'HSG-200', 'PNL-300', 'CLP-400'];

async function benchImport(url: string) {
  const env = loadEnv({ DATABASE_URL: url, PORT: '0', SEED_DEMO: '1', LOG_LEVEL: 'error', JWT_SECRET: 'bench-secret-bench-secret-bench-secret-0123' });
  const running = await startServer(env);
  try {
    const csv = ['Order ref,Customer,Due date,SKU,Quantity'];
    for (let i = 0; i < LINES; i++) {
      const o = Math.floor(i / LINES_PER_ORDER);
      csv.push(`BENCH-${o},Customer ${o % 50},2026-12-${String(1 + (o % 28)).padStart(2, '0')},${SKUS[i % SKUS.length]},${100 + (i % 900)}`);
    }
    const body = csv.join('\n');
    const login = await (await fetch(`${running.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'manager', password: 'demo1234' }) })).json() as any;
    const form = new FormData();
    form.set('file', new File([body], 'bench.csv'));
    const t0 = performance.now();
    const res = await fetch(`${running.url}/api/import/orders?commit=true`, { method: 'POST', headers: { authorization: `Bearer ${login.accessToken}` }, body: form });
    const out = await res.json() as any;
    if (res.status !== 201) throw new Error(`import failed: ${res.status} ${JSON.stringify(out).slice(0, 500)}`);
    const importRate = LINES / ((performance.now() - t0) / 1000);

    // The same rows straight into the tables: orders, items and each item's stages, 500 rows per statement.
    const db = running.deps.db;
    const products = await db.selectFrom('products').selectAll().execute();
    const now = new Date().toISOString();
    const meta = { version: 1, createdAt: now, updatedAt: now, updatedBy: null, deletedAt: null, seq: 0 };
    const orders: Record<string, unknown>[] = [];
    const items: Record<string, unknown>[] = [];
    const stages: Record<string, unknown>[] = [];
    let orderId = '';
    for (let i = 0; i < LINES; i++) {
      if (i % LINES_PER_ORDER === 0) {
        orderId = uuidv7();
        orders.push({ id: orderId, ...meta, number: `RAW-${i}`, customerName: `Customer ${i % 50}`, externalRef: `RAW-${i}`, dueDate: '2026-12-01', priority: 3, status: 'draft', source: 'import', departmentIds: '[]' });
      }
      const p = products.find((x) => x.sku === SKUS[i % SKUS.length])!;
      const itemId = uuidv7();
      items.push({ id: itemId, ...meta, orderId, productId: p.id, quantity: 100, goodQty: 0, rejectQty: 0, departmentIds: '[]' });
      for (const [n, r] of (JSON.parse(p.routing) as { name: string; departmentId: string; plannedMinutes: number }[]).entries()) {
        stages.push({ id: uuidv7(), ...meta, orderId, orderItemId: itemId, sequence: n + 1, name: r.name, departmentId: r.departmentId, plannedMinutes: r.plannedMinutes, status: 'pending', goodQty: 0, rejectQty: 0, downtimeMinutes: 0 });
      }
    }
    const r0 = performance.now();
    await db.transaction().execute(async (trx) => {
      for (const [table, rows] of [['orders', orders], ['orderItems', items], ['stages', stages]] as const) {
        for (let i = 0; i < rows.length; i += 500) await byName(trx).insertInto(table).values(rows.slice(i, i + 500)).execute();
      }
    });
    const rawRate = LINES / ((performance.now() - r0) / 1000);
    console.log(`Barron PMS import benchmark (${env.DATABASE_URL.startsWith('mysql') ? 'MySQL/MariaDB' : 'SQLite'}): ${LINES} order lines in ${out.orderCount} orders`);
    console.log(`  import over HTTP (parse, check, create through order.create, audit): ${Math.round(importRate)} lines/s`);
    console.log(`  raw Kysely bulk insert of the same orders, items and stages: ${Math.round(rawRate)} lines/s`);
    console.log(`  ratio ${(importRate / rawRate).toFixed(2)}`);
  } finally {
    await running.close();
  }
}

for (const kind of benchKinds()) await withBenchDatabase(kind, benchImport);
