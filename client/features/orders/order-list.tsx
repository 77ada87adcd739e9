// The planner's list of orders: filters by state and lateness, a search, each order's progress.
import { isLate, itemProgress, orderPercent } from '../../../sync/planning';
import { addDays, mondayOf } from '../../../sync/kpi';
import type { Order, OrderItem } from '../../../sync/tables';
import { useSession } from '../../app-state';
import { Empty, Link, Loading, Num, PageHead, Priority, Status } from '../../ui/components';
import { useUrlFilters } from '../../ui/router';
import { isLocal, useLookups, type Lookups } from '../shared/lookups';
import { localToday } from '../planning/board';
import { usePlanData } from '../planning/data';
import { HoldRequestsAlert } from './hold-requests';
import { canPlan, LateFlag } from './order-parts';
import { DownloadCsv, qs } from '../../ui/download';

const FILTERS: [string, (o: Order, today: string) => boolean][] = [
  ['Open', (o) => !['completed', 'cancelled'].includes(o.status)],
  ['Late', (o, today) => isLate(o, today)],
  // The dashboard's "due this week" (sync/kpi.ts): open orders due Monday to Sunday of this week.
  ['Due this week', (o, today) => !['completed', 'cancelled'].includes(o.status) && o.dueDate >= mondayOf(today) && o.dueDate <= addDays(mondayOf(today), 6)],
  ['Draft', (o) => o.status === 'draft'],
  ['Released', (o) => o.status === 'released'],
  ['In progress', (o) => o.status === 'in_progress'],
  ['On hold', (o) => o.status === 'on_hold'],
  ['Completed', (o) => o.status === 'completed'],
  ['Cancelled', (o) => o.status === 'cancelled'],
  ['All', () => true],
];

export function OrderList() {
  const { db, user } = useSession();
  const lookups = useLookups(db);
  const data = usePlanData(db);
  // The filters live in the URL (/orders?show=Late&q=…), named as the export's parameters.
  const [f, setF] = useUrlFilters({ show: 'Open', q: '' });
  const filter = Math.max(0, FILTERS.findIndex(([n]) => n === f.show));
  const search = f.q;
  if (!data || !lookups) return <Loading />;
  const today = localToday();
  const test = FILTERS[filter][1];
  const s = search.trim().toLowerCase();
  const shown = [...data.orders.values()]
    .filter((o) => test(o, today))
    .filter((o) => !s || [o.number, o.customerName, o.externalRef].some((f) => f?.toLowerCase().includes(s)))
    .sort((a, b) => a.dueDate.localeCompare(b.dueDate) || a.priority - b.priority);
  return (
    <>
      <PageHead title="Orders">
        <DownloadCsv path={`/api/orders/export.csv${qs({ show: FILTERS[filter][0], q: search.trim(), today })}`} />
        {canPlan(user) && <Link class="btn primary" href="/orders/new">+ New order</Link>}
      </PageHead>
      <HoldRequestsAlert orders={data.orders} stages={new Map(data.stages.map((x) => [x.id, x]))} l={lookups} />
      <div class="chips scroll-chips" role="group" aria-label="Show">
        {FILTERS.map(([name], i) => <button key={name} class="chip" aria-pressed={filter === i} onClick={() => setF({ show: name })}>{name}</button>)}
      </div>
      <div class="filters">
        <input class="input" type="search" aria-label="Search" placeholder="Search number, customer or reference" value={search} onInput={(e) => setF({ q: e.currentTarget.value })} />
      </div>
      {shown.length === 0 ? <Empty>No orders here.</Empty> : (
        <div class="list" data-testid="order-list">
          {shown.map((o) => <OrderRow key={o.id} o={o} items={data.itemsOf.get(o.id) ?? []} l={lookups} today={today} />)}
        </div>
      )}
    </>
  );
}

function OrderRow({ o, items, l, today }: { o: Order; items: OrderItem[]; l: Lookups; today: string }) {
  const pct = orderPercent(items);
  const late = isLate(o, today);
  return (
    <Link class={`item order-row${late ? ' is-late' : ''}`} href={`/orders/${o.id}`}>
      <div class="top">
        <span class="title"><Num value={o.number} /> · {o.customerName}</span>
        <span class="row">{late && <LateFlag />}{isLocal(o) && <span class="local">not synced</span>}<Status value={o.status} /></span>
      </div>
      <div class="meta">
        <span>Due <strong>{o.dueDate}</strong></span>
        <Priority value={o.priority} />
        {o.externalRef && <span>Ref {o.externalRef}</span>}
        {o.status === 'on_hold' && o.holdReason && <span class="hold-reason">Held: {o.holdReason}</span>}
      </div>
      <div class="order-progress">
        <div class="progress" role="progressbar" aria-label="Good parts" aria-valuenow={pct} aria-valuemin={0} aria-valuemax={100}><span style={`width:${pct}%`} /></div>
        <strong>{pct} %</strong>
      </div>
      <ul class="item-lines">
        {items.map((i) => {
          const p = itemProgress(i);
          const prod = l.products.get(i.productId);
          return (
            <li key={i.id}>
              <span class="sku">{prod?.sku ?? '?'}</span> {prod?.name}: <span class="good">{p.good} good</span> · <span class="rej">{p.rejected} rejected</span> · {p.remaining} remaining of {p.quantity}
            </li>
          );
        })}
      </ul>
    </Link>
  );
}
