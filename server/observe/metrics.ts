// Prometheus metrics (decision 0033), on a registry of this app's own (tests start many apps in one
// process). GET /metrics answers them only with METRICS_TOKEN as a bearer token (docs/operations.md).
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { openSseConnections } from '../sync/events';

export interface Metrics {
  registry: Registry;
  requestSeconds: Histogram<'method' | 'route' | 'status'>;
  mutations: Counter<'name' | 'status'>;
  pullRows: Counter;
  jobRuns: Counter<'job' | 'outcome'>;
  jobSteps: Counter<'job'>;
  /** How many change streams (the poke) this process holds open. */
  sseConnections: Gauge;
  /** Server sequence − the oldest position a device active in the last 15 minutes has pulled to. */
  syncLag: Gauge;
  dbPool: Gauge<'state'>;
  /** A device's last pulled position, by client id (bounded: the oldest entries are dropped). */
  notePulled(clientId: string, seq: number): void;
}

const ACTIVE_MS = 15 * 60_000;
const MAX_CLIENTS = 10_000;

export function createMetrics(opts: { currentSeq: () => Promise<number>; pool?: () => { used: number; free: number; queued: number } | null }): Metrics {
  const registry = new Registry();
  const pulled = new Map<string, { seq: number; at: number }>();
  const m: Metrics = {
    registry,
    requestSeconds: new Histogram({
      name: 'barron_http_request_duration_seconds', help: 'HTTP request duration by route pattern and status',
      labelNames: ['method', 'route', 'status'], buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30], registers: [registry],
    }),
    mutations: new Counter({ name: 'barron_sync_mutations_total', help: 'Pushed mutations by name and outcome (applied, conflict, rejected)', labelNames: ['name', 'status'], registers: [registry] }),
    pullRows: new Counter({ name: 'barron_sync_pull_rows_total', help: 'Rows sent to devices by pull', registers: [registry] }),
    jobRuns: new Counter({ name: 'barron_job_runs_total', help: 'Background job passes by outcome', labelNames: ['job', 'outcome'], registers: [registry] }),
    jobSteps: new Counter({ name: 'barron_job_steps_total', help: 'Steps taken by background jobs (escalations, tickets opened)', labelNames: ['job'], registers: [registry] }),
    sseConnections: new Gauge({
      name: 'barron_sse_connections', help: 'Open change streams (GET /api/sync/events) in this process', registers: [registry],
      collect() { this.set(openSseConnections()); },
    }),
    syncLag: new Gauge({
      name: 'barron_sync_lag', help: 'Server change sequence minus the oldest position an active device has pulled to',
      registers: [registry],
      async collect() {
        const now = Date.now();
        let oldest = Infinity;
        for (const [id, p] of pulled) {
          if (now - p.at > ACTIVE_MS) pulled.delete(id);
          else oldest = Math.min(oldest, p.seq);
        }
        this.set(oldest === Infinity ? 0 : Math.max(0, (await opts.currentSeq()) - oldest));
      },
    }),
    dbPool: new Gauge({
      name: 'barron_db_pool_connections', help: 'Database pool connections by state (MariaDB/MySQL; SQLite has one connection)',
      labelNames: ['state'], registers: [registry],
      collect() {
        const p = opts.pool?.();
        if (!p) return;
        this.set({ state: 'used' }, p.used);
        this.set({ state: 'free' }, p.free);
        this.set({ state: 'queued' }, p.queued);
      },
    }),
    notePulled(clientId, seq) {
      pulled.delete(clientId);
      pulled.set(clientId, { seq, at: Date.now() });
      if (pulled.size > MAX_CLIENTS) pulled.delete(pulled.keys().next().value as string);
    },
  };
  return m;
}
