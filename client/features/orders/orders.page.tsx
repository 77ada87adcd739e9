// Orders for planners: the list with lateness and progress, one order with its items and stages
// (header edits, hold / resume / release / cancel, stage edits) and the new-order form.
import { useState } from 'preact/hooks';
import { uuidv7 } from '../../../sync/ids';
import { isLate, itemProgress, orderPercent, routingStages } from '../../../sync/planning';
import { mayUse } from '../../../sync/mutations';
import { allowedMoves, ORDER, type OrderStatus } from '../../../sync/state-machines';
import { editOf } from '../../../sync/merge';
import type { Order, OrderItem, Stage } from '../../../sync/tables';
import type { PublicUser } from '../../../sync/roles';
import { useSession } from '../../app-state';
import { Empty, Field, FormError, Link, Loading, Num, PageHead, Priority, SelectField, Status, TextArea, TextField, useDirty } from '../../ui/components';
import { num, useAction } from '../../ui/form';
import { words } from '../../ui/format';
import { navigate, query } from '../../ui/router';
import { isLocal, machineName, useLookups, userName, type Lookups } from '../shared/lookups';
import { localToday, slotTime } from '../planning/board';
import { usePlanData } from '../planning/data';
import '../planning/planning.css';

const FILTERS: [string, (o: Order, today: string) => boolean][] = [
  ['Open', (o) => !['completed', 'cancelled'].includes(o.status)],
  ['Late', (o, today) => isLate(o, today)],
  ['Draft', (o) => o.status === 'draft'],
  ['Released', (o) => o.status === 'released'],
  ['In progress', (o) => o.status === 'in_progress'],
  ['On hold', (o) => o.status === 'on_hold'],
  ['Completed', (o) => o.status === 'completed'],
  ['Cancelled', (o) => o.status === 'cancelled'],
  ['All', () => true],
];

const PRIORITIES = [
  { value: '1', label: 'P1 urgent' }, { value: '2', label: 'P2 high' }, { value: '3', label: 'P3 normal' }, { value: '4', label: 'P4 low' },
];

/** Planners: whoever may create orders (the registry in sync/ decides). */
const canPlan = (u: PublicUser) => mayUse(u.role, 'order.create');

export default function OrdersPage({ id }: { id?: string }) {
  if (id === 'new') return <NewOrder />;
  return id ? <OrderDetail id={id} /> : <OrderList />;
}

export function LateFlag() {
  return <span class="late-flag">Late</span>;
}

function OrderList() {
  const { db, user } = useSession();
  const lookups = useLookups(db);
  const data = usePlanData(db);
  const q0 = query();
  const [filter, setFilter] = useState(Math.max(0, FILTERS.findIndex(([n]) => n === q0.get('show'))));
  const [search, setSearch] = useState('');
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
        {canPlan(user) && <Link class="btn primary" href="/orders/new">+ New order</Link>}
      </PageHead>
      <div class="chips scroll-chips" role="group" aria-label="Show">
        {FILTERS.map(([name], i) => <button key={name} class="chip" aria-pressed={filter === i} onClick={() => setFilter(i)}>{name}</button>)}
      </div>
      <div class="filters">
        <input class="input" type="search" aria-label="Search" placeholder="Search number, customer or reference" value={search} onInput={(e) => setSearch(e.currentTarget.value)} />
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

function OrderDetail({ id }: { id: string }) {
  const { db, user } = useSession();
  const lookups = useLookups(db);
  const data = usePlanData(db);
  const [editing, setEditing] = useState(false);
  if (!data || !lookups) return <Loading />;
  const o = data.orders.get(id);
  if (!o) return <Empty>This order is not on this device.</Empty>;
  const items = data.itemsOf.get(o.id) ?? [];
  const pct = orderPercent(items);
  const late = isLate(o, localToday());
  return (
    <>
      <p><Link href="/orders">← All orders</Link></p>
      <PageHead title={`Order ${o.number ?? '(pending number)'}`}>
        {late && <LateFlag />}
        <Status value={o.status} />
      </PageHead>
      <div class="grid two order-head">
        <div class="card" data-testid="order-facts">
          {editing ? <EditOrder o={o} onDone={() => setEditing(false)} /> : (
            <>
              <dl class="facts">
                <dt>Customer</dt><dd>{o.customerName}</dd>
                <dt>Reference</dt><dd>{o.externalRef ?? '—'}</dd>
                <dt>Due</dt><dd>{o.dueDate}</dd>
                <dt>Priority</dt><dd><Priority value={o.priority} /></dd>
                <dt>Source</dt><dd>{o.source}</dd>
                <dt>Progress</dt><dd>{pct} % good</dd>
                {o.notes && <><dt>Notes</dt><dd>{o.notes}</dd></>}
                {o.holdReason && <><dt>Held</dt><dd class="hold-reason">{o.holdReason}</dd></>}
              </dl>
              {canPlan(user) && <div class="actions"><button class="btn" onClick={() => setEditing(true)}>Edit details</button></div>}
            </>
          )}
        </div>
        <OrderActions o={o} />
      </div>
      {items.map((i) => <ItemCard key={i.id} item={i} stages={data.stagesOf.get(i.id) ?? []} l={lookups} />)}
    </>
  );
}

function EditOrder({ o, onDone }: { o: Order; onDone: () => void }) {
  const { app } = useSession();
  const [v, setV] = useState({ customerName: o.customerName, externalRef: o.externalRef ?? '', dueDate: o.dueDate, priority: String(o.priority), notes: o.notes ?? '' });
  const { errors, busy, run } = useAction();
  const edit = editOf(o, { customerName: v.customerName, externalRef: v.externalRef.trim() || null, dueDate: v.dueDate, priority: num(v.priority), notes: v.notes.trim() || null });
  const changed = Object.keys(edit.changes);
  useDirty(changed.length > 0);
  const set = (k: keyof typeof v) => (x: string) => setV({ ...v, [k]: x });

  async function save(e: Event) {
    e.preventDefault();
    if (!changed.length) return onDone();
    if (await run(() => app.mutate('order.update', { id: o.id, ...edit }))) onDone();
  }

  return (
    <form onSubmit={save} noValidate aria-label="Edit order">
      <FormError message={errors.form} />
      <TextField label="Customer" value={v.customerName} onValue={set('customerName')} error={errors.fields.customerName} />
      <TextField label="Customer reference" value={v.externalRef} onValue={set('externalRef')} error={errors.fields.externalRef} />
      <DateField label="Due date" value={v.dueDate} onValue={set('dueDate')} error={errors.fields.dueDate} />
      <SelectField label="Priority" value={v.priority} onValue={set('priority')} options={PRIORITIES} error={errors.fields.priority} />
      <TextArea label="Notes" rows={3} value={v.notes} onValue={set('notes')} error={errors.fields.notes} />
      <div class="actions">
        <button class="btn primary" type="submit" disabled={busy}>Save changes</button>
        <button class="btn" type="button" onClick={onDone}>Cancel</button>
      </div>
    </form>
  );
}

export function DateField({ label, value, onValue, error }: { label: string; value: string; onValue: (v: string) => void; error?: string }) {
  return (
    <Field label={label} error={error}>
      {(id, d) => <input id={id} class="input" type="date" value={value} aria-invalid={!!error} aria-describedby={d} onInput={(e) => onValue(e.currentTarget.value)} />}
    </Field>
  );
}

const MOVE: Record<string, string> = { released: 'Release to the floor', on_hold: 'Put on hold…', cancelled: 'Cancel order' };

function OrderActions({ o }: { o: Order }) {
  const { app, user } = useSession();
  const [holding, setHolding] = useState(false);
  const [reason, setReason] = useState('');
  const [confirmCancel, setConfirmCancel] = useState(false);
  const { errors, busy, run, setErrors } = useAction();
  // Starting and completing follow from the stages; a planner releases, holds, resumes and cancels.
  const moves = allowedMoves(ORDER, o.status, user.role).filter((to) => {
    if (o.status === 'on_hold') return to === 'cancelled' || to === o.statusBeforeHold;
    return to in MOVE;
  });

  const move = (to: OrderStatus, extra: { holdReason?: string } = {}) =>
    run(() => app.mutate('order.transition', { id: o.id, from: o.status, to, ...extra }));

  async function hold(e: Event) {
    e.preventDefault();
    if (!reason.trim()) return setErrors({ form: null, fields: { holdReason: 'Say why the order is held: operators see it on their blocked stages.' } });
    if (await move('on_hold', { holdReason: reason.trim() })) {
      setHolding(false);
      setReason('');
    }
  }

  if (moves.length === 0) {
    return <div class="card flat"><p class="muted">{o.status === 'completed' ? 'This order is complete.' : o.status === 'cancelled' ? 'This order was cancelled.' : 'The order moves on as its stages are worked.'}</p></div>;
  }
  return (
    <div class="card" data-testid="order-actions">
      <h2>Status</h2>
      <FormError message={errors.form} />
      {holding ? (
        <form onSubmit={hold} noValidate>
          <TextArea label="Reason for the hold" rows={3} value={reason} onValue={setReason} error={errors.fields.holdReason}
            hint="Shown to operators on every stage of this order until it resumes." />
          <div class="actions">
            <button class="btn stop" type="submit" disabled={busy}>Hold the order</button>
            <button class="btn" type="button" onClick={() => { setHolding(false); setErrors({ form: null, fields: {} }); }}>Back</button>
          </div>
        </form>
      ) : confirmCancel ? (
        <div>
          <p><strong>Cancel this order?</strong> Its stages leave the floor and it cannot be reopened.</p>
          <div class="actions">
            <button class="btn danger" disabled={busy} onClick={() => move('cancelled').then(() => setConfirmCancel(false))}>Yes, cancel the order</button>
            <button class="btn" onClick={() => setConfirmCancel(false)}>No, keep it</button>
          </div>
        </div>
      ) : (
        <div class="actions">
          {moves.map((to) => {
            if (to === 'on_hold') return <button key={to} class="btn stop" onClick={() => setHolding(true)}>{MOVE[to]}</button>;
            if (to === 'cancelled') return <button key={to} class="btn danger" onClick={() => setConfirmCancel(true)}>{MOVE[to]}</button>;
            if (o.status === 'on_hold') return <button key={to} class="btn go" disabled={busy} onClick={() => move(to)}>Resume ({words(to)})</button>;
            return <button key={to} class="btn go" disabled={busy} onClick={() => move(to)}>{MOVE[to]}</button>;
          })}
        </div>
      )}
    </div>
  );
}

function ItemCard({ item, stages, l }: { item: OrderItem; stages: Stage[]; l: Lookups }) {
  const { user } = useSession();
  const p = itemProgress(item);
  const prod = l.products.get(item.productId);
  const editable = (s: Stage) => s.status !== 'done' && (canPlan(user) || (user.role === 'supervisor' && s.departmentId === user.departmentId));
  return (
    <section class="card flat" aria-label={`Item ${prod?.sku ?? ''}`}>
      <div class="page-head" style="margin-bottom:8px">
        <h2 style="margin:0;flex:1 1 auto">{prod ? `${prod.sku} ${prod.name}` : 'Item'} × {item.quantity}</h2>
        <span class="counts"><span class="good">{p.good} good</span> · <span class="rej">{p.rejected} rejected</span> · {p.remaining} remaining</span>
      </div>
      <div class="table-wrap">
        <table class="stage-table">
          <thead>
            <tr><th>#</th><th>Stage</th><th>Department</th><th>Machine</th><th>Planned</th><th>Slot</th><th>Good / rej.</th><th>Status</th><th><span class="visually-hidden">Edit</span></th></tr>
          </thead>
          <tbody>
            {stages.map((s) => <StageRow key={s.id} s={s} l={l} editable={editable(s)} />)}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function StageRow({ s, l, editable }: { s: Stage; l: Lookups; editable: boolean }) {
  const { app } = useSession();
  const [edit, setEdit] = useState(false);
  const [name, setName] = useState(s.name);
  const [minutes, setMinutes] = useState(String(s.plannedMinutes));
  const { errors, busy, run } = useAction();
  useDirty(edit && (name !== s.name || minutes !== String(s.plannedMinutes)));

  async function save(e: Event) {
    e.preventDefault();
    const edit = editOf(s, { name, plannedMinutes: num(minutes) });
    if (!Object.keys(edit.changes).length) return setEdit(false);
    if (await run(() => app.mutate('stage.update', { id: s.id, ...edit }))) setEdit(false);
  }

  const slot = s.scheduledStart ? `${s.scheduledStart.slice(5, 10)} ${slotTime(s.scheduledStart)}` : '—';
  if (edit) {
    return (
      <tr class="editing">
        <td>{s.sequence}</td>
        <td colSpan={8}>
          <form class="stage-edit" onSubmit={save} noValidate aria-label={`Edit stage ${s.sequence}`}>
            <FormError message={errors.form} />
            <div class="row">
              <div style="flex:2 1 220px"><TextField label="Stage name" value={name} onValue={setName} error={errors.fields.name} /></div>
              <div style="flex:1 1 140px"><TextField label="Planned minutes" inputMode="numeric" value={minutes} onValue={setMinutes} error={errors.fields.plannedMinutes} /></div>
            </div>
            <div class="row">
              <button class="btn primary" type="submit" disabled={busy}>Save stage</button>
              <button class="btn" type="button" onClick={() => { setEdit(false); setName(s.name); setMinutes(String(s.plannedMinutes)); }}>Cancel</button>
            </div>
          </form>
        </td>
      </tr>
    );
  }
  return (
    <tr>
      <td class="seq">{s.sequence}</td>
      <td class="stage-name"><strong>{s.name}</strong>{s.assigneeId && <div class="small muted">{userName(l, s.assigneeId)}</div>}</td>
      <td data-label="Dept">{l.departments.get(s.departmentId)?.code ?? '—'}</td>
      <td data-label="Machine">{machineName(l, s.machineId)}</td>
      <td class="num" data-label="Planned">{s.plannedMinutes} min</td>
      <td class="nowrap" data-label="Slot">{slot}</td>
      <td class="num" data-label="Good / rej.">{s.goodQty} / {s.rejectQty}</td>
      <td><Status value={s.status} /></td>
      <td class="edit">{editable && <button class="btn small-btn" aria-label={`Edit stage ${s.sequence} ${s.name}`} onClick={() => setEdit(true)}>Edit</button>}</td>
    </tr>
  );
}

interface ItemDraft { key: string; productId: string; quantity: string }

function NewOrder() {
  const { app, db, user } = useSession();
  const lookups = useLookups(db);
  const [v, setV] = useState({ customerName: '', externalRef: '', dueDate: '', priority: '3', notes: '' });
  const [items, setItems] = useState<ItemDraft[]>([{ key: uuidv7(), productId: '', quantity: '' }]);
  const { errors, busy, run, setErrors } = useAction();
  useDirty(!!(v.customerName || v.externalRef || v.dueDate || v.notes || items.some((i) => i.productId || i.quantity)));
  if (!lookups) return <Loading />;
  if (!canPlan(user)) return <div class="form-error">Only managers and admins create orders.</div>;
  const products = [...lookups.products.values()].filter((p) => p.active && !p.deletedAt).sort((a, b) => a.sku.localeCompare(b.sku));
  const set = (k: keyof typeof v) => (x: string) => setV({ ...v, [k]: x });
  const setItem = (i: number, patch: Partial<ItemDraft>) => setItems(items.map((it, j) => (j === i ? { ...it, ...patch } : it)));

  async function submit(e: Event) {
    e.preventDefault();
    const id = uuidv7();
    const missing: Record<string, string> = {};
    if (!v.dueDate) missing.dueDate = 'choose a date';
    items.forEach((it, i) => { if (!it.productId) missing[`items.${i}.productId`] = 'choose one'; });
    if (Object.keys(missing).length) return setErrors({ form: 'Check the marked fields.', fields: missing });
    const ok = await run(() => app.mutate('order.create', {
      id, customerName: v.customerName, dueDate: v.dueDate, priority: num(v.priority),
      ...(v.externalRef.trim() ? { externalRef: v.externalRef.trim() } : {}), ...(v.notes.trim() ? { notes: v.notes.trim() } : {}),
      items: items.map((it) => {
        const product = lookups!.products.get(it.productId);
        // Stages with ids made here, so they can be edited or scheduled before the order has synced.
        const stages = product && Number.isInteger(num(it.quantity)) ? routingStages(product, num(it.quantity)) : [];
        return { id: uuidv7(), productId: it.productId, quantity: num(it.quantity), ...(stages.length ? { stages } : {}) };
      }),
    }));
    if (ok) navigate(`/orders/${id}`, true);
  }

  return (
    <>
      <p><Link href="/orders">← All orders</Link></p>
      <PageHead title="New order" />
      <form class="card order-form" onSubmit={submit} noValidate aria-label="New order">
        <FormError message={errors.form} />
        <div class="grid two">
          <TextField label="Customer" value={v.customerName} onValue={set('customerName')} error={errors.fields.customerName} />
          <TextField label="Customer reference (optional)" value={v.externalRef} onValue={set('externalRef')} error={errors.fields.externalRef} hint="For example the D365 sales order." />
          <DateField label="Due date" value={v.dueDate} onValue={set('dueDate')} error={errors.fields.dueDate} />
          <SelectField label="Priority" value={v.priority} onValue={set('priority')} options={PRIORITIES} error={errors.fields.priority} />
        </div>
        <h2>Items</h2>
        {errors.fields.items && <p class="field-error">{errors.fields.items}</p>}
        {items.map((it, i) => {
          const prod = lookups.products.get(it.productId);
          return (
            <div class="item-draft" key={it.key}>
              <div class="row">
                <div style="flex:2 1 240px">
                  <SelectField label={`Product ${i + 1}`} value={it.productId} onValue={(x) => setItem(i, { productId: x })} placeholder="Choose a product"
                    options={products.map((p) => ({ value: p.id, label: `${p.sku} — ${p.name}` }))} error={errors.fields[`items.${i}.productId`]} />
                </div>
                <div style="flex:1 1 120px">
                  <TextField label={`Quantity ${i + 1}`} inputMode="numeric" value={it.quantity} onValue={(x) => setItem(i, { quantity: x })} error={errors.fields[`items.${i}.quantity`]} />
                </div>
                {items.length > 1 && <button type="button" class="btn" aria-label={`Remove item ${i + 1}`} onClick={() => setItems(items.filter((_, j) => j !== i))}>Remove</button>}
              </div>
              {prod && (
                <p class="small muted routing">
                  Stages from the routing: {prod.routing.length ? prod.routing.map((r) => `${r.name} (${lookups.departments.get(r.departmentId)?.code ?? '?'})`).join(' → ') : 'none — this product has no routing'}.
                  {' '}Names and planned minutes can be edited on the order afterwards.
                </p>
              )}
            </div>
          );
        })}
        <div class="actions">
          <button type="button" class="btn" onClick={() => setItems([...items, { key: uuidv7(), productId: '', quantity: '' }])}>+ Add item</button>
        </div>
        <TextArea label="Notes (optional)" rows={3} value={v.notes} onValue={set('notes')} error={errors.fields.notes} />
        <button class="btn primary big wide" type="submit" disabled={busy}>Create order</button>
        <p class="small muted" style="margin-top:8px">The order is created as a draft; release it when the floor may start.</p>
      </form>
    </>
  );
}
