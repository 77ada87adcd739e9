// The SOP report (GET /api/reports/sop, online): tickets by the department they were raised against,
// by SOP and by severity; on-time response %, mean time to close, escalations — charts with a table
// of the same numbers under each.
import { useEffect, useMemo, useState } from 'preact/hooks';
import { mayViewAudit } from '../../../sync/permissions';
import { errorMessage, useSession } from '../../app-state';
import { Chart, type ChartSpec } from '../../ui/chart';
import { DataTable } from '../../ui/data-table';
import { Empty, Field, Link, Loading, PageHead } from '../../ui/components';
import { SEVERITY_WORDS } from './shared';
import { DownloadCsv, qs } from '../../ui/download';

interface DeptRow { departmentId: string; code: string; name: string; tickets: number; open: number; escalations: number; onTimeResponsePct: number | null; meanTimeToCloseHours: number | null }
interface Report {
  from: string; to: string; total: number; onTimeResponsePct: number | null; meanTimeToCloseHours: number | null; escalations: number;
  byDepartment: DeptRow[]; bySop: { sopId: string; code: string; title: string; tickets: number }[]; bySeverity: { severity: string; tickets: number }[];
}

const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
const pct = (v: number | null) => (v === null ? '—' : `${v} %`);
const hrs = (v: number | null) => (v === null ? '—' : `${v} h`);

export function SopReport() {
  const { app, user } = useSession();
  const [from, setFrom] = useState(day(-29));
  const [to, setTo] = useState(day(0));
  const [report, setReport] = useState<Report | null>(null);
  const [error, setError] = useState<string | null>(null);
  const online = app.online.value;
  useEffect(() => {
    if (!online || !mayViewAudit(user.role)) return;
    app.request<Report>(`/api/reports/sop?from=${from}&to=${to}`).then((r) => { setReport(r); setError(null); }, (e) => setError(errorMessage(e)));
  }, [from, to, online]);
  const byDept = useMemo<ChartSpec | null>(() => report && ({
    title: `SOP tickets by department raised against, ${report.from} to ${report.to}`,
    labels: report.byDepartment.map((d) => d.name),
    series: [{ label: 'Tickets', data: report.byDepartment.map((d) => d.tickets) }, { label: 'Escalations', data: report.byDepartment.map((d) => d.escalations), color: '#b42318' }],
  }), [report]);
  const bySop = useMemo<ChartSpec | null>(() => report && ({
    title: 'SOP tickets by SOP', labels: report.bySop.map((s) => s.code), horizontal: true,
    series: [{ label: 'Tickets', data: report.bySop.map((s) => s.tickets) }],
  }), [report]);

  if (!mayViewAudit(user.role)) return <Empty>The SOP report is for managers.</Empty>;
  if (!online) return <Empty>The report is computed on the server: connect to the network to see it.</Empty>;
  return (
    <>
      <p><Link href="/sop">← SOP tickets</Link></p>
      <PageHead title="SOP report">
        <DownloadCsv path={`/api/reports/sop${qs({ from, to, format: 'csv' })}`} />
      </PageHead>
      <div class="filters">
        <Field label="From">{(id) => <input id={id} class="input" type="date" value={from} onInput={(e) => setFrom(e.currentTarget.value)} />}</Field>
        <Field label="To">{(id) => <input id={id} class="input" type="date" value={to} onInput={(e) => setTo(e.currentTarget.value)} />}</Field>
      </div>
      {error && <p class="form-error" role="alert">{error}</p>}
      {!report ? <Loading /> : (
        <>
          <dl class="kpis" data-testid="sop-kpis">
            <div><dt>Tickets</dt><dd>{report.total}</dd></div>
            <div><dt>On-time response</dt><dd>{pct(report.onTimeResponsePct)}</dd></div>
            <div><dt>Mean time to close</dt><dd>{hrs(report.meanTimeToCloseHours)}</dd></div>
            <div><dt>Escalations</dt><dd>{report.escalations}</dd></div>
          </dl>
          {byDept && <Chart spec={byDept} />}
          <DataTable caption="By department raised against" rows={report.byDepartment} initialSort={{ key: 'tickets', dir: 'desc' }} columns={[
            { key: 'name', label: 'Department', value: (r) => r.name },
            { key: 'tickets', label: 'Tickets', value: (r) => r.tickets, numeric: true },
            { key: 'open', label: 'Open', value: (r) => r.open, numeric: true },
            { key: 'escalations', label: 'Escalations', value: (r) => r.escalations, numeric: true },
            { key: 'onTime', label: 'On-time response', value: (r) => r.onTimeResponsePct, render: (r) => pct(r.onTimeResponsePct), numeric: true },
            { key: 'close', label: 'Mean time to close', value: (r) => r.meanTimeToCloseHours, render: (r) => hrs(r.meanTimeToCloseHours), numeric: true },
          ]} />
          {bySop && <Chart spec={bySop} />}
          <DataTable caption="By SOP" rows={report.bySop} initialSort={{ key: 'tickets', dir: 'desc' }} columns={[
            { key: 'code', label: 'SOP', value: (r) => r.code },
            { key: 'title', label: 'Title', value: (r) => r.title },
            { key: 'tickets', label: 'Tickets', value: (r) => r.tickets, numeric: true },
          ]} />
          <DataTable caption="By severity" rows={report.bySeverity} columns={[
            { key: 'severity', label: 'Severity', value: (r) => SEVERITY_WORDS[r.severity] ?? r.severity },
            { key: 'tickets', label: 'Tickets', value: (r) => r.tickets, numeric: true },
          ]} />
        </>
      )}
    </>
  );
}
