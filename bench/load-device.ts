// bench:load's devices (the parent process): each with its own session, client id, outbox and
// poke stream, pushing and pulling over real HTTP; Stats collects what they measured.
import { get as httpGet } from 'node:http';
import { uuidv7 } from '../sync/ids';
import type { Fixture } from './load-server';

export interface Sent { id: string; seq: number; name: string; args: Record<string, unknown>; at: string }

export class Stats {
  readonly push: number[] = [];
  readonly pull: number[] = [];
  readonly health: number[] = [];
  /** The slowest requests: [latency ms, start ms (performance.now()), what]. */
  readonly slow: [number, number, string][] = [];
  errors = 0;
  requests = 0;
  readonly errorKinds = new Map<string, number>();
  error(kind: string) {
    this.errors++;
    this.errorKinds.set(kind, (this.errorKinds.get(kind) ?? 0) + 1);
  }
}

export const pct = (xs: number[], p: number) => {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};
export const ms = (x: number) => (x >= 1000 ? `${(x / 1000).toFixed(2)} s` : `${x.toFixed(1)} ms`);
export const line = (label: string, xs: number[]) => `${label}: n ${xs.length}, p50 ${ms(pct(xs, 50))}, p95 ${ms(pct(xs, 95))}, p99 ${ms(pct(xs, 99))}`;
export const sleep = (t: number) => new Promise((ok) => setTimeout(ok, t));

export class Device {
  readonly clientId = uuidv7();
  private seq = 0;
  readonly outbox: Sent[] = [];
  cursor = '';
  /** Every mutation the server acknowledged (a result in a 200, or in a 409/503's details), with its result. */
  readonly acked = new Map<string, { m: Sent; status: string; code?: string }>();

  constructor(readonly f: Fixture, readonly d: Fixture['devices'][number], readonly stats: Stats) {}

  private pick<T>(xs: T[]) {
    return xs[Math.floor(Math.random() * xs.length)];
  }

  /** A realistic mutation of an operator: mostly counts, some rejects, a few ticket comments. */
  enqueue(n: number) {
    const stages = this.f.stages.filter((s) => s.departmentId === this.d.departmentId);
    const machines = this.f.machines.filter((m) => m.departmentId === this.d.departmentId);
    const tickets = this.f.tickets.filter((t) => t.departmentId === this.d.departmentId);
    for (let i = 0; i < n; i++) {
      const r = Math.random();
      const at = new Date().toISOString();
      let m: Omit<Sent, 'seq' | 'id' | 'at'>;
      if (r < 0.7 || !machines.length) m = { name: 'job.progress', args: { id: uuidv7(), stageId: this.pick(stages).id, goodQty: 1 + Math.floor(Math.random() * 5), rejectQty: 0, confirmOverPlan: true } };
      else if (r < 0.9 || !tickets.length) m = { name: 'reject.create', args: { id: uuidv7(), machineId: this.pick(machines).id, defectCodeId: this.pick(this.f.defects), quantity: 1 + Math.floor(Math.random() * 3) } };
      else m = { name: 'maintenance.comment', args: { id: uuidv7(), ticketId: this.pick(tickets).id, note: 'Load test: checked, still running' } };
      this.outbox.push({ id: uuidv7(), seq: ++this.seq, at, ...m });
    }
  }

  private async request(path: string, init: RequestInit) {
    this.stats.requests++;
    return fetch(`${this.f.url}${path}`, { ...init, headers: { 'content-type': 'application/json', authorization: `Bearer ${this.d.token}`, ...(init.headers ?? {}) } });
  }

  private record(results: { id: string; seq: number; status: string; code?: string }[]) {
    for (const r of results) {
      const m = this.outbox.find((x) => x.id === r.id) ?? this.acked.get(r.id)?.m;
      if (m) this.acked.set(r.id, { m, status: r.status, code: r.code });
    }
  }

  /** Sends the outbox as a device does, 100 at a time; what the server acknowledged leaves it. */
  async push(times = this.stats.push) {
    while (this.outbox.length) {
      const batch = this.outbox.slice(0, 100);
      const t0 = performance.now();
      let res: Response;
      try {
        res = await this.request('/api/sync/push', { method: 'POST', body: JSON.stringify({ clientId: this.clientId, schemaVersion: 1, mutations: batch }) });
      } catch (err) {
        this.stats.error(`push network ${(err as { cause?: { code?: string } }).cause?.code ?? String(err)}`);
        return;
      }
      const body = (await res.json()) as any;
      times.push(performance.now() - t0);
      this.stats.slow.push([performance.now() - t0, t0, `push ${batch.length}`]);
      if (res.status !== 200) {
        this.stats.error(`push ${res.status} ${body?.error?.code ?? ''}`);
        const details = body?.error?.details?.[0];
        if (details?.results) this.record(details.results);
        if (details?.lastSeq !== undefined) this.drop(details.lastSeq);
        return; // the device tries again at its next push
      }
      this.record(body.results);
      this.drop(body.lastSeq);
    }
  }

  private drop(lastSeq: number) {
    while (this.outbox.length && this.outbox[0].seq <= lastSeq) this.outbox.shift();
  }

  async pull() {
    for (let page = 0; page < 200; page++) {
      const t0 = performance.now();
      let res: Response;
      try {
        res = await this.request(`/api/sync/pull?clientId=${this.clientId}&limit=500${this.cursor ? `&cursor=${this.cursor}` : ''}`, { method: 'GET' });
      } catch (err) {
        this.stats.error(`pull network ${(err as { cause?: { code?: string } }).cause?.code ?? String(err)}`);
        return;
      }
      const body = (await res.json()) as any;
      this.stats.pull.push(performance.now() - t0);
      this.stats.slow.push([performance.now() - t0, t0, `pull page ${page + 1}, ${body?.changes?.length ?? 0} changes`]);
      if (res.status !== 200) {
        this.stats.error(`pull ${res.status} ${body?.error?.code ?? ''}`);
        return;
      }
      this.cursor = body.cursor;
      if (!body.hasMore) return;
    }
  }

  /** "changed" messages this device's poke stream brought (server/sync/events.ts). */
  pokes = 0;

  /**
   * The poke stream (GET /api/sync/events), held open for the run and read as a device reads it:
   * every `event: changed` counts. A real device pulls at once on a poke; here the pulls keep their
   * 10 s schedule so that the load stays the one the issue describes (the pokes are counted instead).
   */
  async openEvents(signal: AbortSignal): Promise<'open' | 'failed'> {
    // Through node:http, not fetch: fetch's pool would put the 200 long-lived streams in the same
    // client as every push and pull of this process (see docs/performance.md).
    const u = new URL(`${this.f.url}/api/sync/events?clientId=${this.clientId}`);
    return new Promise((ok) => {
      const req = httpGet({ hostname: u.hostname, port: u.port, path: u.pathname + u.search, agent: false, signal, headers: { authorization: `Bearer ${this.d.token}`, accept: 'text/event-stream' } }, (res) => {
        if (res.statusCode !== 200) {
          this.stats.error(`events ${res.statusCode}`);
          res.resume();
          return ok('failed');
        }
        ok('open');
        res.setEncoding('utf8');
        let buf = '';
        res.on('data', (chunk: string) => {
          buf += chunk;
          let cut: number;
          while ((cut = buf.indexOf('\n\n')) >= 0) {
            if (buf.slice(0, cut).split('\n').includes('event: changed')) this.pokes++;
            buf = buf.slice(cut + 2);
          }
        });
        res.on('end', () => {
          if (!signal.aborted) this.stats.error('events stream ended early');
        });
        res.on('error', () => {
          if (!signal.aborted) this.stats.error('events stream broke');
        });
      });
      req.on('error', (err) => {
        if (signal.aborted) return;
        this.stats.error(`events network ${(err as { code?: string }).code ?? String(err)}`);
        ok('failed');
      });
    });
  }
}

