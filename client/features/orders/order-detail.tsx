// One order: its facts and header edits, the moves a planner makes (release, hold, resume, cancel),
// and each item's stages with their edits.
import { useState } from 'preact/hooks';
import { isLate, itemProgress, orderPercent } from '../../../sync/planning';
import { allowedMoves, ORDER, type OrderStatus } from '../../../sync/state-machines';
import { editOf } from '../../../sync/merge';
import { mayPlanStage } from '../../../sync/permissions';
import { resumesTo } from '../../../sync/production';
import type { Order, OrderItem, Stage } from '../../../sync/tables';
import { useSession } from '../../app-state';
import { Empty, FormError, Link, Loading, PageHead, Priority, SelectField, Status, TextArea, TextField, useDirty } from '../../ui/components';
import { num, useAction } from '../../ui/form';
import { words } from '../../ui/format';
import { machineName, useLookups, userName, type Lookups } from '../shared/lookups';
import { localToday, slotTime } from '../planning/board';
import { usePlanData } from '../planning/data';
import { OrderHoldRequests } from './hold-requests';
import { canPlan, DateField, LateFlag, PRIORITIES } from './order-parts';

export function OrderDetail({ id }: { id: string }) {
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
      <OrderHoldRequests o={o} stages={data.stages.filter((s) => s.orderId === o.id)} l={lookups} />
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

const MOVE: Record<string, string> = { released: 'Release to the floor', on_hold: 'Put on hold…', cancelled: 'Cancel order' };

function OrderActions({ o }: { o: Order }) {
  const { app, user } = useSession();
  const [holding, setHolding] = useState(false);
  const [reason, setReason] = useState('');
  const [confirmCancel, setConfirmCancel] = useState(false);
  const { errors, busy, run, setErrors } = useAction();
  // Starting and completing follow from the stages; a planner releases, holds, resumes and cancels.
  const moves = allowedMoves(ORDER, o.status, user.role).filter((to) => {
    if (o.status === 'on_hold') return to === 'cancelled' || to === resumesTo(o);
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
  const editable = (s: Stage) => mayPlanStage(user, s);
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
