// One reject: where it came from (stage, order, machine), the review — approval needs a disposition,
// closing a root cause, disputing a note; a rework approval puts the parts back on the stage —, its
// corrective actions, its photos (part B) and its history (readable, from the audit log).
import { useState } from 'preact/hooks';
import { DISPOSITIONS } from '../../../sync/mutations';
import { allowedMoves, REJECT, type RejectStatus } from '../../../sync/state-machines';
import type { Product } from '../../../sync/tables';
import { useSession } from '../../app-state';
import { useLive } from '../../db/live';
import { rowById } from '../../db/rows';
import { Empty, FormError, Link, Loading, Num, PageHead, SelectField, Status, TextArea, useDirty } from '../../ui/components';
import { choice, useAction } from '../../ui/form';
import { when, words } from '../../ui/format';
import { mayOpen } from '../../ui/shell';
import { isLocal, machineName, useLookups, userName } from '../shared/lookups';
import { CorrectiveActions } from '../quality/actions';
import { QualityHistory } from '../quality/history';
import { Photos } from '../quality-photos/photos';

function productName(p: Product | undefined): string {
  return p ? `${p.sku} — ${p.name}` : '—';
}

export function RejectDetail({ id }: { id: string }) {
  const { app, db, user } = useSession();
  const lookups = useLookups(db);
  const r = useLive(() => rowById(db, 'rejects', id), [db, id]);
  // Where the reject came from: the stage and its order, when they are on this device.
  const origin = useLive(async () => {
    if (!r) return { stage: undefined, order: undefined };
    const stage = r.stageId ? await rowById(db, 'stages', r.stageId) : undefined;
    const orderId = r.orderId ?? stage?.orderId;
    return { stage, order: orderId ? await rowById(db, 'orders', orderId) : undefined };
  }, [db, r?.stageId, r?.orderId]);
  const [disposition, setDisposition] = useState('');
  const [rootCause, setRootCause] = useState('');
  const [correctiveAction, setCorrectiveAction] = useState('');
  const [note, setNote] = useState('');
  const { errors, busy, run } = useAction();
  useDirty(!!(disposition || rootCause || correctiveAction || note));
  if (r === undefined || !lookups) return <Loading />;
  if (!r) return <Empty>This reject is not on this device.</Empty>;
  const moves = allowedMoves(REJECT, r.status, user.role);
  const code = lookups.defectCodes.get(r.defectCodeId);

  async function move(to: RejectStatus) {
    const ok = await run(() => app.mutate('reject.transition', {
      id: r!.id, from: r!.status, to,
      ...(disposition ? { disposition: choice(DISPOSITIONS, disposition, 'disposition') } : {}),
      ...(rootCause.trim() ? { rootCause } : {}),
      ...(correctiveAction.trim() ? { correctiveAction } : {}),
      ...(note.trim() ? { note } : {}),
    }));
    if (!ok) return;
    setDisposition('');
    setRootCause('');
    setCorrectiveAction('');
    setNote('');
  }

  return (
    <>
      <p><Link href="/rejects">← Rejects</Link></p>
      <PageHead title={r.number ? `Reject ${r.number}` : 'Reject (pending number)'}>
        {isLocal(r) && <span class="local">not synced</span>}
        <span data-testid="reject-status"><Status value={r.status} /></span>
      </PageHead>
      <div class="grid two">
        <div class="card">
          <dl class="facts">
            <dt>Number</dt><dd><Num value={r.number} /></dd>
            <dt>Defect</dt><dd>{code ? `${code.code} — ${code.name} (${code.category})` : '—'}</dd>
            <dt>Quantity</dt><dd class="qty">{r.quantity}</dd>
            <dt>Order</dt><dd data-testid="reject-order">{origin?.order
              ? (mayOpen(user.role, '/orders') ? <Link href={`/orders/${origin.order.id}`}><Num value={origin.order.number} /> · {origin.order.customerName}</Link> : <><Num value={origin.order.number} /> · {origin.order.customerName}</>)
              : r.orderId ? 'not on this device' : '—'}</dd>
            <dt>Product</dt><dd data-testid="reject-product">{productName(r.productId ? lookups.products.get(r.productId) : undefined)}</dd>
            <dt>Stage</dt><dd data-testid="reject-stage">{origin?.stage
              ? (mayOpen(user.role, '/stages') ? <Link href={`/stages/${origin.stage.id}`}>{origin.stage.sequence}. {origin.stage.name}</Link> : `${origin.stage.sequence}. ${origin.stage.name}`)
              : r.stageId ? 'not on this device' : '—'}</dd>
            <dt>Machine</dt><dd>{machineName(lookups, r.machineId)}</dd>
            <dt>Department</dt><dd>{lookups.departments.get(r.departmentId)?.name ?? '—'}</dd>
            <dt>Reported</dt><dd>{when(r.createdAt)} by {userName(lookups, r.reportedBy)}</dd>
            <dt>Description</dt><dd>{r.description || '—'}</dd>
            <dt>Disposition</dt><dd>{words(r.disposition) || '—'}</dd>
            <dt>Root cause</dt><dd>{r.rootCause || '—'}</dd>
            <dt>Corrective action</dt><dd>{r.correctiveAction || '—'}</dd>
            {r.approvedBy && <><dt>Approved</dt><dd>{when(r.approvedAt)} by {userName(lookups, r.approvedBy)}</dd></>}
            {r.reviewNote && <><dt>Review note</dt><dd>{r.reviewNote}</dd></>}
            {r.closedAt && <><dt>Closed</dt><dd>{when(r.closedAt)}</dd></>}
          </dl>
        </div>
        {moves.length > 0 ? (
          <form class="card" onSubmit={(e) => e.preventDefault()} noValidate aria-labelledby="review-h">
            <h2 id="review-h">Review</h2>
            <FormError message={errors.form} />
            {moves.includes('approved') && (
              <SelectField label="Disposition" value={disposition} onValue={setDisposition} error={errors.fields.disposition} hint="Needed to approve"
                placeholder={r.disposition ? `Keep: ${words(r.disposition)}` : 'Choose'} options={DISPOSITIONS.map((d) => ({ value: d, label: words(d) }))} />
            )}
            {moves.includes('approved') && disposition === 'rework' && (
              <p class="small" data-testid="rework-hint">{r.stageId ? `Approving puts the ${r.quantity} parts back on the stage as work to redo.` : 'This reject has no stage: no parts go back on a stage.'}</p>
            )}
            {moves.includes('disputed') && (
              <TextArea label="Note" value={note} onValue={setNote} error={errors.fields.note} rows={2} hint="Needed to dispute: what is wrong with this reject" />
            )}
            <TextArea label="Root cause" value={rootCause} onValue={setRootCause} error={errors.fields.rootCause} rows={2}
              hint={moves.includes('closed') ? 'Needed to close' : undefined} />
            <TextArea label="Corrective action" value={correctiveAction} onValue={setCorrectiveAction} error={errors.fields.correctiveAction} rows={2} />
            <div class="actions">
              {moves.map((to) => (
                <button key={to} type="button" disabled={busy} class={`btn big ${to === 'approved' || to === 'closed' ? 'go' : to === 'disputed' ? 'stop' : 'dark'}`} onClick={() => move(to)}>
                  {to === 'under_review' ? 'Start review' : to === 'approved' ? 'Approve' : to === 'disputed' ? 'Dispute' : to === 'closed' ? 'Close' : words(to)}
                </button>
              ))}
            </div>
          </form>
        ) : (
          <div class="card flat"><p class="muted" data-testid="reject-review-state">{r.status === 'closed' ? 'This reject is closed.' : r.status === 'approved' ? `Approved${r.disposition ? `: ${words(r.disposition)}` : ''}.` : 'A supervisor or manager reviews this reject.'}</p></div>
        )}
      </div>
      {/* PART B (photos, issue 11 §4): the photos of this reject go in this slot. */}
      <Photos entity="rejects" entityId={r.id} />
      <CorrectiveActions sourceType="reject" sourceId={r.id} departmentIds={[r.departmentId]} lookups={lookups} />
      <QualityHistory table="rejects" id={r.id} lookups={lookups} />
    </>
  );
}
