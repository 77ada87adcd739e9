// Rejects: the log (works offline), the list, and the review where supervisors and managers move a
// reject through the shared state machine with disposition, root cause and corrective action.
import { useState } from 'preact/hooks';
import { uuidv7 } from '../../../sync/ids';
import { DISPOSITIONS } from '../../../sync/mutations';
import { worksIn } from '../../../sync/permissions';
import { allowedMoves, REJECT, type RejectStatus } from '../../../sync/state-machines';
import { canSee, type Product, type Reject, type Stage } from '../../../sync/tables';
import { useSession } from '../../app-state';
import { useLive } from '../../db/live';
import { allRows, newestFirst, rowById } from '../../db/rows';
import { Empty, FormError, Link, Loading, Num, PageHead, SelectField, Status, Stepper, TextArea, useDirty } from '../../ui/components';
import { choice, num, useAction } from '../../ui/form';
import { when, words } from '../../ui/format';
import { navigate, query } from '../../ui/router';
import { mayOpen } from '../../ui/shell';
import { isLocal, machineName, machineOptions, useLookups, userName } from '../shared/lookups';
import { DownloadCsv, qs } from '../../ui/download';

const STATUS_FILTERS: [string, string[]][] = [
  ['Open', ['open', 'under_review', 'disputed']],
  ['Approved', ['approved']],
  ['Closed', ['closed']],
  ['All', [...REJECT.states]],
];

export default function RejectsPage({ id }: { id?: string }) {
  if (id === 'new') return <NewReject />;
  return id ? <RejectDetail id={id} /> : <RejectList />;
}

function RejectList() {
  const { db, user } = useSession();
  const lookups = useLookups(db);
  const rows = useLive(() => newestFirst(db, 'rejects', 'createdAt'), [db]);
  const [filter, setFilter] = useState(0);
  if (!rows || !lookups) return <Loading />;
  const states = STATUS_FILTERS[filter][1];
  const shown = rows.filter((r) => !r.deletedAt && states.includes(r.status) && canSee(user, 'rejects', r));
  return (
    <>
      <PageHead title="Rejects">
        {user.role !== 'operator' && <DownloadCsv path={`/api/rejects/export.csv${qs({ show: STATUS_FILTERS[filter][0] })}`} />}
        <Link class="btn primary" href="/rejects/new">+ Log a reject</Link>
      </PageHead>
      <div class="chips" role="group" aria-label="Show">
        {STATUS_FILTERS.map(([name], i) => <button key={name} class="chip" aria-pressed={filter === i} onClick={() => setFilter(i)}>{name}</button>)}
      </div>
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

function NewReject() {
  const { app, db, user } = useSession();
  const lookups = useLookups(db);
  const q = query();
  const stages = useLive(async () => {
    const all = await allRows(db, 'stages');
    return all.filter((s) => ['running', 'paused', 'ready'].includes(s.status) && canSee(user, 'stages', s));
  }, [db]);
  const [machineId, setMachineId] = useState(q.get('machineId') ?? '');
  const [defectCodeId, setDefectCodeId] = useState('');
  const [quantity, setQuantity] = useState('1');
  const [stageId, setStageId] = useState(q.get('stageId') ?? '');
  const [description, setDescription] = useState('');
  const { errors, busy, run } = useAction();
  useDirty(!!(machineId || defectCodeId || description) && !busy);
  if (!lookups || !stages) return <Loading />;

  async function submit(e: Event) {
    e.preventDefault();
    const id = uuidv7();
    const ok = await run(() => app.mutate('reject.create', {
      id, machineId, defectCodeId, quantity: num(quantity),
      ...(stageId ? { stageId } : {}), ...(description.trim() ? { description } : {}),
    }));
    if (ok) navigate(`/rejects/${id}`, true);
  }

  return (
    <>
      <p><Link href="/rejects">← Rejects</Link></p>
      <PageHead title="Log a reject" />
      <form class="card" onSubmit={submit} noValidate>
        <FormError message={errors.form} />
        <div class="grid two">
          <SelectField label="Machine" value={machineId} onValue={setMachineId} error={errors.fields.machineId} placeholder="Choose the machine"
            options={machineOptions(lookups, user, worksIn)} />
          <SelectField label="Defect" value={defectCodeId} onValue={setDefectCodeId} error={errors.fields.defectCodeId} placeholder="Choose the defect"
            options={[...lookups.defectCodes.values()].filter((d) => d.active).sort((a, b) => a.code.localeCompare(b.code)).map((d) => ({ value: d.id, label: `${d.code} — ${d.name}` }))} />
          <Stepper label="Quantity" value={quantity} onValue={setQuantity} error={errors.fields.quantity} />
          <SelectField label="Stage (optional)" value={stageId} onValue={setStageId} error={errors.fields.stageId} placeholder="No stage"
            options={stages.map((s) => ({ value: s.id, label: `${s.sequence}. ${s.name} · ${machineName(lookups, s.machineId)}` }))} />
        </div>
        <TextArea label="What is wrong (optional)" value={description} onValue={setDescription} error={errors.fields.description} rows={3} />
        <button class="btn primary big wide" type="submit" disabled={busy}>Log reject</button>
      </form>
    </>
  );
}

function productName(p: Product | undefined): string {
  return p ? `${p.sku} — ${p.name}` : '—';
}

function RejectDetail({ id }: { id: string }) {
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
  const { errors, run } = useAction();
  useDirty(!!(disposition || rootCause || correctiveAction));
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
    }));
    if (!ok) return;
    setDisposition('');
    setRootCause('');
    setCorrectiveAction('');
  }

  return (
    <>
      <p><Link href="/rejects">← Rejects</Link></p>
      <PageHead title={r.number ? `Reject ${r.number}` : 'Reject (pending number)'}>
        {isLocal(r) && <span class="local">not synced</span>}
        <Status value={r.status} />
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
            <TextArea label="Root cause" value={rootCause} onValue={setRootCause} error={errors.fields.rootCause} rows={2}
              hint={moves.includes('closed') ? 'Needed to close' : undefined} />
            <TextArea label="Corrective action" value={correctiveAction} onValue={setCorrectiveAction} error={errors.fields.correctiveAction} rows={2} />
            <div class="actions">
              {moves.map((to) => (
                <button key={to} type="button" class={`btn big ${to === 'approved' || to === 'closed' ? 'go' : to === 'disputed' ? 'stop' : 'dark'}`} onClick={() => move(to)}>
                  {to === 'under_review' ? 'Start review' : to === 'approved' ? 'Approve' : to === 'disputed' ? 'Dispute' : to === 'closed' ? 'Close' : words(to)}
                </button>
              ))}
            </div>
          </form>
        ) : (
          <div class="card flat"><p class="muted">{r.status === 'closed' ? 'This reject is closed.' : 'A supervisor or manager reviews this reject.'}</p></div>
        )}
      </div>
    </>
  );
}
