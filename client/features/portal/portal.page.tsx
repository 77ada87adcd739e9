// The operator portal (phone or tablet, offline): my department's work sorted by due date with one-tap
// start / pause / complete, progress and reject entry with big steppers, downtime by reason, a machine
// opened by its QR code or typed code, and my shift's counts.
import { useState } from 'preact/hooks';
import { uuidv7 } from '../../../sync/ids';
import { DOWNTIME_REASONS } from '../../../sync/mutations';
import { isLate } from '../../../sync/planning';
import { allowedMoves, STAGE, type StageStatus } from '../../../sync/state-machines';
import type { Machine, Order, OrderItem, Stage } from '../../../sync/tables';
import type { PublicUser } from '../../../sync/roles';
import { useSession } from '../../app-state';
import { useLive } from '../../db/live';
import { rowsFrom } from '../../db/rows';
import { Empty, FormError, Link, Loading, Num, PageHead, SelectField, Status, Stepper, useDirty } from '../../ui/components';
import { choice, num, useAction } from '../../ui/form';
import { words } from '../../ui/format';
import { machineName, useLookups, type Lookups } from '../shared/lookups';
import { localToday, slotTime } from '../planning/board';
import { useCalendar, usePlanData } from '../planning/data';
import { countEvents, currentShift, startOfDay } from './shift';
import { MachineOpener } from './scan';
import '../planning/planning.css';

interface Work { stage: Stage; order: Order; item?: OrderItem }

const WORKING = ['running', 'paused'];
const ORDER_OF = ['running', 'paused', 'ready'];

/** Stages a person on the floor works on: their department's, or assigned to them; everyone else sees all. */
function mine(user: PublicUser, s: Stage) {
  if (user.role !== 'operator' && user.role !== 'supervisor') return true;
  return s.departmentId === user.departmentId || s.assigneeId === user.id;
}

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
    .filter((s) => (machine ? s.machineId === machine.id : mine(user, s)))
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
        </>
      ) : (
        <PageHead title={deptName ? `${deptName} · my work` : 'My work'} />
      )}
      {!machine && <ShiftCounts />}
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
            {finished.map((w) => (
              <li key={w.stage.id}>
                <span><Num value={w.order.number} /> {w.order.customerName} · {w.stage.sequence}. {w.stage.name}</span>
                <span class="row">{w.stage.version === 0 && <span class="local">not synced</span>}<Status value="done" /></span>
              </li>
            ))}
          </ul>
        </>
      )}
    </div>
  );
}

function ShiftCounts() {
  const { db, user } = useSession();
  const cal = useCalendar(db);
  const now = new Date();
  const dayStart = startOfDay(now);
  const events = useLive(() => rowsFrom(db, 'jobEvents', 'at', new Date(dayStart.getTime() - 86_400_000).toISOString()), [db]);
  if (!events) return null;
  const shift = currentShift(now, cal);
  const tomorrow = new Date(dayStart.getTime() + 86_400_000);
  const inShift = shift ? countEvents(events, user.id, shift.start, shift.end) : null;
  const inDay = countEvents(events, user.id, dayStart, tomorrow);
  const hhmm = (d: Date) => d.toTimeString().slice(0, 5);
  return (
    <section class="card shift-counts" aria-labelledby="shift-h" data-testid="shift-counts">
      <h2 id="shift-h">{shift ? `My ${shift.name.toLowerCase()} shift (${hhmm(shift.start)}–${hhmm(shift.end)})` : 'My counts today'}</h2>
      <div class="counts-grid">
        <div><span class="big good">{(inShift ?? inDay).good}</span><span>good</span></div>
        <div><span class="big rej">{(inShift ?? inDay).rejected}</span><span>rejected</span></div>
        <div><span class="big">{(inShift ?? inDay).downtimeMinutes}</span><span>min down</span></div>
      </div>
      {shift && <p class="small muted">Today so far: {inDay.good} good, {inDay.rejected} rejected, {inDay.downtimeMinutes} min downtime.</p>}
    </section>
  );
}

const MOVE_LABEL: Record<string, string> = { running: 'Start', paused: 'Pause', done: 'Complete' };
const moveLabel = (from: string, to: string) => (from === 'paused' && to === 'running' ? 'Resume' : MOVE_LABEL[to] ?? words(to));

function WorkCard({ w, l, today }: { w: Work; l: Lookups; today: string }) {
  const { app, user } = useSession();
  const [panel, setPanel] = useState<'progress' | 'downtime' | null>(null);
  const { errors, busy, run } = useAction();
  const { stage, order, item } = w;
  const prod = item ? l.products.get(item.productId) : undefined;
  const qty = item?.quantity ?? 0;
  const pct = qty > 0 ? Math.min(100, Math.round((stage.goodQty / qty) * 100)) : 0;
  const late = isLate(order, today);
  const moves = allowedMoves(STAGE, stage.status, user.role);

  async function move(to: StageStatus) {
    await run(async () => {
      await app.mutate('stage.transition', { id: stage.id, from: stage.status, to });
      if (to === 'done') setPanel(null);
    });
  }

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
            <button key={to} class={`btn big ${to === 'paused' ? 'stop' : to === 'done' ? 'dark' : 'go'}`} disabled={busy} onClick={() => move(to)}>
              {moveLabel(stage.status, to)}
            </button>
          ))}
        </div>
      )}
      {WORKING.includes(stage.status) && (
        <div class="work-actions secondary">
          <button class="btn" aria-expanded={panel === 'progress'} onClick={() => setPanel(panel === 'progress' ? null : 'progress')}>Count parts</button>
          <button class="btn" aria-expanded={panel === 'downtime'} onClick={() => setPanel(panel === 'downtime' ? null : 'downtime')}>Downtime</button>
        </div>
      )}
      {panel === 'progress' && WORKING.includes(stage.status) && <ProgressPanel stage={stage} l={l} onDone={() => setPanel(null)} />}
      {panel === 'downtime' && WORKING.includes(stage.status) && <DowntimePanel stage={stage} onDone={() => setPanel(null)} />}
    </article>
  );
}

function ProgressPanel({ stage, l, onDone }: { stage: Stage; l: Lookups; onDone: () => void }) {
  const { app } = useSession();
  const [good, setGood] = useState('0');
  const [reject, setReject] = useState('0');
  const [defect, setDefect] = useState('');
  const [machine, setMachine] = useState(stage.machineId ?? '');
  const { errors, busy, run, setErrors } = useAction();
  useDirty(good !== '0' || reject !== '0');
  const rej = num(reject);
  const machines = [...l.machines.values()].filter((m: Machine) => m.active && m.departmentId === stage.departmentId);
  const defects = [...l.defectCodes.values()].filter((d) => d.active && !d.deletedAt).sort((a, b) => a.code.localeCompare(b.code));

  async function save(e: Event) {
    e.preventDefault();
    const fields: Record<string, string> = {};
    if (rej > 0 && !defect) fields.defectCodeId = 'choose the defect';
    if (rej > 0 && !machine) fields.machineId = 'choose the machine';
    if (num(good) + (Number.isNaN(rej) ? 0 : rej) === 0) fields.goodQty = 'count at least one part';
    if (Object.keys(fields).length) return setErrors({ form: null, fields });
    const ok = await run(async () => {
      await app.mutate('job.progress', { id: uuidv7(), stageId: stage.id, goodQty: num(good), rejectQty: rej });
      // The reject also goes on the quality log, tied to this stage and its machine.
      if (rej > 0) await app.mutate('reject.create', { id: uuidv7(), machineId: machine, defectCodeId: defect, quantity: rej, stageId: stage.id });
    });
    if (ok) onDone();
  }

  return (
    <form class="panel" onSubmit={save} noValidate aria-label="Count parts">
      <FormError message={errors.form} />
      <div class="grid two">
        <Stepper label="Good" value={good} onValue={setGood} error={errors.fields.goodQty} />
        <Stepper label="Reject" value={reject} onValue={setReject} error={errors.fields.rejectQty} />
      </div>
      {rej > 0 && (
        <div class="grid two">
          <SelectField label="Defect" value={defect} onValue={setDefect} placeholder="Choose the defect" error={errors.fields.defectCodeId}
            options={defects.map((d) => ({ value: d.id, label: `${d.code} — ${d.name}` }))} />
          {!stage.machineId && (
            <SelectField label="Machine" value={machine} onValue={setMachine} placeholder="Choose the machine" error={errors.fields.machineId}
              options={machines.map((m) => ({ value: m.id, label: `${m.code} — ${m.name}` }))} />
          )}
        </div>
      )}
      <button class="btn primary big wide" type="submit" disabled={busy}>Save count</button>
    </form>
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
