// npm run bench:client — the device's side, in Chromium (playwright-core, the e2e launch flags):
// (1) a first sync of BENCH_CLIENT_ROWS (50,000) job events into IndexedDB through the real engine
//     (the built app: sign in, sync until done), against a raw Dexie bulkPut of the same rows, read
//     back from the app's database, into a database with the same stores and indexes, in the same
//     browser; rows/s and the ratio;
// (2) the time to the first painted portal (shift counts and work cards on screen) with those rows
//     stored, against the same device with the rows removed (median of 3 loads each).
// BENCH_PROFILE=1 also prints where the page's main thread spent the first sync (CDP profiler).
import { existsSync, readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type CDPSession, type Page } from 'playwright-core';
import { uuidv7 } from '../sync/ids';
import { loadEnv } from '../server/env';
import { startServer } from '../server/server';
import { DEMO_PASSWORD } from '../server/seed';

const ROWS = Number(process.env.BENCH_CLIENT_ROWS ?? 50_000);
const PROFILE = process.env.BENCH_PROFILE === '1';
const ROOT = resolve(import.meta.dirname, '..');
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

async function ensureBuilt() {
  if (existsSync(resolve(ROOT, 'dist/index.html'))) return;
  const { build } = await import('vite');
  process.env.NODE_ENV = 'production';
  await build({ configFile: resolve(ROOT, 'vite.config.ts'), root: ROOT, mode: 'production', logLevel: 'warn' });
}

/** Milliseconds from navigation start to the frame after the portal shows its counts and work cards. */
async function portalPaint(page: Page, url: string) {
  await page.goto(`${url}/portal`);
  await page.getByTestId('shift-counts').waitFor({ timeout: 120_000 });
  await page.getByTestId('work-card').first().waitFor({ timeout: 120_000 });
  return page.evaluate(() => new Promise<number>((ok) => requestAnimationFrame(() => requestAnimationFrame(() => ok(performance.now())))));
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main() {
  await ensureBuilt();
  const dir = mkdtempSync(join(tmpdir(), 'barron-client-bench-'));
  const env = loadEnv({ PORT: '0', HOST: '127.0.0.1', DATABASE_URL: `sqlite:${join(dir, 'b.sqlite')}`, SEED_DEMO: 'true', LOG_LEVEL: 'silent', JWT_SECRET: 'bench-secret-that-is-long-enough-0123456789', NODE_ENV: 'test' }, dir);
  const running = await startServer(env);
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  try {
    // The plant's history: ROWS job events on the Press stages (the operator's department).
    const db = running.deps.db;
    const stages = await db.selectFrom('stages').innerJoin('departments', 'departments.id', 'stages.departmentId').select(['stages.id', 'stages.orderId', 'stages.departmentId']).where('departments.code', '=', 'PRS').execute();
    const user = await db.selectFrom('users').select('id').where('username', '=', 'operator.press').executeTakeFirstOrThrow();
    // The history of a fortnight (the sync window) by the department's people, as a device holds it:
    // spread evenly over the last 14 days and over the Press users (the operator among them).
    const people = (await db.selectFrom('users').innerJoin('departments', 'departments.id', 'users.departmentId').select('users.id').where('departments.code', '=', 'PRS').execute()).map((u) => u.id);
    const nowMs = Date.now();
    for (let i = 0; i < ROWS; i += 1000) {
      const rows = Array.from({ length: Math.min(1000, ROWS - i) }, (_, k) => {
        const s = stages[(i + k) % stages.length];
        const at = new Date(nowMs - ((i + k) / ROWS) * 14 * 86_400_000).toISOString();
        const by = people[(i + k) % people.length];
        return { id: uuidv7(), version: 1, createdAt: at, updatedAt: at, updatedBy: by, deletedAt: null, seq: 0, stageId: s.id, orderId: s.orderId, departmentId: s.departmentId, kind: 'note' as const, goodQty: 0, rejectQty: 0, minutes: 0, note: 'bench history', userId: by, at };
      });
      await db.insertInto('jobEvents').values(rows).execute();
    }

    // bypassCSP: the raw side loads Dexie into the page (the app itself is unchanged by it).
    const ctx = await browser.newContext({ viewport: { width: 390, height: 844 }, bypassCSP: true });
    // tsx compiles the functions handed to page.evaluate with esbuild's keepNames helper.
    await ctx.addInitScript('globalThis.__name = (f) => f;');
    // BENCH_PROFILE: the page's API requests, when each started and ended (time to headers, time to body).
    if (PROFILE) await ctx.addInitScript(`(() => {
      const log = (globalThis.__apiLog = []);
      const orig = globalThis.fetch.bind(globalThis);
      globalThis.fetch = async (input, init) => {
        const url = String(input instanceof Request ? input.url : input);
        if (!url.includes('/api/')) return orig(input, init);
        const e = { url: url.replace(/^.*\\/api\\//, '').slice(0, 40), start: performance.now(), headers: 0, end: 0 };
        log.push(e);
        const res = await orig(input, init);
        e.headers = performance.now();
        const json = res.json.bind(res);
        res.json = async () => { const v = await json(); e.end = performance.now(); return v; };
        return res;
      };
    })();`);
    const page = await ctx.newPage();
    page.on('pageerror', (err) => console.error(`[page error] ${err.message}`));
    await page.goto(running.url);
    await page.getByLabel('Username').fill('operator.press');
    await page.getByLabel('Password').fill(DEMO_PASSWORD);
    const cdp = PROFILE ? await ctx.newCDPSession(page) : null;
    if (cdp) {
      await cdp.send('Profiler.enable');
      await cdp.send('Profiler.setSamplingInterval', { interval: 500 });
      await cdp.send('Profiler.start');
    }
    const t0 = performance.now();
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForFunction(() => {
      const app = (globalThis as any).barron;
      return app && app.sync.value.lastSyncAt && !app.sync.value.syncing && !app.sync.value.lastError;
    }, undefined, { timeout: Number(process.env.BENCH_CLIENT_TIMEOUT ?? 600) * 1000, polling: 100 }).catch(async (err) => {
      console.error('first sync did not finish; the sync state:', await page.evaluate(() => JSON.stringify((globalThis as any).barron?.sync.value)));
      throw err;
    });
    const syncMs = performance.now() - t0;
    if (cdp) {
      printProfile(await stopProfiler(cdp));
      const log = await page.evaluate(() => (globalThis as any).__apiLog as { url: string; start: number; headers: number; end: number }[]);
      const t = log[0]?.start ?? 0;
      console.log('  API requests during the first sync (ms from the first: start, headers, parsed):');
      for (const e of log) console.log(`    ${String(Math.round(e.start - t)).padStart(6)} ${String(Math.round(e.headers - t)).padStart(6)} ${String(Math.round(e.end - t)).padStart(6)}  ${e.url}`);
    }

    // What the engine stored, per store, and the same rows through a raw Dexie bulkPut.
    const dexieSource = readFileSync(createRequire(import.meta.url).resolve('dexie/dist/dexie.js'), 'utf8');
    await page.evaluate(dexieSource);
    const raw = await page.evaluate(async (dbName) => {
      const open = (name: string) => new Promise<IDBDatabase>((ok, fail) => {
        const r = indexedDB.open(name);
        r.onsuccess = () => ok(r.result);
        r.onerror = () => fail(r.error);
      });
      const app = await open(dbName);
      const synced = [...app.objectStoreNames].filter((n) => !['outbox', 'syncIssues', 'shadows', 'meta'].includes(n));
      const rows: Record<string, unknown[]> = {};
      const schema: Record<string, string> = {};
      for (const name of synced) {
        const store = app.transaction(name).objectStore(name);
        schema[name] = [store.keyPath as string, ...[...store.indexNames]].join(', ');
        rows[name] = await new Promise<unknown[]>((ok) => {
          const r = store.getAll();
          r.onsuccess = () => ok(r.result);
        });
      }
      app.close();
      const Dexie = (globalThis as any).Dexie;
      await Dexie.delete('raw-bulkput-bench');
      const copy = new Dexie('raw-bulkput-bench');
      copy.version(1).stores(schema);
      await copy.open();
      const t = performance.now();
      await copy.transaction('rw', synced, async () => {
        for (const name of synced) await copy.table(name).bulkPut(rows[name]);
      });
      const ms = performance.now() - t;
      copy.close();
      await Dexie.delete('raw-bulkput-bench');
      const count = Object.values(rows).reduce((n, r) => n + r.length, 0);
      return { ms, count, jobEvents: rows.jobEvents?.length ?? 0 };
    }, `barron-user-${user.id}`);
    const engineRate = raw.count / (syncMs / 1000);
    const rawRate = raw.count / (raw.ms / 1000);
    console.log(`Barron PMS client benchmark (Chromium): first sync of ${raw.count} rows (${raw.jobEvents} job events) as operator.press`);
    console.log(`  through the engine (sign in, pull, apply, rebase): ${(syncMs / 1000).toFixed(1)} s, ${Math.round(engineRate)} rows/s`);
    console.log(`  raw Dexie bulkPut of the same rows, same stores and indexes: ${(raw.ms / 1000).toFixed(1)} s, ${Math.round(rawRate)} rows/s`);
    console.log(`  ratio ${(engineRate / rawRate).toFixed(2)} (aim ≥ 0.5)`);

    // First painted portal: with the rows stored, then with them removed.
    const full: number[] = [];
    for (let i = 0; i < 3; i++) full.push(await portalPaint(page, running.url));
    if (PROFILE) {
      const cdp2 = await ctx.newCDPSession(page);
      await cdp2.send('Profiler.enable');
      await cdp2.send('Profiler.setSamplingInterval', { interval: 500 });
      await cdp2.send('Profiler.start');
      console.log(`  a profiled load of the portal with the rows stored: ${Math.round(await portalPaint(page, running.url))} ms`);
      printProfile(await stopProfiler(cdp2));
    }
    await page.evaluate(async (dbName) => {
      const r = indexedDB.open(dbName);
      const d = await new Promise<IDBDatabase>((ok) => (r.onsuccess = () => ok(r.result)));
      await new Promise((ok) => {
        const tx = d.transaction('jobEvents', 'readwrite');
        tx.objectStore('jobEvents').clear();
        tx.oncomplete = ok;
      });
      d.close();
    }, `barron-user-${user.id}`);
    const empty: number[] = [];
    for (let i = 0; i < 3; i++) empty.push(await portalPaint(page, running.url));
    console.log(`  first painted portal: ${Math.round(median(full))} ms with the rows stored, ${Math.round(median(empty))} ms without them (median of 3); ratio ${(median(full) / median(empty)).toFixed(2)} (aim ≤ 1.5)`);
    await ctx.close();
  } finally {
    await browser.close();
    await running.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Stops Chromium's sampling profiler; its profile's type is the DevTools protocol's, as playwright-core declares it. */
const stopProfiler = async (cdp: CDPSession) => (await cdp.send('Profiler.stop')).profile;
type CpuProfile = Awaited<ReturnType<typeof stopProfiler>>;

/** Self time by function, and time inside the engine's phases, of the page's main thread during the first sync. */
function printProfile(p: CpuProfile) {
  const self = new Map<number, number>();
  const deltas = p.timeDeltas ?? [];
  (p.samples ?? []).forEach((s, i) => self.set(s, (self.get(s) ?? 0) + (deltas[i] ?? 0)));
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const by = new Map<string, number>();
  const nodes = new Map(p.nodes.map((n) => [n.id, n]));
  for (const [id, t] of self) {
    const f = nodes.get(id)!.callFrame;
    const key = `${f.functionName || '(anonymous)'} ${f.url.split('/').pop()}:${f.lineNumber}`;
    by.set(key, (by.get(key) ?? 0) + t);
  }
  console.log(`  main thread (self time, ${(total / 1000).toFixed(0)} ms sampled):`);
  for (const [k, t] of [...by].sort((a, b) => b[1] - a[1]).slice(0, 15)) console.log(`    ${((t / total) * 100).toFixed(1).padStart(5)}% ${k}`);
  // Inclusive time of the app's own functions (each counted once per sample, however deep it recurs).
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const incl = new Map<string, number>();
  for (const [id, t] of self) {
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const f = nodes.get(at)!.callFrame;
      if (!f.url.includes('/assets/') || !f.functionName) continue;
      const key = `${f.functionName} ${f.url.split('/').pop()}:${f.lineNumber}`;
      if (seen.has(key)) continue;
      seen.add(key);
      incl.set(key, (incl.get(key) ?? 0) + t);
    }
  }
  console.log('  the app\'s functions by inclusive time:');
  for (const [k, t] of [...incl].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(`    ${((t / total) * 100).toFixed(1).padStart(5)}% ${k}`);
}

await main();
