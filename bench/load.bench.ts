// npm run bench:load — a plant-sized load: N simulated devices over real HTTP against a started
// server (in a child process, so the devices' own work does not slow the server's event loop), each
// with its own user, session, client id and outbox. Steady run: every device pulls every 10 s and
// pushes bursts of 1–20 realistic mutations; /health is probed meanwhile (and before, idle). Then the
// burst: every device pushes 50 queued mutations at the same instant (the end of a Wi-Fi outage).
// Afterwards it checks that every acknowledged mutation is on the server exactly once, with one
// audit entry each, and that the stage totals add up. Prints ratios measured in one run.
//
// Knobs (env): BENCH_DEVICES (200), BENCH_SECONDS (60), BENCH_PUSH_EVERY (seconds between a device's
// pushes, 30), BENCH_PULL_EVERY (10), BENCH_BURST (mutations per device in the burst, 50; 0 skips),
// BENCH_REFERENCE (mutations of the reference push rate, 2000), BENCH_SSE (1: open a poke stream per
// device at GET /api/sync/events for the run, read its pokes, and report the streams the server holds),
// BENCH_DATABASE_URL=mysql://… (MariaDB/MySQL as well as SQLite), BENCH_SERVER_CPU (1; e.g. 0.25: the
// server process runs a quarter of the time during the steady run — a busy machine, reproducibly).
import { fork, type ChildProcess } from 'node:child_process';
import { setMaxListeners } from 'node:events';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { benchKinds, withBenchDatabase } from './bench-db';
import { serve, type Ask, type Fixture } from './load-server';
import { Device, line, ms, pct, sleep, Stats } from './load-device';

const DEVICES = Number(process.env.BENCH_DEVICES ?? 200);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 60);
const PUSH_EVERY = Number(process.env.BENCH_PUSH_EVERY ?? 30);
const PULL_EVERY = Number(process.env.BENCH_PULL_EVERY ?? 10);
const BURST = Number(process.env.BENCH_BURST ?? 50);
const REFERENCE = Number(process.env.BENCH_REFERENCE ?? 2000);
const SSE = process.env.BENCH_SSE !== '0';
/** BENCH_SERVER_CPU=0.25: the server process runs only that share of the time during the steady run (SIGSTOP/SIGCONT every 60 ms) — a busy machine, reproducibly. */
const SERVER_CPU = Number(process.env.BENCH_SERVER_CPU ?? 1);
const BENCH_METRICS_TOKEN = 'bench-metrics-token-0123456789';

/** The server's own view (GET /metrics): requests by route, and how many took longer than 2.5 s and 10 s inside the server. */
async function serverSide(url: string) {
  const text = await (await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${BENCH_METRICS_TOKEN}` } })).text();
  const by = new Map<string, { n: number; le: Map<string, number> }>();
  for (const m of text.matchAll(/^barron_http_request_duration_seconds_bucket\{([^}]*)\} (\d+)/gm)) {
    const labels = Object.fromEntries([...m[1].matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
    const key = `${labels.method} ${labels.route}`;
    const e = by.get(key) ?? { n: 0, le: new Map() };
    e.le.set(labels.le, (e.le.get(labels.le) ?? 0) + Number(m[2]));
    if (labels.le === '+Inf') e.n += Number(m[2]);
    by.set(key, e);
  }
  return [...by].filter(([k]) => /sync\/(push|pull)|health|GET \/\*/.test(k)).map(([k, e]) => `${k === 'GET /*' ? 'GET (pull and /health: the metrics label every GET /*)' : k}: ${e.n} requests, ${e.n - (e.le.get('2.5') ?? 0)} over 2.5 s, ${e.n - (e.le.get('10') ?? 0)} over 10 s`).join('; ');
}

async function healthLoop(url: string, times: number[], until: () => boolean, every = 250) {
  while (!until()) {
    const t0 = performance.now();
    try {
      const res = await fetch(`${url}/health`);
      await res.arrayBuffer();
      times.push(performance.now() - t0);
    } catch {
      /* counted nowhere: /health is the yardstick, not the subject */
    }
    await sleep(every);
  }
}

/** BENCH_SERVER_CPU < 1: stops and continues the server process so that it runs that share of every 60 ms. */
function starveServer(child: ChildProcess) {
  if (!(SERVER_CPU > 0 && SERVER_CPU < 1)) return { stop() {} };
  let on = true;
  let timer: ReturnType<typeof setTimeout>;
  const cycle = () => {
    child.kill('SIGSTOP');
    timer = setTimeout(() => {
      child.kill('SIGCONT');
      if (on) timer = setTimeout(cycle, 60 * SERVER_CPU);
    }, 60 * (1 - SERVER_CPU));
  };
  cycle();
  return {
    stop() {
      on = false;
      clearTimeout(timer);
      child.kill('SIGCONT');
    },
  };
}

async function loadOne(label: string, url: string) {
  // BENCH_CPU_PROF=<dir>: the server process writes a V8 CPU profile there (node --cpu-prof) when it closes.
  const prof = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
  const child: ChildProcess = fork(fileURLToPath(import.meta.url), ['--serve', url], { execArgv: [...process.execArgv, ...prof], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const ask = <T>(msg: Ask, kind: string) => new Promise<T>((ok, fail) => {
    const exited = (code: number | null) => fail(new Error(`server exited with ${code}`));
    const on = (m: any) => {
      if (m.kind === kind) {
        child.off('message', on);
        child.off('exit', exited);
        ok(m as T);
      }
    };
    child.on('message', on);
    child.once('exit', exited);
    child.send(msg);
  });
  const ready = await new Promise<{ fixture: Fixture }>((ok, fail) => {
    child.once('message', (m: any) => (m.kind === 'ready' ? ok(m) : fail(new Error('unexpected message'))));
    child.once('exit', (code) => fail(new Error(`server exited with ${code}`)));
  });
  const f = ready.fixture;
  console.log(`\n${label}: ${DEVICES} devices, ${SECONDS} s steady run, then a burst of ${BURST} each${SERVER_CPU < 1 ? `; the server runs ${SERVER_CPU * 100} % of the time in the steady run (BENCH_SERVER_CPU)` : ''}`);
  try {
    const stats = new Stats();
    const devices = f.devices.map((d) => new Device(f, d, stats));
    const before = new Map((await ask<{ rows: [string, number][] }>({ kind: 'stages' }, 'stages')).rows);

    // /health with nothing else running: the yardstick.
    const idle: number[] = [];
    const idleUntil = Date.now() + 3000;
    await healthLoop(f.url, idle, () => Date.now() > idleUntil, 50);

    // Reference push rate on this server: 4 devices, batches of 100 (as npm run bench:sync).
    const refDevices = devices.slice(0, 4);
    for (const d of refDevices) d.enqueue(Math.ceil(REFERENCE / 4));
    const r0 = performance.now();
    await Promise.all(refDevices.map((d) => d.push([])));
    const refRate = (Math.ceil(REFERENCE / 4) * 4) / ((performance.now() - r0) / 1000);

    // Every device's first sync (its snapshot), a few at a time as a shift's devices come up.
    const s0 = performance.now();
    for (let i = 0; i < devices.length; i += 20) await Promise.all(devices.slice(i, i + 20).map((d) => d.pull()));
    const firstSync = performance.now() - s0;
    stats.pull.length = 0;

    // Poke streams: one per device while the run lasts (server/sync/events.ts).
    const sse = new AbortController();
    setMaxListeners(DEVICES + 10, sse.signal); // one abort listener per stream
    let sseNote = 'off (BENCH_SSE=0)';
    const pokesBefore = new Map<Device, number>();
    if (SSE) {
      const opened = await Promise.all(devices.map((d) => d.openEvents(sse.signal)));
      await sleep(500);
      const held = (await ask<{ open: number }>({ kind: 'sse' }, 'sse')).open;
      sseNote = `${opened.filter((o) => o === 'open').length} of ${devices.length} opened, the server holds ${held} SSE connections`;
      for (const d of devices) pokesBefore.set(d, d.pokes);
    }
    let sseMid = 0;

    // The steady run.
    const end = Date.now() + SECONDS * 1000;
    const over = () => Date.now() > end;
    const underLoad: number[] = [];
    const requestsBefore = stats.requests;
    const starve = starveServer(child);
    await ask({ kind: 'loop' }, 'loop'); // from here: the steady run's event-loop delay in the server
    await ask({ kind: 'nodeHttp' }, 'nodeHttp'); // and what Node's HTTP layer saw
    const ownLoop = monitorEventLoopDelay({ resolution: 10 }); // and in this process, the devices' side
    ownLoop.enable();
    const t0 = performance.now();
    await Promise.all([
      healthLoop(f.url, underLoad, over),
      (async () => {
        await sleep((SECONDS * 1000) / 2);
        if (SSE) sseMid = (await ask<{ open: number }>({ kind: 'sse' }, 'sse')).open;
      })(),
      ...devices.map(async (d) => {
        await sleep(Math.random() * Math.min(PUSH_EVERY, SECONDS) * 1000);
        let nextPull = Date.now() + Math.random() * PULL_EVERY * 1000;
        while (!over()) {
          d.enqueue(1 + Math.floor(Math.random() * 20));
          await d.push();
          if (Date.now() >= nextPull) {
            await d.pull();
            nextPull = Date.now() + PULL_EVERY * 1000;
          }
          await sleep(Math.max(0, Math.min(PUSH_EVERY * 1000 * (0.5 + Math.random()), end - Date.now())));
        }
      }),
    ]);
    starve.stop();
    const steadySeconds = (performance.now() - t0) / 1000;
    const steadyLoop = await ask<{ p50: number; p99: number; max: number }>({ kind: 'loop' }, 'loop');
    const nodeSeen = await ask<{ wait: [number, string][]; total: [number, string][] }>({ kind: 'nodeHttp' }, 'nodeHttp');
    ownLoop.disable();
    if (process.env.BENCH_SLOWEST) {
      const worst = stats.slow.filter((x) => x[1] >= t0).sort((a, b) => b[0] - a[0]).slice(0, Number(process.env.BENCH_SLOWEST));
      for (const [lat, at, what] of worst) console.log(`    slow: ${ms(lat)} from +${((at - t0) / 1000).toFixed(1)} s: ${what}`);
    }
    const steadyRequests = stats.requests - requestsBefore;

    console.log(`  first sync of ${devices.length} devices: ${(firstSync / 1000).toFixed(1)} s; poke streams: ${sseNote}`);
    console.log(`  reference push rate (4 devices, batches of 100): ${Math.round(refRate)} mutations/s`);
    console.log(`  steady: ${Math.round(steadyRequests / steadySeconds)} requests/s over ${steadySeconds.toFixed(0)} s, errors ${stats.errors}${stats.errors ? ` (${[...stats.errorKinds].map(([k, n]) => `${k} ×${n}`).join(', ')})` : ''}`);
    console.log(`    ${line('push', stats.push)}`);
    console.log(`    ${line('pull', stats.pull)}`);
    console.log(`    ${line('/health under load', underLoad)}`);
    console.log(`    ${line('/health idle', idle)}`);
    console.log(`    inside the server (GET /metrics, every request so far): ${await serverSide(f.url)}`);
    console.log(`    the server's event loop during the run: delay p50 ${ms(steadyLoop.p50)}, p99 ${ms(steadyLoop.p99)}, max ${ms(steadyLoop.max)}; the devices' process: p50 ${ms(ownLoop.percentile(50) / 1e6)}, p99 ${ms(ownLoop.percentile(99) / 1e6)}, max ${ms(ownLoop.max / 1e6)}`);
    console.log(`    Node's HTTP layer in the server, slowest: ${[...nodeSeen.wait, ...nodeSeen.total].sort((a, b) => b[0] - a[0]).slice(0, 6).map(([t, what]) => `${ms(t)} ${what}`).join('; ')}`);
    if (SSE) {
      const pokes = devices.map((d) => d.pokes - (pokesBefore.get(d) ?? 0)).sort((a, b) => a - b);
      console.log(`    poke streams: the server held ${sseMid} SSE connections mid-run; "changed" pokes per device during the run: min ${pokes[0]}, median ${pokes[Math.floor(pokes.length / 2)]}, max ${pokes[pokes.length - 1]}`);
    }
    console.log(`    push p99 ÷ /health p99 under load = ${(pct(stats.push, 99) / pct(underLoad, 99)).toFixed(1)} (aim ≤ 10)`);

    // The burst: every device pushes BURST queued mutations at the same instant.
    if (BURST > 0) {
      const burst: number[] = [];
      const errorsBefore = stats.errors;
      for (const d of devices) d.enqueue(BURST);
      const queued = devices.reduce((n, d) => n + d.outbox.length, 0);
      const b0 = performance.now();
      await Promise.all(devices.map((d) => d.push(burst)));
      // A device whose push failed sends its outbox again, as after any error.
      for (let round = 0; round < 5 && devices.some((d) => d.outbox.length); round++) await Promise.all(devices.map((d) => d.push(burst)));
      const drain = queued / ((performance.now() - b0) / 1000);
      console.log(`  burst: ${devices.length} devices × ${BURST} queued mutations at once: ${queued} in ${((performance.now() - b0) / 1000).toFixed(1)} s, errors ${stats.errors - errorsBefore}`);
      console.log(`    ${line('push', burst)}; p99 ÷ p50 = ${(pct(burst, 99) / pct(burst, 50)).toFixed(2)} (aim ≤ 5)`);
      console.log(`    drained at ${Math.round(drain)} mutations/s = ${(drain / refRate).toFixed(2)} of the reference push rate (aim ≥ 0.5)`);
    }
    sse.abort();

    // Nothing lost, nothing doubled.
    const all = [...devices.flatMap((d) => [...d.acked.values()])];
    const left = devices.reduce((n, d) => n + d.outbox.length, 0);
    const v = await ask<{ audits: [string, number][]; results: [string, number][] }>({ kind: 'verify', ids: all.map((a) => a.m.id) }, 'verified');
    const audits = new Map(v.audits);
    const results = new Map(v.results);
    const badAudit = all.filter((a) => audits.get(a.m.id) !== 1).length;
    const badResult = all.filter((a) => results.get(a.m.id) !== 1).length;
    const after = new Map((await ask<{ rows: [string, number][] }>({ kind: 'stages' }, 'stages')).rows);
    const added = new Map<string, number>();
    for (const a of all) {
      if (a.m.name === 'job.progress' && a.status === 'applied') added.set(a.m.args.stageId as string, (added.get(a.m.args.stageId as string) ?? 0) + (a.m.args.goodQty as number));
    }
    const wrongStages = [...after].filter(([id, q]) => q !== (before.get(id) ?? 0) + (added.get(id) ?? 0)).length;
    const byStatus = new Map<string, number>();
    for (const a of all) {
      const k = a.status === 'rejected' ? `rejected ${a.m.name} ${a.code}` : a.status;
      byStatus.set(k, (byStatus.get(k) ?? 0) + 1);
    }
    console.log(`  verified: ${all.length} acknowledged mutations (${[...byStatus].map(([k, n]) => `${n} ${k}`).join(', ')}), ${left} never acknowledged`);
    console.log(`    without exactly one audit entry: ${badAudit}; without exactly one stored result: ${badResult}; stages whose good count differs from the acknowledged progress: ${wrongStages}`);
    if (badAudit || badResult || wrongStages || left) process.exitCode = 1;
  } finally {
    child.send({ kind: 'close' });
    await new Promise((ok) => child.once('exit', ok));
  }
}

if (process.argv.includes('--serve')) {
  await serve(process.argv[process.argv.indexOf('--serve') + 1], DEVICES, BENCH_METRICS_TOKEN);
} else {
  console.log(`Barron PMS load benchmark: ${DEVICES} devices; pushes every ~${PUSH_EVERY} s, pulls every ${PULL_EVERY} s`);
  for (const kind of benchKinds()) {
    await withBenchDatabase(kind, (url) => loadOne(kind === 'sqlite' ? 'SQLite (better-sqlite3, WAL)' : 'MariaDB / MySQL (mysql2)', url));
  }
  if (!process.env.BENCH_DATABASE_URL) console.log('\n(set BENCH_DATABASE_URL=mysql://… to run the same load on MySQL/MariaDB)');
}
