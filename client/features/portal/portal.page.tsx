// The operator portal (phone or tablet, offline): my department's work sorted by due date with one-tap
// start / pause / complete, progress and reject entry with big steppers, downtime by reason, a machine
// opened by its QR code or typed code, my shift's counts, corrections and hold requests. The stage
// actions and their questions are shared with the stage screen (features/shared/floor.tsx).
import { useState } from 'preact/hooks';
import { uuidv7 } from '../../../sync/ids';
import { DOWNTIME_REASONS } from '../../../sync/mutations';
import { isLate } from '../../../sync/planning';
import { allowedMoves, STAGE } from '../../../sync/state-machines';
import { canSee, type Order, type OrderItem, type Stage } from '../../../sync/tables';
import { useSession } from '../../app-state';
import { useLive } from '../../db/live';
import { ownEventsFrom } from '../../db/rows';
import { Empty, FormError, Link, Loading, Num, PageHead, Status, Stepper } from '../../ui/components';
import { choice, num, useAction } from '../../ui/form';
import { words } from '../../ui/format';
import { CorrectionEntry, HoldRequestEntry, HoldRequestList, mayAskHold, moveClass, moveLabel, ProgressEntry, useStageMoves } from '../shared/floor';
import { machineName, useLookups, type Lookups } from '../shared/lookups';
import { localToday, slotTime } from '../planning/board';
import { useCalendar, usePlanData, type PlanData } from '../planning/data';
import { barWidth, myStages, showPercent } from '../floor/floor';
import { countEvents, currentShift, startOfDay } from './shift';
import { MachineOpener } from './scan';
import '../planning/planning.css';
import './portal.css';

interface Work { stage: Stage; order: Order; item?: OrderItem }

const WORKING = ['running', 'paused'];
const ORDER_OF = ['running', 'paused', 'ready'];

export default function PortalPage({ code }: { code?: string }) {
  const { db, user } = useSession();
  const lookups = useLookups(db);
  const data = usePlanData(db);
  if (!data || !lookups) return <Loading />;
  const machine = code ? [...lookups.machines.values()].find((m) => m.code.toLowerCase() === code.toLowerCase()) : undefined;
  if (code && !machine) {
    return (
      <>
        <p><Link href="/portal">← My work</Link></p>
        <div class="form-error" role="alert">No machine has the code “{code}”. Check the label and type it again.</div>
        <MachineOpener machines={lookups.machines} />
      </>
    );
  }
  const today = localToday();
  const all: Work[] = data.stages
    .filter((s) => (machine ? s.machineId === machine.id : canSee(user, 'stages', s)))
    .map((s) => ({ stage: s, order: data.orders.get(s.orderId)!, item: data.items.get(s.orderItemId) }))
    .filter((w) => w.order && w.order.status !== 'cancelled');
  const open = all
    .filter((w) => ORDER_OF.includes(w.stage.status))
    .sort((a, b) => ORDER_OF.indexOf(a.stage.status) - ORDER_OF.indexOf(b.stage.status) || a.order.dueDate.localeCompare(b.order.dueDate) || a.order.priority - b.order.priority);
  const held = all.filter((w) => w.stage.status === 'blocked').sort((a, b) => a.order.dueDate.localeCompare(b.order.dueDate));
  const finished = all.filter((w) => w.stage.status === 'done' && w.stage.completedAt && localToday(new Date(w.stage.completedAt)) === today);
  const deptName = user.departmentId ? lookups.departments.get(user.departmentId)?.name : null;

  return (
    <div class="portal">
      {machine ? (
        <>
          <p><Link href="/portal">← My work</Link></p>
          <PageHead title={`${machine.code} ${machine.name}`}><Status value={machine.status} /></PageHead>
          {/* maintenance (issue 13): a machine being repaired is shown as such; starting a stage on it asks first. */}
          {(machine.status === 'down' || machine.status === 'maintenance') && (
            <p class="form-error" role="status" data-testid="machine-down">
              {machine.status === 'down' ? 'This machine is down: a repair is in progress.' : 'This machine is in planned maintenance.'} Starting a stage on it asks you to confirm.
            </p>
          )}
          <p><Link href={`/machines/${machine.id}`}>Machine history and tickets</Link></p>
        </>
      ) : (
        <PageHead title={deptName ? `${deptName} · my work` : 'My work'} />
      )}
      {!machine && <ShiftCounts data={data} />}
      {!machine && <HoldRequestList title="Your hold requests" />}
      {!machine && <MachineOpener machines={lookups.machines} />}
      <h2 class="portal-h">{machine ? 'Stages on this machine' : 'Ready and running'} <span class="muted">({open.length})</span></h2>
      {open.length === 0 ? <Empty>Nothing is ready here right now.</Empty> : (
        <div class="work-list" data-testid="work-list">
          {open.map((w) => <WorkCard key={w.stage.id} w={w} l={lookups} today={today} />)}
        </div>
      )}
      {held.length > 0 && (
        <>
          <h2 class="portal-h">On hold <span class="muted">({held.length})</span></h2>
          <div class="work-list" data-testid="held-list">
            {held.map((w) => <WorkCard key={w.stage.id} w={w} l={lookups} today={today} />)}
          </div>
        </>
      )}
      {finished.length > 0 && (
        <>
          <h2 class="portal-h">Finished today <span class="muted">({finished.length})</span></h2>
          <ul class="done-list" data-testid="done-list">
            {finished.map((w) => <FinishedItem key={w.stage.id} w={w} />)}
          </ul>
        </>
      )}
    </div>
  );
}

/** "My production" (issue 15 §2): my counts this shift (today between shifts) and the stages I worked or was given, with their progress. */
function ShiftCounts({ data }: { data: PlanData }) {
  const { db, user } = useSession();
  const cal = useCalendar(db);
  const now = new Date();
  const dayStart = startOfDay(now);
  const events = useLive(() => ownEventsFrom(db, user.id, new Date(dayStart.getTime() - 86_400_000).toISOString()), [db, user.id]);
  if (!events) return null;
  const shift = currentShift(now, cal);
  const tomorrow = new Date(dayStart.getTime() + 86_400_000);
  const inShift = shift ? countEvents(events, user.id, shift.start, shift.end) : null;
  const inDay = countEvents(events, user.id, dayStart, tomorrow);
  const mine = shift ? myStages(data, events, user.id, shift.start, shift.end) : myStages(data, events, user.id, dayStart, tomorrow);
  const hhmm = (d: Date) => d.toTimeString().slice(0, 5);
  return (
    <section class="card shift-counts" aria-labelledby="shift-h" data-testid="shift-counts">
      <h2 id="shift-h">{shift ? `My production · ${shift.name.toLowerCase()} shift ${hhmm(shift.start)}–${hhmm(shift.end)}` : 'My production today'}</h2>
      <div class="counts-grid">
        <div><span class="big good">{(inShift ?? inDay).good}</span><span>good</span></div>
        <div><span class="big rej">{(inShift ?? inDay).rejected}</span><span>rejected</span></div>
        <div><span class="big">{(inShift ?? inDay).downtimeMinutes}</span><span>min down</span></div>
      </div>
      {shift && <p class="small muted">Today so far: {inDay.good} good, {inDay.rejected} rejected, {inDay.downtimeMinutes} min downtime.</p>}
      {mine.length > 0 && (
        <>
          <h3 class="my-stages-h">My stages {shift ? 'this shift' : 'today'}</h3>
          <ul class="my-stages" data-testid="my-stages">
            {mine.map((r) => (
              <li key={r.stage.id}>
                <Link class="my-stage" href={`/stages/${r.stage.id}`}>
                  <span class="my-stage-name">{r.order?.customerName ?? ''} · {r.stage.name}</span>
                  <span class="my-stage-top">
                    <span class="my-stage-n"><strong>{r.good}</strong> of {r.quantity ?? '—'} good</span>
                    <span class="my-stage-pct">{showPercent(r.percent)}</span>
                  </span>
                  <span class="progress" role="progressbar" aria-label="Good parts of the quantity" aria-valuenow={barWidth(r.percent)} aria-valuemin={0} aria-valuemax={100}>
                    <span style={`width:${barWidth(r.percent)}%`} />
                  </span>
                  <span class="my-stage-mine">You {shift ? 'this shift' : 'today'}: {r.mine.good} good, {r.mine.rejected} rejected{r.mine.downtimeMinutes ? `, ${r.mine.downtimeMinutes} min down` : ''}</span>
                </Link>
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}

function WorkCard({ w, l, today }: { w: Work; l: Lookups; today: string }) {
  const { user } = useSession();
  const [panel, setPanel] = useState<'progress' | 'downtime' | 'correct' | 'hold' | null>(null);
  const { stage, order, item } = w;
  const { move, errors, busy, dialog } = useStageMoves(stage);
  const prod = item ? l.products.get(item.productId) : undefined;
  const qty = item?.quantity ?? 0;
  const pct = qty > 0 ? Math.min(100, Math.round((stage.goodQty / qty) * 100)) : 0;
  const late = isLate(order, today);
  const moves = allowedMoves(STAGE, stage.status, user.role);
  const working = WORKING.includes(stage.status);
  const holdable = mayAskHold(stage, order);
  const toggle = (p: typeof panel) => setPanel(panel === p ? null : p);

  const title = `${order.number ?? 'New order'} ${order.customerName}, ${stage.name}`;
  return (
    <article class={`work st-${stage.status}`} aria-label={title} data-testid="work-card">
      <div class="work-top">
        <div>
          <div class="work-order"><Num value={order.number} /> · {order.customerName}</div>
          <div class="work-stage">{stage.sequence}. {stage.name}</div>
        </div>
        <Status value={stage.status} />
      </div>
      <div class="work-meta">
        <span>{prod ? `${prod.sku} ${prod.name}` : ''} × {qty}</span>
        <span>{machineName(l, stage.machineId)}{stage.scheduledStart ? ` · ${stage.scheduledStart.slice(5, 10)} ${slotTime(stage.scheduledStart)}` : ''}</span>
        <span class={late ? 'late-text' : ''}>Due {order.dueDate}{late ? ' · LATE' : ''}</span>
      </div>
      <div class="work-progress">
        <div class="progress" role="progressbar" aria-label="Good parts" aria-valuenow={pct} aria-valuemin={0} aria-valuemax={100}><span style={`width:${pct}%`} /></div>
        <span><strong>{stage.goodQty}</strong> of {qty} good · {stage.rejectQty} rejected · {stage.downtimeMinutes} min down</span>
      </div>
      {stage.status === 'blocked' && <p class="form-error">On hold{order.holdReason ? `: ${order.holdReason}` : ''}. Wait for the planner to resume the order.</p>}
      <FormError message={errors.form} />
      {moves.length > 0 && (
        <div class="work-actions">
          {moves.map((to) => (
            <button key={to} class={`btn big ${moveClass(to)}`} disabled={busy} onClick={() => { if (to === 'done') setPanel(null); void move(to); }}>
              {moveLabel(stage.status, to)}
            </button>
          ))}
        </div>
      )}
      {(working || holdable) && (
        <div class="work-actions secondary">
          {working && <button class="btn" aria-expanded={panel === 'progress'} onClick={() => toggle('progress')}>Count parts</button>}
          {working && <button class="btn" aria-expanded={panel === 'downtime'} onClick={() => toggle('downtime')}>Downtime</button>}
          {working && <button class="btn" aria-expanded={panel === 'correct'} onClick={() => toggle('correct')}>Correct a count</button>}
          {holdable && <button class="btn" aria-expanded={panel === 'hold'} onClick={() => toggle('hold')}>Ask for a hold</button>}
        </div>
      )}
      {panel === 'progress' && working && <ProgressEntry stage={stage} lookups={l} compact onDone={() => setPanel(null)} />}
      {panel === 'downtime' && working && <DowntimePanel stage={stage} onDone={() => setPanel(null)} />}
      {panel === 'correct' && working && <CorrectionEntry stage={stage} onDone={() => setPanel(null)} />}
      {panel === 'hold' && holdable && <HoldRequestEntry stage={stage} onDone={() => setPanel(null)} />}
      <HoldRequestList stageId={stage.id} />
      {dialog}
    </article>
  );
}

/** A stage finished today; a supervisor (or planner) may reopen it while the next stage has not started. */
function FinishedItem({ w }: { w: Work }) {
  const { user } = useSession();
  const { move, errors, busy, dialog } = useStageMoves(w.stage);
  const reopen = allowedMoves(STAGE, 'done', user.role).includes('running');
  return (
    <li>
      <div class="done-row">
        <span><Num value={w.order.number} /> {w.order.customerName} · {w.stage.sequence}. {w.stage.name}</span>
        <span class="row">
          {w.stage.version === 0 && <span class="local">not synced</span>}
          <Status value="done" />
          {reopen && <button class="btn" disabled={busy} onClick={() => move('running')} aria-label={`Reopen ${w.stage.name} of ${w.order.customerName}`}>Reopen</button>}
        </span>
      </div>
      <FormError message={errors.form} />
      {dialog}
    </li>
  );
}

function DowntimePanel({ stage, onDone }: { stage: Stage; onDone: () => void }) {
  const { app } = useSession();
  const [reason, setReason] = useState('');
  const [minutes, setMinutes] = useState('10');
  const { errors, busy, run, setErrors } = useAction();

  async function save(e: Event) {
    e.preventDefault();
    if (!reason) return setErrors({ form: null, fields: { reason: 'choose a reason' } });
    if (await run(() => app.mutate('job.downtime', { id: uuidv7(), stageId: stage.id, reason: choice(DOWNTIME_REASONS, reason, 'reason'), minutes: num(minutes) }))) onDone();
  }

  return (
    <form class="panel" onSubmit={save} noValidate aria-label="Downtime">
      <FormError message={errors.form} />
      <fieldset class="reasons">
        <legend>Reason</legend>
        {DOWNTIME_REASONS.map((r) => (
          <button key={r} type="button" class="chip reason" aria-pressed={reason === r} onClick={() => setReason(r)}>{words(r)}</button>
        ))}
        {errors.fields.reason && <span class="field-error" role="alert">{errors.fields.reason}</span>}
      </fieldset>
      <Stepper label="Minutes" value={minutes} onValue={setMinutes} step={5} error={errors.fields.minutes} />
      <button class="btn dark big wide" type="submit" disabled={busy}>Save downtime</button>
    </form>
  );
}
