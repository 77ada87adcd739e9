// One customer return: what came back, the department made responsible, the moves Quality makes
// (resolving needs a root cause; a credit is 0 or more), its corrective actions, photos (part B) and history.
import { useState } from 'preact/hooks';
import { mayHandleReturns } from '../../../sync/returns';
import { allowedMoves, CUSTOMER_RETURN, type CustomerReturnStatus } from '../../../sync/state-machines';
import { useSession } from '../../app-state';
import { useLive } from '../../db/live';
import { rowById } from '../../db/rows';
import { Empty, Field, FormError, Link, Loading, Num, PageHead, SelectField, Status, TextArea, useDirty } from '../../ui/components';
import { num, useAction } from '../../ui/form';
import { formatTime } from '../../ui/format';
import { isLocal, userName, useLookups } from '../shared/lookups';
import { CorrectiveActions } from './actions';
import { QualityHistory } from './history';
import { qualityDepartment } from './return-list';
import { Photos } from '../quality-photos/photos';

const MOVE_LABEL: Record<CustomerReturnStatus, string> = { received: 'Received', investigating: 'Start investigation', resolved: 'Resolve', closed: 'Close' };

export function ReturnDetail({ id }: { id: string }) {
  const { app, db, user } = useSession();
  const lookups = useLookups(db);
  const r = useLive(() => rowById(db, 'customerReturns', id), [db, id]);
  const order = useLive(async () => (r?.orderId ? rowById(db, 'orders', r.orderId) : null), [db, r?.orderId]);
  const [rootCause, setRootCause] = useState('');
  const [correctiveAction, setCorrectiveAction] = useState('');
  const [creditValue, setCreditValue] = useState('');
  const [department, setDepartment] = useState<string | null>(null);
  const move = useAction();
  const assign = useAction();
  useDirty(!!(rootCause || correctiveAction || creditValue || department !== null));
  if (r === undefined || !lookups) return <Loading />;
  if (!r) return <Empty>This return is not on this device.</Empty>;
  const handles = mayHandleReturns(user, qualityDepartment(lookups));
  const moves = handles ? allowedMoves(CUSTOMER_RETURN, r.status, user.role) : [];
  const product = lookups.products.get(r.productId);

  async function go(to: CustomerReturnStatus) {
    const ok = await move.run(() => app.mutate('return.transition', {
      id: r!.id, from: r!.status, to,
      ...(rootCause.trim() ? { rootCause } : {}),
      ...(correctiveAction.trim() ? { correctiveAction } : {}),
      ...(creditValue.trim() ? { creditValue: num(creditValue) } : {}),
    }));
    if (!ok) return;
    setRootCause('');
    setCorrectiveAction('');
    setCreditValue('');
  }
  async function saveDepartment() {
    if (department === null) return;
    const ok = await assign.run(() => app.mutate('return.update', { id: r!.id, base: { departmentId: r!.departmentId }, changes: { departmentId: department || null } }));
    if (ok) setDepartment(null);
  }

  return (
    <>
      <p><Link href="/returns">← Returns</Link></p>
      <PageHead title={r.number ? `Return ${r.number}` : 'Return (pending number)'}>
        {isLocal(r) && <span class="local">not synced</span>}
        <Status value={r.status} />
      </PageHead>
      <div class="grid two">
        <div class="card">
          <dl class="facts">
            <dt>Number</dt><dd><Num value={r.number} /></dd>
            <dt>Customer</dt><dd>{r.customerName}</dd>
            <dt>Order</dt><dd>{order ? <><Num value={order.number} /> · {order.customerName}</> : r.orderId ? 'not on this device' : '—'}</dd>
            <dt>Product</dt><dd>{product ? `${product.sku} — ${product.name}` : '—'}</dd>
            <dt>Quantity</dt><dd class="qty">{r.quantity}</dd>
            <dt>Received</dt><dd>{r.receivedAt} · taken in by {userName(lookups, r.reportedBy)}</dd>
            <dt>Reason</dt><dd>{r.reason}</dd>
            <dt>Responsible</dt><dd data-testid="return-department">{r.departmentId ? lookups.departments.get(r.departmentId)?.name ?? '—' : 'not set yet'}</dd>
            <dt>Root cause</dt><dd>{r.rootCause || '—'}</dd>
            <dt>Corrective action</dt><dd>{r.correctiveAction || '—'}</dd>
            <dt>Credit value</dt><dd>{r.creditValue === null ? '—' : r.creditValue.toFixed(2)}</dd>
            {r.resolvedAt && <><dt>Resolved</dt><dd>{formatTime(r.resolvedAt)}</dd></>}
            {r.closedAt && <><dt>Closed</dt><dd>{formatTime(r.closedAt)}</dd></>}
          </dl>
        </div>
        <div>
          {handles && r.status !== 'closed' && (
            <form class="card" onSubmit={(e) => { e.preventDefault(); void saveDepartment(); }} noValidate aria-label="Make a department responsible">
              <FormError message={assign.errors.form} />
              <SelectField label="Department responsible" value={department ?? r.departmentId ?? ''} onValue={setDepartment} error={assign.errors.fields.departmentId}
                placeholder="Not set" hint="It sees this return and its corrective actions"
                options={[...lookups.departments.values()].filter((d) => d.active).sort((a, b) => a.name.localeCompare(b.name)).map((d) => ({ value: d.id, label: d.name }))} />
              <button type="submit" class="btn big wide" disabled={department === null || assign.busy}>Save department</button>
            </form>
          )}
          {moves.length > 0 ? (
            <form class="card" onSubmit={(e) => e.preventDefault()} noValidate aria-labelledby="ret-move-h">
              <h2 id="ret-move-h">Investigation</h2>
              <FormError message={move.errors.form} />
              <TextArea label="Root cause" value={rootCause} onValue={setRootCause} error={move.errors.fields.rootCause} rows={2}
                hint={moves.includes('resolved') ? (r.rootCause ? `Keep: ${r.rootCause}` : 'Needed to resolve') : undefined} />
              <TextArea label="Corrective action" value={correctiveAction} onValue={setCorrectiveAction} error={move.errors.fields.correctiveAction} rows={2} />
              <Field label="Credit value" error={move.errors.fields.creditValue} hint="0 or more, in the plant's currency">
                {(fid, d) => <input id={fid} class="input" inputMode="decimal" aria-invalid={!!move.errors.fields.creditValue} aria-describedby={d} value={creditValue} onInput={(e) => setCreditValue(e.currentTarget.value)} />}
              </Field>
              <div class="actions">
                {moves.map((to) => (
                  <button key={to} type="button" class={`btn big ${to === 'resolved' || to === 'closed' ? 'go' : 'dark'}`} disabled={move.busy} onClick={() => go(to)}>{MOVE_LABEL[to]}</button>
                ))}
              </div>
            </form>
          ) : (
            <div class="card flat"><p class="muted">{r.status === 'closed' ? 'This return is closed.' : 'Quality moves this return.'}</p></div>
          )}
        </div>
      </div>
      {/* PART B (photos, issue 11 §4): the photos of this return go in this slot. */}
      <Photos entity="customerReturns" entityId={r.id} />
      <CorrectiveActions sourceType="return" sourceId={r.id} departmentIds={r.departmentIds} lookups={lookups} />
      <QualityHistory table="customerReturns" id={r.id} lookups={lookups} />
    </>
  );
}
