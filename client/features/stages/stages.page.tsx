// The operator's stage list (their department's ready and running work) and one stage's screen:
// start / pause / complete / reopen as the shared state machine allows (with the mutators' questions),
// progress with its rejected parts, downtime, corrections and hold requests (features/shared/floor.tsx).
import { useState } from 'preact/hooks';
import { uuidv7 } from '../../../sync/ids';
import { DOWNTIME_REASONS } from '../../../sync/mutations';
import { allowedMoves, STAGE } from '../../../sync/state-machines';
import { canSee, type JobEvent, type Order, type OrderItem, type Stage } from '../../../sync/tables';
import { useSession } from '../../app-state';
import { useLive } from '../../db/live';
import { allRows, rowById, rowsByIds, rowsWhere } from '../../db/rows';
import { Empty, FormError, Link, Loading, Num, PageHead, SelectField, Status, TextField, useDirty } from '../../ui/components';
import { choice, num, useAction } from '../../ui/form';
import { when, words } from '../../ui/format';
import { eventText } from '../shared/events';
import { CorrectionEntry, HoldRequestEntry, HoldRequestList, mayAskHold, moveClass, moveLabel, ProgressEntry, useStageMoves } from '../shared/floor';
import { machineName, useLookups, type Lookups } from '../shared/lookups';
import { DownloadCsv, qs } from '../../ui/download';
import { useUrlFilters } from '../../ui/router';

// The floor's default is what can be worked now (DOMAIN.md: "ready and running stages").
const FILTERS = {
  now: { label: 'Ready & working', states: ['running', 'paused', 'ready'] },
  active: { label: 'Working', states: ['running', 'paused'] },
  open: { label: 'All open', states: ['ready', 'running', 'paused', 'blocked', 'pending'] },
} as const;
type FilterKey = keyof typeof FILTERS;

interface StageView { stage: Stage; order?: Order; item?: OrderItem }

function useStages(stageId?: string) {
  const { db, user } = useSession();
  return useLive(async () => {
    const one = stageId ? await rowById(db, 'stages', stageId) : null;
    // The device holds only this user's scope; the same rule keeps a shared view to the user's own work.
    const stages = (stageId ? (one ? [one] : []) : await allRows(db, 'stages')).filter((s) => !s.deletedAt && canSee(user, 'stages', s));
    const orders = await rowsByIds(db, 'orders', stages.map((s) => s.orderId));
    const items = await rowsByIds(db, 'orderItems', stages.map((s) => s.orderItemId));
    return stages.map((stage): StageView => ({ stage, order: orders.get(stage.orderId), item: items.get(stage.orderItemId) }));
  }, [db, stageId]);
}

export default function StagesPage({ id }: { id?: string }) {
  return id ? <StageDetail id={id} /> : <StageList />;
}

function StageList() {
  const { db, user } = useSession();
  const lookups = useLookups(db);
  const views = useStages();
  // The filters live in the URL (/stages?show=now&departmentId=…), named as the export's parameters.
  const [f, setF] = useUrlFilters({ show: 'now', departmentId: '' });
  const filter: FilterKey = f.show in FILTERS ? (f.show as FilterKey) : 'now';
  const dept = f.departmentId;
  if (!views || !lookups) return <Loading />;
  const states: readonly string[] = FILTERS[filter].states;
  const shown = views
    .filter((v) => states.includes(v.stage.status) && (!dept || v.stage.departmentId === dept))
    .sort((a, b) => rank(a.stage.status) - rank(b.stage.status) || (a.order?.dueDate ?? '').localeCompare(b.order?.dueDate ?? ''));
  const depts = [...new Set(views.map((v) => v.stage.departmentId))].map((d) => lookups.departments.get(d)).filter(Boolean);
  const deptName = user.departmentId ? lookups.departments.get(user.departmentId)?.name : null;
  return (
    <>
      <PageHead title={user.role === 'operator' && deptName ? `${deptName} stages` : 'Stages'}>
        <DownloadCsv path={`/api/stages/export.csv${qs({ show: filter, departmentId: dept })}`} />
      </PageHead>
      <div class="chips" role="group" aria-label="Show">
        {(Object.keys(FILTERS) as FilterKey[]).map((k) => (
          <button key={k} class="chip" aria-pressed={filter === k} onClick={() => setF({ show: k })}>{FILTERS[k].label}</button>
        ))}
        {user.role !== 'operator' && depts.length > 1 && (
          <select class="input" style="width:auto" aria-label="Department" value={dept} onChange={(e) => setF({ departmentId: e.currentTarget.value })}>
            <option value="">All departments</option>
            {depts.map((d) => <option key={d!.id} value={d!.id}>{d!.name}</option>)}
          </select>
        )}
      </div>
      {shown.length === 0 ? <Empty>No stages here right now.</Empty> : (
        <div class="list" data-testid="stage-list">
          {shown.map((v) => <StageItem key={v.stage.id} v={v} l={lookups} />)}
        </div>
      )}
    </>
  );
}

function rank(status: string) {
  return ['running', 'paused', 'ready', 'blocked', 'pending'].indexOf(status);
}

function StageItem({ v, l }: { v: StageView; l: Lookups }) {
  const product = v.item ? l.products.get(v.item.productId) : undefined;
  const qty = v.item?.quantity ?? 0;
  return (
    <Link class="item" href={`/stages/${v.stage.id}`}>
      <div class="top">
        <span class="title">{v.stage.sequence}. {v.stage.name}</span>
        <Status value={v.stage.status} />
      </div>
      <div class="meta">
        <span><Num value={v.order?.number ?? null} /> · {v.order?.customerName}</span>
        <span>{product ? `${product.sku} ${product.name}` : ''}</span>
        <span>{machineName(l, v.stage.machineId)}</span>
        <span>Due {v.order?.dueDate ?? '—'}</span>
      </div>
      <Bar good={v.stage.goodQty} of={qty} />
    </Link>
  );
}

function Bar({ good, of }: { good: number; of: number }) {
  const pct = of > 0 ? Math.min(100, Math.round((good / of) * 100)) : 0;
  return (
    <div style="margin-top:8px">
      <div class="progress" role="progressbar" aria-label="Progress" aria-valuenow={pct} aria-valuemin={0} aria-valuemax={100}><span style={`width:${pct}%`} /></div>
      <span class="small muted">{good} of {of} good ({pct} %)</span>
    </div>
  );
}

function StageDetail({ id }: { id: string }) {
  const { db } = useSession();
  const lookups = useLookups(db);
  const views = useStages(id);
  const events = useLive(() => rowsWhere(db, 'jobEvents', 'stageId', id), [db, id]);
  if (!views || !lookups) return <Loading />;
  const v = views[0];
  if (!v) return <Empty>This stage is not on this device (it may have finished or left your department).</Empty>;
  return <StageScreen v={v} lookups={lookups} events={events ?? []} />;
}

function StageScreen({ v, lookups, events }: { v: StageView; lookups: Lookups; events: JobEvent[] }) {
  const { user } = useSession();
  const { stage } = v;
  const { move, errors: moveErrors, busy, dialog } = useStageMoves(stage);
  const [panel, setPanel] = useState<'correct' | 'hold' | null>(null);
  const product = v.item ? lookups.products.get(v.item.productId) : undefined;
  const moves = allowedMoves(STAGE, stage.status, user.role);
  const working = ['running', 'paused'].includes(stage.status);
  const holdable = mayAskHold(stage, v.order);
  const toggle = (p: typeof panel) => setPanel(panel === p ? null : p);

  return (
    <>
      <p><Link href="/stages">← All stages</Link></p>
      <PageHead title={`${stage.sequence}. ${stage.name}`}><Status value={stage.status} /></PageHead>
      <div class="grid two">
        <div class="card">
          <dl class="facts">
            <dt>Order</dt><dd><Num value={v.order?.number ?? null} /> {v.order?.customerName}</dd>
            <dt>Product</dt><dd>{product ? `${product.sku} ${product.name}` : '—'}</dd>
            <dt>Machine</dt><dd>{machineName(lookups, stage.machineId)}</dd>
            <dt>Due</dt><dd>{v.order?.dueDate ?? '—'}</dd>
            <dt>Rejected</dt><dd>{stage.rejectQty}</dd>
            <dt>Downtime</dt><dd>{stage.downtimeMinutes} min</dd>
          </dl>
          <Bar good={stage.goodQty} of={v.item?.quantity ?? 0} />
          {stage.status === 'blocked' && <p class="form-error" style="margin-top:12px">The order is on hold{v.order?.holdReason ? `: ${v.order.holdReason}` : ''}.</p>}
          <FormError message={moveErrors.form} />
          {moves.length > 0 && (
            <div class="actions">
              {moves.map((to) => (
                <button key={to} class={`btn big ${moveClass(to)}`} disabled={busy} onClick={() => move(to)}>{moveLabel(stage.status, to)}</button>
              ))}
            </div>
          )}
          <div class="actions">
            <Link class="btn" href={`/rejects/new?stageId=${stage.id}${stage.machineId ? `&machineId=${stage.machineId}` : ''}`}>Log a reject</Link>
            {(stage.goodQty > 0 || stage.rejectQty > 0) && <button class="btn" aria-expanded={panel === 'correct'} onClick={() => toggle('correct')}>Correct a count</button>}
            {holdable && <button class="btn" aria-expanded={panel === 'hold'} onClick={() => toggle('hold')}>Ask for a hold</button>}
          </div>
          {panel === 'correct' && <CorrectionEntry stage={stage} onDone={() => setPanel(null)} />}
          {panel === 'hold' && holdable && <HoldRequestEntry stage={stage} onDone={() => setPanel(null)} />}
          <HoldRequestList stageId={stage.id} />
          {dialog}
        </div>
        {working ? <ProgressEntry stage={stage} lookups={lookups} /> : (
          <div class="card flat"><p class="muted">Progress can be recorded while the stage is running or paused.</p></div>
        )}
      </div>
      {working && <DowntimeForm stageId={stage.id} />}
      <div class="card flat">
        <h2>Recorded on this stage</h2>
        {!events.length ? <p class="muted">Nothing yet.</p> : (
          <ul class="timeline" data-testid="stage-events">
            {[...events].sort((a, b) => b.at.localeCompare(a.at)).map((e) => (
              <li key={e.id} class={e.kind === 'correction' ? 'correction' : undefined}>
                <div class="when">{when(e.at)} · {lookups.users.get(e.userId)?.displayName ?? ''}{e.version === 0 ? ' · ' : ''}{e.version === 0 && <span class="local">not synced</span>}</div>
                {eventText(e)}
              </li>
            ))}
          </ul>
        )}
      </div>
    </>
  );
}

function DowntimeForm({ stageId }: { stageId: string }) {
  const { app } = useSession();
  const [reason, setReason] = useState('');
  const [minutes, setMinutes] = useState('');
  const { errors, run } = useAction();
  const [done, setDone] = useState<string | null>(null);
  useDirty(reason !== '' || minutes !== '');

  async function submit(e: Event) {
    e.preventDefault();
    setDone(null);
    if (!(await run(() => app.mutate('job.downtime', { id: uuidv7(), stageId, reason: choice(DOWNTIME_REASONS, reason, 'reason'), minutes: num(minutes) })))) return;
    setDone(`Recorded ${minutes} min of ${words(reason)}.`);
    setReason('');
    setMinutes('');
  }

  return (
    <form class="card" onSubmit={submit} noValidate aria-labelledby="downtime-h">
      <h2 id="downtime-h">Record downtime</h2>
      {done && <div class="form-ok" role="status">{done}</div>}
      <FormError message={errors.form} />
      <div class="grid two">
        <SelectField label="Reason" value={reason} onValue={setReason} error={errors.fields.reason} placeholder="Choose a reason"
          options={DOWNTIME_REASONS.map((r) => ({ value: r, label: words(r) }))} />
        <TextField label="Minutes" inputMode="numeric" value={minutes} onValue={setMinutes} error={errors.fields.minutes} />
      </div>
      <button class="btn dark wide" type="submit">Record downtime</button>
    </form>
  );
}
