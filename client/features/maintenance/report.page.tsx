// The maintenance report (online: GET /api/reports/maintenance): MTTR, MTBF, availability, SLA
// compliance (response and resolution apart), preventive compliance and the backlog by age — a chart,
// a table of the same figures under it, and a CSV of each table.
import { useEffect, useMemo, useState } from 'preact/hooks';
import type { Kpis } from '../../../sync/maintenance-kpi';
import { useSession } from '../../app-state';
import { Chart } from '../../ui/chart';
import { DataTable, type Column } from '../../ui/data-table';
import { FormError, Loading, PageHead } from '../../ui/components';
import { errorMessage } from '../../app-state';
import { useLookups } from '../shared/lookups';
import { MaintenanceNav } from './parts';
import './maintenance.css';

type MachineRow = Kpis & { machineId: string; code: string; name: string };
type DeptRow = Kpis & { departmentId: string; name: string };
interface Report { from: string; to: string; total: Kpis; byMachine: MachineRow[]; byDepartment: DeptRow[]; backlog: { bucket: string; count: number }[] }

const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
const show = (v: number | null, unit = '') => (v === null ? '—' : `${v}${unit}`);

function figureColumns<R extends Kpis>(): Column<R>[] {
  return [
    { key: 'mttr', label: 'MTTR (min)', value: (r) => r.mttrMinutes, numeric: true },
    { key: 'mtbf', label: 'MTBF (h)', value: (r) => r.mtbfHours, numeric: true },
    { key: 'avail', label: 'Availability %', value: (r) => r.availabilityPct, numeric: true },
    { key: 'repairs', label: 'Repairs', value: (r) => r.repairs, numeric: true },
    { key: 'down', label: 'Downtime (min)', value: (r) => r.repairDowntimeMinutes, numeric: true },
    { key: 'resp', label: 'Response % (met/due)', value: (r) => r.response.pct, render: (r) => `${show(r.response.pct, ' %')} (${r.response.met}/${r.response.due})`, numeric: true },
    { key: 'res', label: 'Resolution % (met/due)', value: (r) => r.resolution.pct, render: (r) => `${show(r.resolution.pct, ' %')} (${r.resolution.met}/${r.resolution.due})`, numeric: true },
    { key: 'prev', label: 'Preventive % (done/due)', value: (r) => r.preventive.pct, render: (r) => `${show(r.preventive.pct, ' %')} (${r.preventive.met}/${r.preventive.due})`, numeric: true },
  ];
}

export default function MaintenanceReportPage() {
  const { app, db, user } = useSession();
  const lookups = useLookups(db);
  const [from, setFrom] = useState(day(-29));
  const [to, setTo] = useState(day(0));
  const [dept, setDept] = useState('');
  const [machine, setMachine] = useState('');
  const [report, setReport] = useState<Report | null>(null);
  const [error, setError] = useState<string | null>(null);
  const qs = useMemo(() => {
    const p = new URLSearchParams({ from, to });
    if (dept) p.set('departmentId', dept);
    if (machine) p.set('machineId', machine);
    return p.toString();
  }, [from, to, dept, machine]);
  useEffect(() => {
    let gone = false;
    setError(null);
    app.request<Report>(`/api/reports/maintenance?${qs}`).then((r) => !gone && setReport(r), (e) => !gone && setError(errorMessage(e)));
    return () => { gone = true; };
  }, [qs, app.online.value]);

  async function csv(table: 'machines' | 'departments' | 'backlog') {
    try {
      const r = await app.request<{ fileName: string; csv: string }>(`/api/reports/maintenance?${qs}&format=csv-json&table=${table}`);
      const a = document.createElement('a');
      a.href = URL.createObjectURL(new Blob([r.csv], { type: 'text/csv;charset=utf-8' }));
      a.download = r.fileName;
      a.click();
      setTimeout(() => URL.revokeObjectURL(a.href), 1000);
    } catch (e) {
      setError(errorMessage(e));
    }
  }

  if (!lookups) return <Loading />;
  const depts = [...lookups.departments.values()].filter((d) => !d.deletedAt).sort((a, b) => a.name.localeCompare(b.name));
  const machines = [...lookups.machines.values()].filter((m) => !m.deletedAt && (!dept || m.departmentId === dept)).sort((a, b) => a.code.localeCompare(b.code));
  const t = report?.total;
  return (
    <>
      <PageHead title="Maintenance report" />
      <MaintenanceNav />
      <form class="filters" onSubmit={(e) => e.preventDefault()} aria-label="Period and scope">
        <label>From <input class="input" type="date" value={from} max={to} onChange={(e) => setFrom(e.currentTarget.value)} /></label>
        <label>To <input class="input" type="date" value={to} min={from} onChange={(e) => setTo(e.currentTarget.value)} /></label>
        {user.role !== 'supervisor' && (
          <select class="input" aria-label="Department" value={dept} onChange={(e) => { setDept(e.currentTarget.value); setMachine(''); }}>
            <option value="">Every department</option>
            {depts.map((d) => <option key={d.id} value={d.id}>{d.name}</option>)}
          </select>
        )}
        <select class="input" aria-label="Machine" value={machine} onChange={(e) => setMachine(e.currentTarget.value)}>
          <option value="">Every machine</option>
          {machines.map((m) => <option key={m.id} value={m.id}>{m.code} {m.name}</option>)}
        </select>
      </form>
      <FormError message={error && (app.online.value ? error : 'The report needs a connection to the server; it is read online.')} />
      {!report ? (!error && <Loading />) : (
        <>
          <div class="kpis" data-testid="report-kpis">
            <div class="kpi"><span class="v" data-testid="kpi-mttr">{show(t!.mttrMinutes, ' min')}</span>MTTR ({t!.repairs} repairs)</div>
            <div class="kpi"><span class="v" data-testid="kpi-mtbf">{show(t!.mtbfHours, ' h')}</span>MTBF ({t!.breakdowns} breakdowns)</div>
            <div class="kpi"><span class="v">{show(t!.availabilityPct, ' %')}</span>Availability</div>
            <div class="kpi"><span class="v" data-testid="kpi-response">{show(t!.response.pct, ' %')}</span>Response met ({t!.response.met} of {t!.response.due})</div>
            <div class="kpi"><span class="v" data-testid="kpi-resolution">{show(t!.resolution.pct, ' %')}</span>Resolution met ({t!.resolution.met} of {t!.resolution.due})</div>
            <div class="kpi"><span class="v">{show(t!.preventive.pct, ' %')}</span>Preventive on time ({t!.preventive.met} of {t!.preventive.due})</div>
          </div>

          <section class="card flat" aria-labelledby="by-machine-h">
            <h2 id="by-machine-h">By machine</h2>
            <Chart spec={{
              title: `MTTR and MTBF by machine, ${report.from} to ${report.to}`,
              labels: report.byMachine.map((m) => m.code),
              series: [
                { label: 'MTTR (min)', data: report.byMachine.map((m) => m.mttrMinutes) },
                { label: 'MTBF (h)', data: report.byMachine.map((m) => m.mtbfHours), kind: 'line', axis: 'right' },
              ],
              unit: 'min', rightUnit: 'h',
            }} />
            <DataTable caption="Figures by machine" rows={report.byMachine}
              columns={[{ key: 'code', label: 'Machine', value: (r) => `${r.code} ${r.name}` }, ...figureColumns<MachineRow>()]} />
            <button class="btn" type="button" onClick={() => csv('machines')}>Download CSV (machines)</button>
          </section>

          <section class="card flat" aria-labelledby="by-dept-h">
            <h2 id="by-dept-h">SLA compliance by department</h2>
            <Chart spec={{
              title: `Response and resolution met, %, ${report.from} to ${report.to}`,
              labels: report.byDepartment.map((d) => d.name),
              series: [
                { label: 'Response met %', data: report.byDepartment.map((d) => d.response.pct) },
                { label: 'Resolution met %', data: report.byDepartment.map((d) => d.resolution.pct) },
                { label: 'Preventive on time %', data: report.byDepartment.map((d) => d.preventive.pct) },
              ],
              unit: '%',
            }} />
            <DataTable caption="Figures by department" rows={report.byDepartment}
              columns={[{ key: 'name', label: 'Department', value: (r) => r.name }, ...figureColumns<DeptRow>()]} />
            <button class="btn" type="button" onClick={() => csv('departments')}>Download CSV (departments)</button>
          </section>

          <section class="card flat" aria-labelledby="backlog-h">
            <h2 id="backlog-h">Backlog by age (open tickets now)</h2>
            <Chart spec={{ title: 'Open tickets by age', labels: report.backlog.map((b) => b.bucket), series: [{ label: 'Open tickets', data: report.backlog.map((b) => b.count) }] }} />
            <DataTable caption="Open tickets by age" rows={report.backlog}
              columns={[{ key: 'bucket', label: 'Age', value: (r) => r.bucket }, { key: 'count', label: 'Open tickets', value: (r) => r.count, numeric: true }]} />
            <button class="btn" type="button" onClick={() => csv('backlog')}>Download CSV (backlog)</button>
          </section>
          <p class="small muted">MTTR = repair downtime / corrective repairs; MTBF = operating time (hours a day less downtime) / breakdowns; a clock counts once it is met or has run out; hold time waiting for parts or production is not counted against resolution (docs/maintenance.md).</p>
        </>
      )}
    </>
  );
}
