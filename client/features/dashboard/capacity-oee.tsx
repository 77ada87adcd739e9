// The dashboard's capacity and OEE sections (issue 15 §2): per machine and per department, a chart with
// a data table beside it; over capacity is red with the number, a sign and the words.
import { useMemo } from 'preact/hooks';
import type { Dashboard, OeeRow, Ratio } from '../../../sync/dashboard';
import { navigate } from '../../ui/router';
import { Chart, type ChartSpec } from '../../ui/chart';
import { DataTable, type Column } from '../../ui/data-table';
import { Link } from '../../ui/components';
import { hours, isOver, pct, period } from './format';
import { links } from './links';
type Capacity = Dashboard['capacity'][number];
type CapMachine = Capacity['machines'][number];
type CapDept = Capacity['departments'][number];
type Oee = Dashboard['oee'][number];
type OeeMachine = Oee['machines'][number];
/** A warning sign drawn in SVG (no emoji font needed) next to the words that say the same. */
export function Warn() {
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

export function CapacitySection({ d }: { d: Dashboard }) {
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

export function OeeSection({ d, dept, index, setIndex }: { d: Dashboard; dept: string | null; index: number; setIndex: (i: number) => void }) {
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
