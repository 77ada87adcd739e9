// The Quality page (issue 11 §5): Pareto of reject quantity by defect code, machine and department,
// scrap rate and first-pass yield per week, department and product — each chart with a sortable
// table of the same figures under it — period presets, a CSV download, and the last report kept on
// the device, shown offline "as of" when it was fetched.
import { useEffect, useMemo, useState } from 'preact/hooks';
import type { ParetoRow, QualityReport, YieldRow } from '../../../sync/quality-report';
import { useSession } from '../../app-state';
import { useLive } from '../../db/live';
import { keepReport, keptReport } from '../../db/reports';
import { Chart, type ChartSpec } from '../../ui/chart';
import { DataTable, type Column } from '../../ui/data-table';
import { Field, FormError, Loading, PageHead, SelectField } from '../../ui/components';
import { errorMessage } from '../../app-state';
import { when } from '../../ui/format';
import { useLookups } from '../shared/lookups';
import './quality.css';

const day = (d: Date) => d.toISOString().slice(0, 10);
const addDays = (d: Date, n: number) => new Date(d.getTime() + n * 86_400_000);

/** Period presets on UTC days (decision 0004). */
export function presets(now = new Date()): { key: string; label: string; from: string; to: string }[] {
  const today = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
  const monthStart = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), 1));
  const lastMonthStart = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth() - 1, 1));
  const quarterStart = new Date(Date.UTC(today.getUTCFullYear(), Math.floor(today.getUTCMonth() / 3) * 3, 1));
  return [
    { key: '7d', label: 'Last 7 days', from: day(addDays(today, -6)), to: day(today) },
    { key: '30d', label: 'Last 30 days', from: day(addDays(today, -29)), to: day(today) },
    { key: 'month', label: 'This month', from: day(monthStart), to: day(today) },
    { key: 'last-month', label: 'Last month', from: day(lastMonthStart), to: day(addDays(monthStart, -1)) },
    { key: 'quarter', label: 'This quarter', from: day(quarterStart), to: day(today) },
  ];
}

const pct = (v: number | null) => (v == null ? '—' : `${(v * 100).toFixed(1)} %`);
const pct100 = (v: number) => `${v.toFixed(1)} %`;

const PARETO_COLUMNS: Column<ParetoRow>[] = [
  { key: 'label', label: 'Name', value: (r) => r.label },
  { key: 'quantity', label: 'Rejected parts', value: (r) => r.quantity, numeric: true },
  { key: 'cumulativePct', label: 'Cumulative %', value: (r) => r.cumulativePct, render: (r) => pct100(r.cumulativePct), numeric: true },
];

const YIELD_COLUMNS = (name: string): Column<YieldRow>[] => [
  { key: 'label', label: name, value: (r) => r.label },
  { key: 'unitsIn', label: 'Units in', value: (r) => r.unitsIn, numeric: true },
  { key: 'scrapped', label: 'Scrapped', value: (r) => r.scrapped, numeric: true },
  { key: 'reworked', label: 'Reworked', value: (r) => r.reworked, numeric: true },
  { key: 'scrapRate', label: 'Scrap rate', value: (r) => r.scrapRate, render: (r) => pct(r.scrapRate), numeric: true },
  { key: 'firstPassYield', label: 'First-pass yield', value: (r) => r.firstPassYield, render: (r) => pct(r.firstPassYield), numeric: true },
];

function paretoSpec(title: string, rows: ParetoRow[]): ChartSpec {
  return {
    title, labels: rows.map((r) => r.label), unit: 'parts', rightUnit: 'cumulative %', rightMax: 100,
    series: [
      { label: 'Rejected parts', data: rows.map((r) => r.quantity) },
      { label: 'Cumulative %', data: rows.map((r) => r.cumulativePct), kind: 'line', axis: 'right', format: pct100 },
    ],
  };
}

function yieldSpec(title: string, rows: YieldRow[], kind: 'bar' | 'line'): ChartSpec {
  return {
    title, labels: rows.map((r) => r.label), kind, unit: '%',
    format: (v) => `${v.toFixed(1)} %`,
    series: [
      { label: 'First-pass yield', data: rows.map((r) => (r.firstPassYield == null ? null : r.firstPassYield * 100)) },
      { label: 'Scrap rate', data: rows.map((r) => (r.scrapRate == null ? null : r.scrapRate * 100)) },
    ],
  };
}

function DateField({ label, value, onValue, error }: { label: string; value: string; onValue: (v: string) => void; error?: string }) {
  return (
    <Field label={label} error={error}>
      {(id, d) => <input id={id} class="input" type="date" value={value} aria-invalid={!!error} aria-describedby={d} onInput={(e) => onValue(e.currentTarget.value)} />}
    </Field>
  );
}

const IS_DAY = /^\d{4}-\d{2}-\d{2}$/;

/** What is wrong with a period before asking the server (the server checks the same). */
function checkPeriod(from: string, to: string): { field: 'from' | 'to'; message: string } | null {
  if (!IS_DAY.test(from)) return { field: 'from', message: 'Choose the first day.' };
  if (!IS_DAY.test(to)) return { field: 'to', message: 'Choose the last day.' };
  if (from > to) return { field: 'from', message: 'The first day must not be after the last.' };
  return null;
}

export default function QualityPage() {
  const { app, db, user } = useSession();
  const lookups = useLookups(db);
  const kept = useLive(() => keptReport<QualityReport>(db, 'quality'), [db]);
  const all = presets();
  const [preset, setPreset] = useState('30d');
  const [from, setFrom] = useState(all[1].from);
  const [to, setTo] = useState(all[1].to);
  const [departmentId, setDepartmentId] = useState('');
  const [productId, setProductId] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [downloading, setDownloading] = useState(false);

  const periodError = checkPeriod(from, to);
  const qs = new URLSearchParams({ from, to, ...(departmentId ? { departmentId } : {}), ...(productId ? { productId } : {}) }).toString();

  useEffect(() => {
    if (periodError) return;
    let live = true;
    setLoading(true);
    setError(null);
    app.request<QualityReport>(`/api/reports/quality?${qs}`)
      .then(async (report) => { if (live) await keepReport(db, 'quality', { query: qs, report, fetchedAt: new Date().toISOString() }); })
      .catch((err) => live && setError(errorMessage(err)))
      .finally(() => live && setLoading(false));
    return () => { live = false; };
  }, [qs, app.online.value]);

  async function downloadCsv() {
    setDownloading(true);
    try {
      const blob = await app.engine.value!.client.request<Blob>(`/api/reports/quality?${qs}&format=csv`, { as: 'blob' });
      const url = URL.createObjectURL(blob);
      const a = document.createElement('a');
      a.href = url;
      a.download = `quality-${from}-${to}.csv`;
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (err) {
      setError(`The CSV could not be downloaded: ${errorMessage(err)}`);
    } finally {
      setDownloading(false);
    }
  }

  const report = kept?.report;
  const stale = !!kept && (kept.query !== qs || !!error);
  const specs = useMemo(() => report && {
    defect: paretoSpec('Rejected parts by defect code (Pareto)', report.pareto.byDefectCode),
    machine: paretoSpec('Rejected parts by machine (Pareto)', report.pareto.byMachine),
    department: paretoSpec('Rejected parts by department (Pareto)', report.pareto.byDepartment),
    week: yieldSpec('First-pass yield and scrap rate by week', report.byWeek, 'line'),
    byDepartment: yieldSpec('First-pass yield and scrap rate by department', report.byDepartment, 'bar'),
    byProduct: yieldSpec('First-pass yield and scrap rate by product', report.byProduct, 'bar'),
  }, [report]);
  if (kept === undefined && loading) return <Loading />;
  const departments = lookups ? [...lookups.departments.values()].filter((d) => d.active).sort((a, b) => a.name.localeCompare(b.name)) : [];
  const products = lookups ? [...lookups.products.values()].sort((a, b) => a.sku.localeCompare(b.sku)) : [];

  return (
    <>
      <PageHead title="Quality">
        <button class="btn" type="button" disabled={downloading || !app.online.value} onClick={downloadCsv}>{downloading ? 'Downloading…' : 'Download CSV'}</button>
      </PageHead>
      <form class="card quality-section" onSubmit={(e) => e.preventDefault()} aria-label="Report period and filters">
        <div class="chips" role="group" aria-label="Period">
          {all.map((p) => (
            <button key={p.key} type="button" class="chip" aria-pressed={preset === p.key} onClick={() => { setPreset(p.key); setFrom(p.from); setTo(p.to); }}>{p.label}</button>
          ))}
        </div>
        <div class="grid two">
          <DateField label="From" value={from} error={periodError?.field === 'from' ? periodError.message : undefined} onValue={(v) => { setPreset(''); setFrom(v); }} />
          <DateField label="To" value={to} error={periodError?.field === 'to' ? periodError.message : undefined} onValue={(v) => { setPreset(''); setTo(v); }} />
          {user.role === 'supervisor' ? null : (
            <SelectField label="Department" value={departmentId} onValue={setDepartmentId} placeholder="All departments"
              options={departments.map((d) => ({ value: d.id, label: d.name }))} />
          )}
          <SelectField label="Product" value={productId} onValue={setProductId} placeholder="All products"
            options={products.map((p) => ({ value: p.id, label: `${p.sku} — ${p.name}` }))} />
        </div>
      </form>
      <FormError message={error && !kept ? error : null} />
      {kept && stale && (
        <p class="report-notice" role="status" data-testid="report-as-of">
          {error ? `${error} ` : 'Loading the new period… '}Showing the report of {kept.report.from} to {kept.report.to} as of {when(kept.fetchedAt)}.
        </p>
      )}
      {!stale && kept && <p class="small muted" data-testid="report-fresh">{kept.report.from} to {kept.report.to} · as of {when(kept.fetchedAt)}</p>}
      {report && specs && (
        <>
          <div class="grid two kpis" data-testid="quality-kpis">
            <div class="card flat"><h2>First-pass yield</h2><p class="qty">{pct(report.firstPassYield)}</p><p class="small muted">(units in − scrap − rework) / units in</p></div>
            <div class="card flat"><h2>Scrap rate</h2><p class="qty">{pct(report.scrapRate)}</p><p class="small muted">scrapped / produced</p></div>
            <div class="card flat"><h2>Units in</h2><p class="qty">{report.totals.unitsIn}</p><p class="small muted">{report.totals.scrapped} scrapped · {report.totals.reworked} reworked</p></div>
            <div class="card flat"><h2>Rejected parts</h2><p class="qty">{report.totals.rejected}</p><p class="small muted">in {report.totals.rejects} rejects</p></div>
          </div>
          <section class="card quality-section" data-testid="chart-defects">
            <Chart spec={specs.defect} />
            <DataTable caption="Rejected parts by defect code" columns={PARETO_COLUMNS} rows={report.pareto.byDefectCode} />
          </section>
          <section class="card quality-section" data-testid="chart-machines">
            <Chart spec={specs.machine} />
            <DataTable caption="Rejected parts by machine" columns={PARETO_COLUMNS} rows={report.pareto.byMachine} />
          </section>
          <section class="card quality-section">
            <Chart spec={specs.department} />
            <DataTable caption="Rejected parts by department" columns={PARETO_COLUMNS} rows={report.pareto.byDepartment} />
          </section>
          <section class="card quality-section">
            <Chart spec={specs.week} />
            <DataTable caption="Yield by week" columns={YIELD_COLUMNS('Week')} rows={report.byWeek} />
          </section>
          <section class="card quality-section">
            <Chart spec={specs.byDepartment} />
            <DataTable caption="Yield by department" columns={YIELD_COLUMNS('Department')} rows={report.byDepartment} />
          </section>
          <section class="card quality-section">
            <Chart spec={specs.byProduct} />
            <DataTable caption="Yield by product" columns={YIELD_COLUMNS('Product')} rows={report.byProduct} />
          </section>
        </>
      )}
    </>
  );
}
