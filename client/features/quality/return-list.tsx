// The customer returns on this device (Quality and managers: all; a department: those it is made
// responsible for), filtered by state and text, with counts.
import { mayHandleReturns, QUALITY_DEPARTMENT_CODE } from '../../../sync/returns';
import { CUSTOMER_RETURN } from '../../../sync/state-machines';
import { canSee } from '../../../sync/tables';
import { useSession } from '../../app-state';
import { useLive } from '../../db/live';
import { newestFirst } from '../../db/rows';
import { Empty, Link, Loading, Num, PageHead, Status } from '../../ui/components';
import { isLocal, useLookups, type Lookups } from '../shared/lookups';
import { DownloadCsv, qs } from '../../ui/download';
import { useUrlFilters } from '../../ui/router';

const VIEWS: [string, string[]][] = [
  ['Open', ['received', 'investigating', 'resolved']],
  ['Closed', ['closed']],
  ['All', [...CUSTOMER_RETURN.states]],
];

export function qualityDepartment(lookups: Lookups): string | null {
  return [...lookups.departments.values()].find((d) => d.code === QUALITY_DEPARTMENT_CODE && d.active)?.id ?? null;
}

export function ReturnList() {
  const { db, user } = useSession();
  const lookups = useLookups(db);
  const rows = useLive(() => newestFirst(db, 'customerReturns', 'receivedAt'), [db]);
  // The filters live in the URL (/returns?show=Open&q=…), named as the export's parameters.
  const [f, setF] = useUrlFilters({ show: 'Open', q: '' });
  const view = Math.max(0, VIEWS.findIndex(([n]) => n === f.show));
  const text = f.q;
  if (!rows || !lookups) return <Loading />;
  const mine = rows.filter((r) => !r.deletedAt && canSee(user, 'customerReturns', r));
  const needle = text.trim().toLowerCase();
  const shown = mine.filter((r) => VIEWS[view][1].includes(r.status))
    .filter((r) => !needle || `${r.number ?? ''} ${r.customerName} ${r.reason} ${lookups.products.get(r.productId)?.sku ?? ''}`.toLowerCase().includes(needle));
  const count = (states: string[]) => mine.filter((r) => states.includes(r.status)).length;
  return (
    <>
      <PageHead title="Customer returns">
        <DownloadCsv path={`/api/returns/export.csv${qs({ show: VIEWS[view][0], q: text.trim() })}`} />
        {mayHandleReturns(user, qualityDepartment(lookups)) && <Link class="btn primary" href="/returns/new">+ Take in a return</Link>}
      </PageHead>
      <div class="chips" role="group" aria-label="Show">
        {VIEWS.map(([name, states], i) => <button key={name} class="chip" aria-pressed={view === i} onClick={() => setF({ show: name })}>{name} ({count(states)})</button>)}
      </div>
      <div class="filters">
        <input class="input" type="search" placeholder="Search number, customer, reason, SKU" aria-label="Search" value={text} onInput={(e) => setF({ q: e.currentTarget.value })} />
      </div>
      <p class="counts" data-testid="return-counts">
        <span>{shown.length} return{shown.length === 1 ? '' : 's'}</span>
        <span>{shown.reduce((n, r) => n + r.quantity, 0)} parts</span>
        <span>{shown.reduce((n, r) => n + (r.creditValue ?? 0), 0).toFixed(2)} credited</span>
      </p>
      {shown.length === 0 ? <Empty>{mine.length === 0 ? 'No returns here: Quality and the department made responsible see a return.' : 'No returns match.'}</Empty> : (
        <div class="list" data-testid="return-list">
          {shown.map((r) => (
            <Link class="item" key={r.id} href={`/returns/${r.id}`}>
              <div class="top">
                <span class="title"><Num value={r.number} /> · {r.customerName} · {r.quantity} × {lookups.products.get(r.productId)?.sku ?? 'product'}</span>
                <span class="row">{isLocal(r) && <span class="local">not synced</span>}<Status value={r.status} /></span>
              </div>
              <div>{r.reason}</div>
              <div class="meta">
                <span>Received {r.receivedAt}</span>
                <span>{r.departmentId ? `Responsible: ${lookups.departments.get(r.departmentId)?.name ?? '—'}` : 'No department responsible yet'}</span>
              </div>
            </Link>
          ))}
        </div>
      )}
    </>
  );
}
