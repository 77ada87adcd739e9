// The plant dashboard (issue 15 §2): orders by status and lateness, capacity this week and next, OEE
// today and this week, and the alerts a manager must act on — one GET /api/dashboard, kept on the
// device (shown offline with its age), refreshed when a pull happened (the poke) at most every 5 s
// and on Refresh. Managers see the plant or narrow it to a department; supervisors their own (the
// server scopes). Every tile, chart and row opens the list behind it, filtered (links.ts).
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { ComponentChildren } from 'preact';
import { ORDER_STATUSES, type Dashboard, type OeeRow, type Ratio } from '../../../sync/dashboard';
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
import { asOf, hours, isOver, pct, period } from './format';
import { href, links } from './links';
import { spaced } from './refresh';
import './dashboard.css';

/** Refreshes on the poke are at least this far apart. */
export const REFRESH_GAP_MS = 5_000;
/** Items an alert tile lists (the list behind it has them all). */
const TILE_ITEMS = 5;

type Capacity = Dashboard['capacity'][number];
type CapMachine = Capacity['machines'][number];
type CapDept = Capacity['departments'][number];
type Oee = Dashboard['oee'][number];
type OeeMachine = Oee['machines'][number];

/** Re-renders every `ms` so "3 min ago" stays true. */
function useNow(ms: number): Date {
  const [now, setNow] = useState(() => new Date());
  useEffect(() => {
    const t = setInterval(() => setNow(new Date()), ms);
    return () => clearInterval(t);
  }, [ms]);
  return now;
}

/** A warning sign drawn in SVG (no emoji font needed) next to the words that say the same. */
function Warn() {
  return (
    <svg class="warn-icon" width="18" height="18" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2.6" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true">
      <path d="M12 3l10 18H2zM12 10v5M12 18v.5" />
    </svg>
  );
}

/** Utilisation as a number, and above 100 % in red with the sign and the words "over capacity". */
function Utilisation({ r }: { r: Ratio }) {
  if (!isOver(r)) return <span>{pct(r)}</span>;
  return <span class="over"><span class="over-num"><Warn />{pct(r)}</span> <span class="over-word">over capacity</span></span>;
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

/** A machine's code as the link (short, one line) and its name beside or under it. */
function MachineCell({ href: to, code, name }: { href: string; code: string; name: string }) {
  return <span class="machine-cell"><Link class="cell-link mono" href={to}>{code}</Link> <span class="small muted">{name}</span></span>;
}

// ── capacity ────────────────────────────────────────────────────────────────

/** Over 100 %: red; the label carries "⚠" and the table the words, so colour is never the only sign. */
const OVER_COLOUR = '#a8001c';
const UNDER_COLOUR = '#0072B2';

function capacityColumns(c: Capacity): Column<CapMachine>[] {
  return [
    { key: 'code', label: 'Machine', value: (r) => r.code, render: (r) => <MachineCell href={links.capacity(c.from, r.departmentId)} code={r.code} name={r.name} /> },
    // The load next to the machine: on a phone the hours behind it are the part that scrolls.
    { key: 'utilisation', label: 'Load', value: (r) => r.utilisation, render: (r) => <Utilisation r={r.utilisation} />, numeric: true },
    { key: 'scheduledHours', label: 'Scheduled', value: (r) => r.scheduledHours, render: (r) => hours(r.scheduledHours), numeric: true },
    { key: 'availableHours', label: 'Available', value: (r) => r.availableHours, render: (r) => hours(r.availableHours), numeric: true },
  ];
}

function DeptLoad({ c, r }: { c: Capacity; r: CapDept }) {
  const over = isOver(r.utilisation);
  const width = r.utilisation == null ? 0 : Math.min(100, r.utilisation * 100);
  return (
    <Link href={links.capacity(c.from, r.departmentId)} class={`item dept-load${over ? ' is-over' : ''}`}>
      <span class="dl-top"><strong>{r.name}</strong><Utilisation r={r.utilisation} /></span>
      <span class="meter" aria-hidden="true"><span style={{ width: `${width}%` }} /></span>
      <span class="small muted">{hours(r.scheduledHours)} scheduled of {hours(r.availableHours)} available</span>
    </Link>
  );
}

function CapacityWeek({ c }: { c: Capacity }) {
  const spec = useMemo<ChartSpec>(() => ({
    title: `Load by machine, ${c.label.toLowerCase()} (${period(c.from, c.to)})`,
    // Nothing scheduled on any machine: the words, not an empty grid (the table still lists the machines).
    labels: c.machines.some((m) => m.scheduledHours > 0) ? c.machines.map((m) => `${isOver(m.utilisation) ? '⚠ ' : ''}${m.code}`) : [],
    emptyText: 'No stages scheduled on these machines in this week.',
    horizontal: true, unit: '% of available hours', format: (v) => `${v.toFixed(0)} %`, suggestedMax: 100,
    height: Math.max(160, 34 * c.machines.length + 60),
    series: [{
      label: 'Load', data: c.machines.map((m) => (m.utilisation == null ? null : Math.round(m.utilisation * 1000) / 10)),
      colors: c.machines.map((m) => (isOver(m.utilisation) ? OVER_COLOUR : UNDER_COLOUR)),
    }],
    onPick: (i) => navigate(links.capacity(c.from, c.machines[i].departmentId)),
  }), [c]);
  const columns = useMemo(() => capacityColumns(c), [c]);
  return (
    <div class="card dash-card cap-week" data-testid={`capacity-${c.label === 'This week' ? 'this' : 'next'}`}>
      <h3>{c.label} <span class="muted small">{period(c.from, c.to)}</span></h3>
      <div class="dept-loads">{c.departments.map((r) => <DeptLoad key={r.departmentId} c={c} r={r} />)}</div>
      <Chart spec={spec} />
      <DataTable caption={`Load by machine, ${c.label.toLowerCase()}`} columns={columns} rows={c.machines} />
    </div>
  );
}

function CapacitySection({ d }: { d: Dashboard }) {
  return (
    <section class="dash-section" aria-labelledby="dash-capacity">
      <h2 id="dash-capacity">Capacity</h2>
      <p class="small muted">Scheduled hours of the machine's stages / its available hours (hours per day on the shift calendar's working days).</p>
      <div class="weeks">{d.capacity.map((c) => <CapacityWeek key={c.label} c={c} />)}</div>
    </section>
  );
}

// ── OEE ─────────────────────────────────────────────────────────────────────

const OEE_FIGURES: [keyof Pick<OeeRow, 'availability' | 'performance' | 'quality' | 'oee'>, string][] = [
  ['availability', 'Availability'], ['performance', 'Performance'], ['quality', 'Quality'], ['oee', 'OEE'],
];

const OEE_COLUMNS: Column<OeeMachine>[] = [
  { key: 'code', label: 'Machine', value: (r) => r.code, render: (r) => <MachineCell href={links.machineTickets(r.machineId)} code={r.code} name={r.name} /> },
  // OEE first, then the three factors it is the product of.
  ...[OEE_FIGURES[3], ...OEE_FIGURES.slice(0, 3)].map(([k, label]): Column<OeeMachine> => ({ key: k, label, value: (r) => r[k], render: (r) => k === 'oee' ? <strong>{pct(r[k])}</strong> : pct(r[k]), numeric: true })),
  { key: 'goodCount', label: 'Good / total', value: (r) => r.goodCount, render: (r) => `${r.goodCount} / ${r.totalCount}`, numeric: true },
  { key: 'downtimeMinutes', label: 'Downtime', value: (r) => r.downtimeMinutes, render: (r) => `${r.downtimeMinutes} min`, numeric: true },
];

function OeeSection({ d, dept, index, setIndex }: { d: Dashboard; dept: string | null; index: number; setIndex: (i: number) => void }) {
  const o = d.oee[index] ?? d.oee[0];
  const spec = useMemo<ChartSpec | null>(() => o && {
    title: `OEE by machine, ${o.label.toLowerCase()} (${period(o.from, o.to)})`,
    labels: o.machines.some((m) => OEE_FIGURES.some(([k]) => m[k] != null)) ? o.machines.map((m) => m.code) : [],
    emptyText: `Nothing planned or produced ${o.label === 'Today' ? 'today' : 'this week'} yet.`,
    unit: '%', format: (v) => `${v.toFixed(0)} %`, height: 240, suggestedMax: 100,
    series: OEE_FIGURES.map(([k, label]) => ({ label, data: o.machines.map((m) => (m[k] == null ? null : Math.round((m[k] as number) * 1000) / 10)) })),
    onPick: (i) => navigate(links.machineTickets(o.machines[i].machineId)),
  }, [o]);
  if (!o || !spec) return null;
  return (
    <section class="dash-section" aria-labelledby="dash-oee">
      <h2 id="dash-oee">OEE</h2>
      <div class="chips" role="group" aria-label="OEE period">
        {d.oee.map((p, i) => <button key={p.label} type="button" class="chip" aria-pressed={i === index} onClick={() => setIndex(i)}>{p.label}</button>)}
      </div>
      <p class="small muted">Availability × performance × quality, {period(o.from, o.to)}. “—”: nothing planned or produced yet.</p>
      <div class="tiles oee-tiles" data-testid="oee-departments">
        {o.departments.map((r) => (
          <Link key={r.departmentId} href={links.stagesNow(r.departmentId ?? dept)} class="item tile oee-tile">
            <span class="tile-label">{r.name}</span>
            <span class="tile-value">{pct(r.oee)}<span class="small muted"> OEE</span></span>
            <span class="oee-factors">
              <span>Availability <strong>{pct(r.availability)}</strong></span>
              <span>Performance <strong>{pct(r.performance)}</strong></span>
              <span>Quality <strong>{pct(r.quality)}</strong></span>
            </span>
          </Link>
        ))}
      </div>
      <div class="card dash-card">
        <Chart spec={spec} />
        <DataTable caption={`OEE by machine, ${o.label.toLowerCase()}`} columns={OEE_COLUMNS} rows={o.machines} />
      </div>
    </section>
  );
}
