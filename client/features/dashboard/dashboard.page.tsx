// The plant dashboard (issue 15 §2): orders by status and lateness, capacity this week and next, OEE
// today and this week, and the alerts a manager must act on — one GET /api/dashboard, kept on the
// device (shown offline with its age), refreshed when a pull happened (the poke) at most every 5 s
// and on Refresh. Managers see the plant or narrow it to a department; supervisors their own (the
// server scopes). Every tile, chart and row opens the list behind it, filtered (links.ts).
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { ComponentChildren } from 'preact';
import { ORDER_STATUSES, type Dashboard } from '../../../sync/dashboard';
import { errorMessage, useSession } from '../../app-state';
import { useLive } from '../../db/live';
import { keepReport, keptReport } from '../../db/reports';
import { NetworkError } from '../../sync/api';
import { Chart, type ChartSpec } from '../../ui/chart';
import { DataTable, type Column } from '../../ui/data-table';
import { FormError, Link, Loading, PageHead, SelectField } from '../../ui/components';
import { formatTime, words } from '../../ui/format';
import { navigate, path, query } from '../../ui/router';
import { useLookups } from '../shared/lookups';
import { localToday } from '../planning/board';
import { asOf, pct, period } from './format';
import { href, links } from './links';
import { spaced } from './refresh';
import { CapacitySection, OeeSection, Warn } from './capacity-oee';
import './dashboard.css';

/** Refreshes on the poke are at least this far apart. */
export const REFRESH_GAP_MS = 5_000;
/** Items an alert tile lists (the list behind it has them all). */
const TILE_ITEMS = 5;


/** Re-renders every `ms` so "3 min ago" stays true. */
function useNow(ms: number): Date {
  const [now, setNow] = useState(() => new Date());
  useEffect(() => {
    const t = setInterval(() => setNow(new Date()), ms);
    return () => clearInterval(t);
  }, [ms]);
  return now;
}


export default function DashboardPage() {
  const { app, db, user } = useSession();
  const lookups = useLookups(db);
  const now = useNow(30_000);
  const supervisor = user.role === 'supervisor';
  const departmentId = supervisor ? '' : query(path.value).get('departmentId') ?? '';
  const today = localToday();
  const qs = new URLSearchParams({ ...(departmentId ? { departmentId } : {}), today }).toString();
  const name = departmentId ? `dashboard:${departmentId}` : 'dashboard';
  const kept = useLive(() => keptReport<Dashboard>(db, name), [db, name]);
  const [error, setError] = useState<{ message: string; offline: boolean } | null>(null);
  const [loading, setLoading] = useState(false);
  const [oeePeriod, setOeePeriod] = useState(0);

  // One fetch at a time per scope; an answer is kept under the scope it was asked for.
  const latest = useRef({ qs, name });
  latest.current = { qs, name };
  const spacer = useMemo(() => spaced(() => {
    const { qs: q, name: n } = latest.current;
    setLoading(true);
    app.request<Dashboard>(`/api/dashboard?${q}`)
      .then(async (d) => {
        await keepReport(db, n, { query: q, report: d, fetchedAt: new Date().toISOString() });
        if (latest.current.name === n) setError(null);
      })
      .catch((err) => {
        if (latest.current.name === n) setError({ message: errorMessage(err), offline: err instanceof NetworkError });
      })
      .finally(() => setLoading(false));
  }, REFRESH_GAP_MS), [app, db]);
  useEffect(() => () => spacer.stop(), [spacer]);

  // A new scope (or coming back online) fetches at once; a pull that happened (the poke, the
  // scheduler's pass) asks for a refresh, spaced.
  const online = app.online.value;
  useEffect(() => {
    setError(null);
    if (online) spacer.now();
  }, [qs, online]);
  const lastSyncAt = app.sync.value.lastSyncAt;
  const seenSync = useRef(lastSyncAt);
  useEffect(() => {
    if (lastSyncAt === seenSync.current) return;
    seenSync.current = lastSyncAt;
    if (online) spacer.request();
  }, [lastSyncAt]);

  const d = kept?.report;
  const departments = lookups ? [...lookups.departments.values()].filter((x) => x.active && !x.deletedAt).sort((a, b) => a.name.localeCompare(b.name)) : [];
  const scopeName = d?.scope.departmentName ?? (departmentId ? lookups?.departments.get(departmentId)?.name ?? null : null);

  if (kept === undefined) return <Loading />;
  return (
    <div class="dash">
      <PageHead title="Dashboard">
        <Link class="btn" href={links.floorNow(departmentId ? lookups?.departments.get(departmentId)?.code : null)} data-testid="dashboard-floor">Floor now</Link>
        <button class="btn" type="button" disabled={loading || !online} onClick={() => spacer.now()} data-testid="dashboard-refresh">
          {loading ? 'Refreshing…' : 'Refresh'}
        </button>
      </PageHead>
      <div class="dash-scope">
        {supervisor ? (
          <p class="scope-name" data-testid="dashboard-scope"><span class="muted">Department</span> <strong>{scopeName ?? '—'}</strong></p>
        ) : (
          <div class="scope-select">
            <SelectField label="Department" value={departmentId} placeholder="Whole plant"
              options={departments.map((x) => ({ value: x.id, label: x.name }))}
              onValue={(v) => navigate(href('/dashboard', { departmentId: v }), true)} />
          </div>
        )}
        {kept && (
          <p class={error || !online ? 'dash-age stale' : 'dash-age'} role="status" data-testid="dashboard-age">
            {!online || error?.offline ? 'Offline: showing the dashboard ' : error ? `${error.message} Showing the dashboard ` : 'Figures '}
            {asOf(kept.fetchedAt, now)}
          </p>
        )}
      </div>
      {!kept && (error ? <FormError message={error.offline ? 'Offline, and this device has no copy of the dashboard yet. Connect to load it.' : error.message} />
        : !online ? <FormError message="Offline, and this device has no copy of the dashboard yet. Connect to load it." /> : <Loading />)}
      {d && <Body d={d} departmentId={departmentId || null} oeePeriod={oeePeriod} setOeePeriod={setOeePeriod} now={now} />}
    </div>
  );
}

function Body({ d, departmentId, oeePeriod, setOeePeriod, now }: {
  d: Dashboard; departmentId: string | null; oeePeriod: number; setOeePeriod: (i: number) => void; now: Date;
}) {
  const dept = d.scope.departmentId ?? departmentId;
  return (
    <>
      <OrdersSection d={d} />
      <AlertsSection d={d} dept={dept} now={now} />
      <CapacitySection d={d} />
      <OeeSection d={d} dept={dept} index={oeePeriod} setIndex={setOeePeriod} />
    </>
  );
}

// ── orders ──────────────────────────────────────────────────────────────────

/** A figure that opens its list: the whole tile is the link. */
function Tile({ href: to, label, value, note, tone, testid }: {
  href: string; label: string; value: ComponentChildren; note?: ComponentChildren; tone?: 'bad' | 'ok' | 'warn'; testid?: string;
}) {
  return (
    <Link href={to} class={`item tile${tone ? ` t-${tone}` : ''}`} data-testid={testid}>
      <span class="tile-label">{label}</span>
      <span class="tile-value">{value}</span>
      {note && <span class="tile-note">{note}</span>}
    </Link>
  );
}

const STATUS_COLUMNS: Column<{ status: (typeof ORDER_STATUSES)[number]; count: number }>[] = [
  { key: 'status', label: 'Status', value: (r) => words(r.status), render: (r) => <Link class="cell-link" href={links.ordersByStatus(r.status)}>{statusName(r.status)}</Link> },
  { key: 'count', label: 'Orders', value: (r) => r.count, numeric: true },
];

function statusName(s: string) {
  const w = words(s);
  return w[0].toUpperCase() + w.slice(1);
}

function OrdersSection({ d }: { d: Dashboard }) {
  const o = d.orders;
  const open = o.byStatus.draft + o.byStatus.released + o.byStatus.in_progress + o.byStatus.on_hold;
  const rows = ORDER_STATUSES.map((status) => ({ status, count: o.byStatus[status] }));
  const spec = useMemo<ChartSpec>(() => ({
    title: 'Orders by status', labels: rows.map((r) => statusName(r.status)), unit: 'orders', height: 200, integers: true,
    series: [{ label: 'Orders', data: rows.map((r) => r.count) }],
    onPick: (i) => navigate(links.ordersByStatus(rows[i].status)),
  }), [d]);
  const otd = o.onTimeDelivery;
  return (
    <section class="dash-section" aria-labelledby="dash-orders">
      <h2 id="dash-orders">Orders</h2>
      <div class="tiles four" data-testid="order-tiles">
        <Tile testid="tile-late" href={links.ordersLate()} label="Late" tone={o.late > 0 ? 'bad' : 'ok'}
          value={<>{o.late > 0 && <Warn />}{o.late}</>} note="open orders past their due day" />
        <Tile testid="tile-due-week" href={links.ordersDueThisWeek()} label="Due this week" value={o.dueThisWeek}
          note={`open orders due ${period(d.week.from, d.week.to)}`} />
        <Tile testid="tile-on-time" href={links.ordersCompleted()} label="On-time delivery" value={pct(otd.ratio)}
          note={otd.linesDue === 0 ? `no lines due ${period(otd.from, otd.to)}` : `${otd.linesOnTime} of ${otd.linesDue} lines on time, ${period(otd.from, otd.to)}`} />
        <Tile testid="tile-open" href={links.ordersOpen()} label="Open orders" value={open}
          note={`${o.byStatus.in_progress} in progress · ${o.byStatus.on_hold} on hold`} tone={o.byStatus.on_hold > 0 ? 'warn' : undefined} />
      </div>
      <div class="card dash-card split">
        <Chart spec={spec} />
        <DataTable caption="Orders by status" columns={STATUS_COLUMNS} rows={rows} />
      </div>
    </section>
  );
}

// ── alerts ──────────────────────────────────────────────────────────────────

function AlertTile({ title, head, count, children, more, testid }: {
  title: string; head: ComponentChildren; count: number; children?: ComponentChildren; more?: { href: string; label: string }; testid: string;
}) {
  return (
    <section class={`alert-tile${count > 0 ? ' has' : ''}`} data-testid={testid} aria-label={title}>
      <h3>{title}</h3>
      <div class="alert-head">{head}</div>
      {count > 0 && <ul class="alert-items">{children}</ul>}
      {more && <Link class="alert-more" href={more.href}>{more.label}</Link>}
    </section>
  );
}

/** The count as the link to its list: "3 awaiting review", or "None" with a tick. */
function CountLink({ href: to, n, what, tone = 'bad' }: { href: string; n: number; what: string; tone?: 'bad' | 'warn' }) {
  return (
    <Link href={to} class={`count-link${n > 0 ? ` c-${tone}` : ' c-none'}`}>
      {n > 0 ? <><Warn /><strong>{n}</strong> {what}</> : <>✓ None {what}</>}
    </Link>
  );
}

function AlertsSection({ d, dept, now }: { d: Dashboard; dept: string | null; now: Date }) {
  const a = d.alerts;
  const more = (count: number, shown: number, to: string) => (count > shown ? { href: to, label: `All ${count} →` } : undefined);
  return (
    <section class="dash-section" aria-labelledby="dash-alerts">
      <h2 id="dash-alerts">Alerts</h2>
      <div class="alerts">
        <AlertTile testid="alert-rejects" title="Rejects awaiting review" count={a.rejectsAwaitingReview.count}
          head={<CountLink href={links.rejectsOpen(dept)} n={a.rejectsAwaitingReview.count} what="awaiting review" />}
          more={more(a.rejectsAwaitingReview.count, Math.min(TILE_ITEMS, a.rejectsAwaitingReview.items.length), links.rejectsOpen(dept))}>
          {a.rejectsAwaitingReview.items.slice(0, TILE_ITEMS).map((r) => (
            <li key={r.id}><Link class="item" href={links.reject(r.id)}>
              <strong class="mono">{r.number}</strong> {r.quantity} × {r.defectCode ?? '—'}
              <span class="muted"> · {r.machineCode ?? 'no machine'} · {formatTime(r.createdAt)}</span>
            </Link></li>
          ))}
        </AlertTile>
        <AlertTile testid="alert-sla" title="Maintenance SLA" count={a.sla.breached + a.sla.nearBreach}
          head={<div class="row tight">
            <CountLink href={links.slaBreached()} n={a.sla.breached} what="breached" />
            <CountLink href={links.slaNear()} n={a.sla.nearBreach} what="near breach" tone="warn" />
          </div>}>
          {a.sla.items.slice(0, TILE_ITEMS).map((t) => (
            <li key={`${t.id}-${t.clock}`}><Link class="item" href={links.ticket(t.id)}>
              <span class={`tag ${t.state === 'breached' ? 'tag-bad' : 'tag-warn'}`}>{t.state === 'breached' ? 'Breached' : 'Near'}</span>{' '}
              <strong class="mono">{t.number}</strong> {t.machineCode} · P{t.priority}
              <span class="muted"> · {t.clock} due {formatTime(t.dueAt)}</span>
            </Link></li>
          ))}
        </AlertTile>
        <AlertTile testid="alert-sop" title="SOP tickets overdue" count={a.sopOverdue.count}
          head={<div class="row tight">
            <CountLink href={links.sopOverdue()} n={a.sopOverdue.count} what="overdue" />
            {a.sopOverdue.escalated > 0 && <span class="muted small">{a.sopOverdue.escalated} escalated</span>}
          </div>}
          more={more(a.sopOverdue.count, Math.min(TILE_ITEMS, a.sopOverdue.items.length), links.sopOverdue())}>
          {a.sopOverdue.items.slice(0, TILE_ITEMS).map((t) => (
            <li key={t.id}><Link class="item" href={links.sopTicket(t.id)}>
              <strong class="mono">{t.number}</strong> against {t.againstDepartmentCode}
              {t.escalationLevel > 0 && <span class="tag tag-bad">Escalated L{t.escalationLevel}</span>}
              <span class="muted"> · {words(t.status)} · due {formatTime(t.dueAt)}</span>
            </Link></li>
          ))}
        </AlertTile>
        <AlertTile testid="alert-preventive" title="Preventive maintenance due" count={a.preventiveDue.count}
          head={<CountLink href={links.preventiveDue()} n={a.preventiveDue.count} what="due within 7 days" tone="warn" />}
          more={more(a.preventiveDue.count, Math.min(TILE_ITEMS, a.preventiveDue.items.length), links.preventiveDue())}>
          {a.preventiveDue.items.slice(0, TILE_ITEMS).map((p) => {
            const overdue = new Date(p.nextDueAt).getTime() < now.getTime();
            return (
              <li key={p.id}><Link class="item" href={links.preventiveDue()}>
                {overdue && <span class="tag tag-bad">Overdue</span>} <strong class="mono">{p.machineCode}</strong> {p.task}
                <span class="muted"> · due {formatTime(p.nextDueAt)}</span>
              </Link></li>
            );
          })}
        </AlertTile>
        <AlertTile testid="alert-hold" title="Orders on hold" count={a.ordersOnHold.count}
          head={<CountLink href={links.ordersOnHold()} n={a.ordersOnHold.count} what="on hold" tone="warn" />}
          more={more(a.ordersOnHold.count, Math.min(TILE_ITEMS, a.ordersOnHold.items.length), links.ordersOnHold())}>
          {a.ordersOnHold.items.slice(0, TILE_ITEMS).map((o) => (
            <li key={o.id}><Link class="item" href={links.order(o.id)}>
              <strong class="mono">{o.number}</strong> {o.customerName}
              <span class="hold-why"> — {o.holdReason ?? 'no reason given'}</span>
            </Link></li>
          ))}
        </AlertTile>
      </div>
    </section>
  );
}
