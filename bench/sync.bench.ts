// npm run bench:sync — push throughput over HTTP vs. writing the same rows directly, and first-pull
// throughput vs. a raw select. Prints ratios measured in one run (machines here are shared and noisy).
import http from 'node:http';
import { uuidv7 } from '../sync/ids';
import { loadEnv } from '../server/env';
import { startServer } from '../server/server';
import { byName, type Db } from '../server/db/db';
import { benchKinds, withBenchDatabase } from './bench-db';

const TOTAL = Number(process.env.BENCH_MUTATIONS ?? 10_000);
const BATCH = 100;
const CLIENTS = 4;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const PULL_ROWS = Number(process.env.BENCH_PULL_ROWS ?? 50_000);
const PULL_ROUNDS = Number(process.env.BENCH_PULL_ROUNDS ?? 3);

/**
 * fetch, once more on a reset connection: a keep-alive socket the server closed while idle (its
 * 5 s keep-alive timeout, after the long direct-write phase) fails the next request that reuses it.
 * Safe for pushes too: a resent push answers stored results.
 */
async function fetchAgain(url: string, init?: RequestInit): Promise<Response> {
  try {
    return await fetch(url, init);
  } catch (err) {
    if ((err as { cause?: { code?: string } }).cause?.code !== 'ECONNRESET') throw err;
    return fetch(url, init);
  }
}

async function post(url: string, token: string, body: unknown) {
  const res = await fetchAgain(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`${url}: ${res.status} ${await res.text()}`);
  return res.json() as Promise<any>;
}

/**
 * GET as a device's first pull reads it: every byte received, then decoded and parsed as a whole.
 * Over node:http with a keep-alive socket rather than fetch: the bench's client shares the server's
 * one thread, and undici's fetch machinery (its streams, Request and Response objects) cost a pull
 * page of 1,000 rows about 2 ms on this machine — time the server would be charged for.
 */
function getJson(agent: http.Agent, url: string, token: string): Promise<any> {
  return new Promise((resolve, reject) => {
    http.get(url, { agent, headers: { authorization: `Bearer ${token}` } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        if (res.statusCode !== 200) reject(new Error(`${url}: ${res.statusCode} ${text}`));
        else resolve(JSON.parse(text));
      });
      res.on('error', reject);
    }).on('error', reject);
  });
}

async function fixtures(db: Db) {
  const ids = async (table: string, where?: [string, string]) => {
    let q = byName(db).selectFrom(table).selectAll();
    if (where) q = q.where(where[0], '=', where[1]);
    return q.execute();
  };
  return { stages: await ids('stages'), machines: await ids('machines'), defects: await ids('defectCodes'), tickets: await ids('maintenanceTickets') };
}

function makeMutations(f: Awaited<ReturnType<typeof fixtures>>, n: number, client: number) {
  const out = [];
  for (let i = 0; i < n; i++) {
    const k = i % 10;
    const at = new Date().toISOString();
    if (k < 6) out.push({ name: 'job.progress', args: { id: uuidv7(), stageId: f.stages[i % f.stages.length].id, goodQty: 1, rejectQty: 0 }, at });
    else if (k < 8) out.push({ name: 'reject.create', args: { id: uuidv7(), machineId: f.machines[i % f.machines.length].id, defectCodeId: f.defects[i % f.defects.length].id, quantity: 2 }, at });
    else {
      const t = f.tickets[(i + client) % f.tickets.length];
      out.push({ name: 'maintenance.update', args: { id: t.id, base: { partsUsed: '(bench)' }, changes: { partsUsed: '(bench)' } }, at });
    }
  }
  return out;
}

/**
 * The same rows a push writes — the primary row, its audit entry, its change-log entry and its stored
 * result (what a replay answers: the protocol's guarantee, so a push cannot skip it) — straight
 * through Kysely, one statement each.
 */
async function rawInsert(db: Db, f: Awaited<ReturnType<typeof fixtures>>, n: number, seqStart: number) {
  const muts = makeMutations(f, n, 0);
  let seq = seqStart;
  const user = uuidv7();
  const clientId = uuidv7();
  const t0 = performance.now();
  for (let b = 0; b < n; b += BATCH) {
    await db.transaction().execute(async (trx) => {
      for (const m of muts.slice(b, b + BATCH)) {
        const now = new Date().toISOString();
        const meta = { version: 1, createdAt: now, updatedAt: now, updatedBy: user, deletedAt: null };
        const a = m.args as any;
        seq++;
        if (m.name === 'job.progress') {
          const stage = f.stages.find((s) => s.id === a.stageId)!;
          await trx.insertInto('jobEvents').values({ id: uuidv7(), ...meta, seq, stageId: a.stageId, orderId: stage.orderId, departmentId: stage.departmentId, kind: 'progress', goodQty: 1, rejectQty: 0, minutes: 0, userId: user, at: now }).execute();
          await trx.updateTable('stages').set({ goodQty: 1, seq }).where('id', '=', a.stageId).execute();
        } else if (m.name === 'reject.create') {
          await trx.insertInto('rejects').values({ id: a.id, ...meta, seq, machineId: a.machineId, departmentId: f.machines[0].departmentId, defectCodeId: a.defectCodeId, quantity: 2, reportedBy: user, status: 'open' }).execute();
        } else {
          await trx.updateTable('maintenanceTickets').set({ partsUsed: '(raw)', seq }).where('id', '=', a.id).execute();
        }
        await trx.insertInto('changeLog').values({ seq, tableName: 'bench', rowId: a.id, evict: 0, at: now }).execute();
        await trx.insertInto('auditLog').values({ id: uuidv7(), at: now, userId: user, mutationName: m.name, entity: 'bench', entityId: a.id, outcome: 'applied', after: JSON.stringify(a) }).execute();
        const result = { id: a.id, seq, status: 'applied', entity: { table: 'bench', id: a.id, version: 1 } };
        await trx.insertInto('syncMutations').values({ clientId, seq, mutationId: a.id, name: m.name, result: JSON.stringify(result), createdAt: now, commitSeq: seq }).execute();
      }
    });
  }
  return n / ((performance.now() - t0) / 1000);
}

async function benchOne(label: string, url: string) {
  const env = loadEnv({ DATABASE_URL: url, PORT: '0', SEED_DEMO: '1', LOG_LEVEL: 'error', JWT_SECRET: 'bench-secret-bench-secret-bench-secret-0123' });
  const running = await startServer(env);
  try {
    const db = running.deps.db;
    const f = await fixtures(db);
    const login = await post(`${running.url}/api/auth/login`, '', { username: 'manager', password: 'barron-demo-2026' });
    const token = login.accessToken;
    // Push and the direct writes take turns, ROUNDS times, and each side's time is summed: on a shared
    // machine the load shifts during a run, and both sides should see the same shifts.
    const perClient = Math.floor(TOTAL / CLIENTS / ROUNDS);
    const clients = Array.from({ length: CLIENTS }, (_, c) => ({ clientId: uuidv7(), seq: 0, c }));
    let pushMs = 0;
    let rawMs = 0;
    let rawSeq = 1_000_000_000;
    for (let round = 0; round < ROUNDS; round++) {
      const t0 = performance.now();
      await Promise.all(
        clients.map(async (cl) => {
          const muts = makeMutations(f, perClient, cl.c).map((m) => ({ id: uuidv7(), seq: ++cl.seq, ...m }));
          for (let b = 0; b < muts.length; b += BATCH) {
            const r = await post(`${running.url}/api/sync/push`, token, { clientId: cl.clientId, schemaVersion: 1, mutations: muts.slice(b, b + BATCH) });
            if (r.results.some((x: any) => x.status === 'rejected')) throw new Error(`rejected: ${JSON.stringify(r.results.find((x: any) => x.status === 'rejected'))}`);
          }
        }),
      );
      pushMs += performance.now() - t0;
      const r0 = performance.now();
      await rawInsert(db, f, perClient * CLIENTS, rawSeq);
      rawSeq += perClient * CLIENTS;
      rawMs += performance.now() - r0;
    }
    const pushRate = (perClient * CLIENTS * ROUNDS) / (pushMs / 1000);
    const rawRate = (perClient * CLIENTS * ROUNDS) / (rawMs / 1000);

    // First pull: top the plant up to PULL_ROWS visible rows, then page through a snapshot over HTTP.
    const existing = await countVisible(db);
    const now = new Date().toISOString();
    const stage = f.stages[0];
    for (let i = existing; i < PULL_ROWS; i += 1000) {
      const rows = Array.from({ length: Math.min(1000, PULL_ROWS - i) }, () => ({
        id: uuidv7(), version: 1, createdAt: now, updatedAt: now, updatedBy: null, deletedAt: null, seq: 0, stageId: stage.id,
        orderId: stage.orderId, departmentId: stage.departmentId, kind: 'note', goodQty: 0, rejectQty: 0, minutes: 0, note: 'bench', userId: stage.id, at: now,
      }));
      await db.insertInto('jobEvents').values(rows).execute();
    }
    const total = await countVisible(db);
    // A first pull (a new client id each time) and the raw select take turns PULL_ROUNDS times, each
    // side's time summed, as push and the direct writes do.
    let pulled = 0;
    let selected = 0;
    let pullMs = 0;
    let selectMs = 0;
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    for (let round = 0; round < PULL_ROUNDS; round++) {
      const p0 = performance.now();
      let cursor = '';
      const clientId = uuidv7();
      for (;;) {
        const page = await getJson(agent, `${running.url}/api/sync/pull?clientId=${clientId}&limit=1000${cursor ? `&cursor=${cursor}` : ''}`, token);
        pulled += page.changes.length;
        cursor = page.cursor;
        if (!page.hasMore) break;
      }
      pullMs += performance.now() - p0;
      const r0 = performance.now();
      for (const t of ['departments', 'users', 'machines', 'products', 'defectCodes', 'sops', 'orders', 'orderItems', 'stages', 'jobEvents', 'rejects', 'maintenanceTickets', 'maintenanceEvents']) {
        selected += (await byName(db).selectFrom(t).selectAll().where('deletedAt', 'is', null).execute()).length;
      }
      selectMs += performance.now() - r0;
    }
    agent.destroy();
    const pullRate = pulled / (pullMs / 1000);
    const selectRate = selected / (selectMs / 1000);
    pulled /= PULL_ROUNDS;

    console.log(`\n${label}`);
    console.log(`  push: ${Math.round(pushRate)} mutations/s over HTTP (${CLIENTS} clients, batches of ${BATCH}); direct Kysely writes: ${Math.round(rawRate)} rows-sets/s; ratio ${(pushRate / rawRate).toFixed(2)}`);
    console.log(`  first pull: ${pulled} of ${total} rows at ${Math.round(pullRate)} rows/s; raw select: ${Math.round(selectRate)} rows/s; ratio ${(pullRate / selectRate).toFixed(2)}`);
  } finally {
    await running.close();
  }
}

async function countVisible(db: Db) {
  let n = 0;
  for (const t of ['departments', 'users', 'machines', 'products', 'defectCodes', 'sops', 'orders', 'orderItems', 'stages', 'jobEvents', 'rejects', 'maintenanceTickets', 'maintenanceEvents']) {
    n += Number((await byName(db).selectFrom(t).select((eb) => eb.fn.countAll().as('n')).where('deletedAt', 'is', null).executeTakeFirstOrThrow()).n);
  }
  return n;
}

console.log(`Barron PMS sync benchmark: ${TOTAL} mutations (60% job.progress, 20% reject.create, 20% maintenance.update), first pull of ${PULL_ROWS} rows`);
for (const kind of benchKinds()) {
  await withBenchDatabase(kind, (url) => benchOne(kind === 'sqlite' ? 'SQLite (better-sqlite3, WAL)' : 'MariaDB / MySQL (mysql2)', url));
}
if (!process.env.BENCH_DATABASE_URL) console.log('\n(set BENCH_DATABASE_URL=mysql://… to run the same benchmark on MySQL/MariaDB)');
