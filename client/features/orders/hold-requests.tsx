// Hold requests from the floor, as a planner sees them: an alert on the orders list and the board
// ("2 hold requests waiting", opening the list), and on an order's page each request with Grant (the
// order goes on hold with the request's reason) or Decline (a note the requester reads).
import { useState } from 'preact/hooks';
import { mayUse } from '../../../sync/mutations';
import type { HoldRequest, Order, Stage } from '../../../sync/tables';
import { useSession } from '../../app-state';
import { useLive } from '../../db/live';
import { openHoldRequests } from '../../db/rows';
import { FormError, Link, TextArea } from '../../ui/components';
import { useAction } from '../../ui/form';
import { when } from '../../ui/format';
import { userName, type Lookups } from '../shared/lookups';

/** Whoever may answer a hold request (planners), as the registry in sync/ says. */
export const answersHolds = (role: Parameters<typeof mayUse>[0]) => mayUse(role, 'holdRequest.transition');

/** The alert above the orders list and the board: how many wait, and the list of them with links. */
export function HoldRequestsAlert({ orders, stages, l }: { orders: Map<string, Order>; stages: Map<string, Stage>; l: Lookups }) {
  const { db, user } = useSession();
  const open = useLive(() => openHoldRequests(db), [db]);
  const [shown, setShown] = useState(false);
  if (!answersHolds(user.role) || !open?.length) return null;
  const n = open.length;
  return (
    <section class="hold-alert" aria-live="polite" aria-label="Hold requests" data-testid="hold-alert">
      <button type="button" class="hold-alert-head" aria-expanded={shown} onClick={() => setShown(!shown)}>
        <span aria-hidden="true">⚠</span> {n} hold request{n === 1 ? '' : 's'} waiting <span class="muted small">{shown ? 'Hide' : 'Show'}</span>
      </button>
      {shown && (
        <ul class="hold-list">
          {open.map((r) => {
            const o = orders.get(r.orderId);
            return (
              <li key={r.id}>
                <Link href={`/orders/${r.orderId}`}><strong>{o?.number ?? 'Order'} · {o?.customerName ?? ''}</strong></Link>
                <RequestFacts r={r} stage={r.stageId ? stages.get(r.stageId) : undefined} l={l} />
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}

function RequestFacts({ r, stage, l }: { r: HoldRequest; stage?: Stage; l: Lookups }) {
  return (
    <div class="small">
      <div class="hold-reason">“{r.reason}”</div>
      <div class="muted">{userName(l, r.requestedBy)} · {stage ? `${stage.sequence}. ${stage.name}` : 'whole order'} · {when(r.createdAt)}</div>
    </div>
  );
}

/** The order page's card: every open request on this order, each answered here. */
export function OrderHoldRequests({ o, stages, l }: { o: Order; stages: Stage[]; l: Lookups }) {
  const { db, user } = useSession();
  const open = useLive(() => openHoldRequests(db, o.id), [db, o.id]);
  if (!answersHolds(user.role) || !open?.length) return null;
  return (
    <section class="card hold-card" aria-label="Hold requests" data-testid="order-hold-requests">
      <h2>Hold requested from the floor</h2>
      {open.map((r) => <RequestRow key={r.id} r={r} stage={stages.find((s) => s.id === r.stageId)} l={l} />)}
    </section>
  );
}

function RequestRow({ r, stage, l }: { r: HoldRequest; stage?: Stage; l: Lookups }) {
  const { app } = useSession();
  const [declining, setDeclining] = useState(false);
  const [note, setNote] = useState('');
  const { errors, busy, run, setErrors } = useAction();
  const answer = (to: 'granted' | 'declined', extra: { note?: string } = {}) =>
    run(() => app.mutate('holdRequest.transition', { id: r.id, from: 'open', to, ...extra }));

  async function decline(e: Event) {
    e.preventDefault();
    if (!note.trim()) return setErrors({ form: null, fields: { note: 'Say why the request is declined: the requester reads it.' } });
    await answer('declined', { note: note.trim() });
  }

  return (
    <article class="hold-request" aria-label={`Hold request from ${userName(l, r.requestedBy)}`}>
      <dl class="facts">
        <dt>From</dt><dd>{userName(l, r.requestedBy)}</dd>
        <dt>Stage</dt><dd>{stage ? `${stage.sequence}. ${stage.name}` : 'Whole order'}</dd>
        <dt>Reason</dt><dd class="hold-reason">{r.reason}</dd>
        <dt>Asked</dt><dd>{when(r.createdAt)}</dd>
      </dl>
      <FormError message={errors.form} />
      {declining ? (
        <form onSubmit={decline} noValidate>
          <TextArea label="Why is it declined?" rows={2} value={note} onValue={setNote} error={errors.fields.note} hint="The requester sees this note on their device." />
          <div class="actions">
            <button class="btn primary" type="submit" disabled={busy}>Decline the request</button>
            <button class="btn" type="button" onClick={() => { setDeclining(false); setErrors({ form: null, fields: {} }); }}>Back</button>
          </div>
        </form>
      ) : (
        <div class="actions">
          <button class="btn stop" disabled={busy} onClick={() => answer('granted')}>Grant: hold the order</button>
          <button class="btn" disabled={busy} onClick={() => setDeclining(true)}>Decline…</button>
        </div>
      )}
    </article>
  );
}
