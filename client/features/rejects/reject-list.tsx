// The rejects on this device — a supervisor's department, a manager's whole plant — filtered by
// status, department, machine, defect code and period, with counts per status and in parts.
import { REJECT } from '../../../sync/state-machines';
import { canSee } from '../../../sync/tables';
import { useSession } from '../../app-state';
import { useLive } from '../../db/live';
import { localToday, newestFirst } from '../../db/rows';
import { Empty, Link, Loading, Num, PageHead, Status } from '../../ui/components';
import { when } from '../../ui/format';
import { isLocal, machineName, useLookups, userName } from '../shared/lookups';
import { DownloadCsv, qs } from '../../ui/download';
import { useUrlFilters } from '../../ui/router';

const STATUS_FILTERS: [string, string[]][] = [
  ['Open', ['open', 'under_review', 'disputed']],
  ['Approved', ['approved']],
  ['Closed', ['closed']],
  ['All', [...REJECT.states]],
];

/** Days back from today: the period presets; '' is any time. */
const PERIODS: [string, string][] = [['', 'Any time'], ['0', 'Today'], ['6', 'Last 7 days'], ['29', 'Last 30 days']];

/** The device's midnight starting a local day (YYYY-MM-DD), as an instant: where the export's period starts. */
function localMidnight(day: string): string {
  const [y, m, d] = day.split('-').map(Number);
  return new Date(y, m - 1, d).toISOString();
}

function daysAgo(n: number): string {
  const d = new Date();
  d.setDate(d.getDate() - n);
  return localToday(d);
}

export function RejectList() {
  const { db, user } = useSession();
  const lookups = useLookups(db);
  const rows = useLive(() => newestFirst(db, 'rejects', 'createdAt'), [db]);
  // The filters live in the URL (/rejects?show=Open&departmentId=…&machineId=…&defectCodeId=…&period=6), named as the export's parameters.
  const [f, setF] = useUrlFilters({ show: 'Open', departmentId: '', machineId: '', defectCodeId: '', period: '' });
  const filter = Math.max(0, STATUS_FILTERS.findIndex(([n]) => n === f.show));
  const { departmentId: department, machineId: machine, defectCodeId: defect } = f;
  const period = PERIODS.some(([v]) => v === f.period) ? f.period : '';
  if (!rows || !lookups) return <Loading />;
  const from = period === '' ? '' : daysAgo(Number(period));
  // Every filter but the status one: the chips count what the others leave.
  const visible = rows.filter((r) => !r.deletedAt && canSee(user, 'rejects', r)
    && (!department || r.departmentId === department) && (!machine || r.machineId === machine) && (!defect || r.defectCodeId === defect)
    && (!from || localToday(new Date(r.createdAt)) >= from));
  const states = STATUS_FILTERS[filter][1];
  const shown = visible.filter((r) => states.includes(r.status));
  const inScope = rows.filter((r) => !r.deletedAt && canSee(user, 'rejects', r));
  const opts = (ids: Iterable<string>, name: (id: string) => string) => [...new Set(ids)].map((id) => ({ value: id, label: name(id) })).sort((a, b) => a.label.localeCompare(b.label));
  // A filter from a link keeps its option even when no row on the device matches it.
  const departments = opts([...inScope.map((r) => r.departmentId), ...(department ? [department] : [])], (id) => lookups.departments.get(id)?.name ?? '—');
  return (
    <>
      <PageHead title="Rejects">
        <DownloadCsv path={`/api/rejects/export.csv${qs({ show: STATUS_FILTERS[filter][0], departmentId: department, machineId: machine, defectCodeId: defect, period, since: period ? localMidnight(from) : '' })}`} />
        <Link class="btn primary" href="/rejects/new">+ Log a reject</Link>
      </PageHead>
      <div class="chips" role="group" aria-label="Show">
        {STATUS_FILTERS.map(([name, st], i) => (
          <button key={name} class="chip" aria-pressed={filter === i} onClick={() => setF({ show: name })}>{name} ({visible.filter((r) => st.includes(r.status)).length})</button>
        ))}
      </div>
      <div class="filters" data-testid="reject-filters">
        {departments.length > 1 && (
          <select class="input" aria-label="Department" value={department} onChange={(e) => setF({ departmentId: e.currentTarget.value })}>
            <option value="">Every department</option>
            {departments.map((o) => <option key={o.value} value={o.value}>{o.label}</option>)}
          </select>
        )}
        <select class="input" aria-label="Machine" value={machine} onChange={(e) => setF({ machineId: e.currentTarget.value })}>
          <option value="">Any machine</option>
          {opts([...inScope.map((r) => r.machineId), ...(machine ? [machine] : [])], (id) => machineName(lookups, id)).map((o) => <option key={o.value} value={o.value}>{o.label}</option>)}
        </select>
        <select class="input" aria-label="Defect code" value={defect} onChange={(e) => setF({ defectCodeId: e.currentTarget.value })}>
          <option value="">Any defect</option>
          {opts([...inScope.map((r) => r.defectCodeId), ...(defect ? [defect] : [])], (id) => { const c = lookups.defectCodes.get(id); return c ? `${c.code} ${c.name}` : '—'; }).map((o) => <option key={o.value} value={o.value}>{o.label}</option>)}
        </select>
        <select class="input" aria-label="Period" value={period} onChange={(e) => setF({ period: e.currentTarget.value })}>
          {PERIODS.map(([v, l]) => <option key={v} value={v}>{l}</option>)}
        </select>
      </div>
      <p class="counts" data-testid="reject-counts">
        <span>{shown.length} reject{shown.length === 1 ? '' : 's'}</span>
        <span>{shown.reduce((n, r) => n + r.quantity, 0)} parts</span>
        {REJECT.states.map((s) => { const n = shown.filter((r) => r.status === s).length; return n > 0 && states.length > 1 ? <span key={s}>{n} <Status value={s} /></span> : null; })}
      </p>
      {shown.length === 0 ? <Empty>No rejects here.</Empty> : (
        <div class="list" data-testid="reject-list">
          {shown.map((r) => {
            const code = lookups.defectCodes.get(r.defectCodeId);
            return (
              <Link class="item" key={r.id} href={`/rejects/${r.id}`}>
                <div class="top">
                  <span class="title"><Num value={r.number} /> · {r.quantity} × {code ? `${code.code} ${code.name}` : 'defect'}</span>
                  <span class="row">{isLocal(r) && <span class="local">not synced</span>}<Status value={r.status} /></span>
                </div>
                <div class="meta">
                  <span>{machineName(lookups, r.machineId)}</span>
                  <span>{lookups.departments.get(r.departmentId)?.name}</span>
                  <span>{when(r.createdAt)} by {userName(lookups, r.reportedBy)}</span>
                </div>
              </Link>
            );
          })}
        </div>
      )}
    </>
  );
}
