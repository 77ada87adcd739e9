// The scheduling board: machines (rows, grouped by department) × the days of a week, each cell with its
// stages and its capacity; unscheduled stages per department below; a dialog to place a stage on a
// machine and a slot, which asks before going over capacity.
import { useEffect, useRef, useState } from 'preact/hooks';
import { OVER_CAPACITY, type ShiftCalendar } from '../../../sync/planning';
import { Rejection } from '../../../sync/store';
import type { Department, Machine, Order, Stage } from '../../../sync/tables';
import { useSession } from '../../app-state';
import { FormError, Link, Loading, Num, PageHead, SelectField, Status } from '../../ui/components';
import { useAction } from '../../ui/form';
import { words } from '../../ui/format';
import { navigate, path, query } from '../../ui/router';
import { useLookups, type Lookups } from '../shared/lookups';
import { addDays, departmentLoad, hours, isUnscheduled, localToday, machineLoad, mondayOf, percent, scheduledDay, slotIso, slotTime, weekDays, type Load } from './board';
import { useCalendar, usePlanData, type PlanData } from './data';
import './planning.css';

const DAY_FMT = new Intl.DateTimeFormat(undefined, { weekday: 'short', day: 'numeric', month: 'short', timeZone: 'UTC' });
const dayLabel = (day: string) => DAY_FMT.format(new Date(`${day}T00:00:00Z`));

interface Ctx { data: PlanData; l: Lookups; cal: ShiftCalendar; open: (stage: Stage, at?: { machineId: string; day: string }) => void }

export default function BoardPage() {
  const { db, user } = useSession();
  const lookups = useLookups(db);
  const data = usePlanData(db);
  const cal = useCalendar(db);
  const q = query(path.value);
  const today = localToday();
  const week = mondayOf(q.get('week') ?? today);
  const [dept, setDept] = useState(user.role === 'supervisor' ? user.departmentId ?? '' : q.get('dept') ?? '');
  const [editing, setEditing] = useState<{ stage: Stage; machineId?: string; day?: string } | null>(null);
  if (!data || !lookups) return <Loading />;

  const days = weekDays(week);
  const activeStages = data.stages.filter((s) => {
    const o = data.orders.get(s.orderId);
    return o && o.status !== 'cancelled';
  });
  const machines = [...lookups.machines.values()].filter((m) => m.active && !m.deletedAt);
  const depts = [...lookups.departments.values()]
    .filter((d) => machines.some((m) => m.departmentId === d.id) && (user.role !== 'supervisor' || d.id === user.departmentId))
    .sort((a, b) => a.code.localeCompare(b.code));
  const shownDepts = depts.filter((d) => !dept || d.id === dept);
  const ctx: Ctx = { data: { ...data, stages: activeStages }, l: lookups, cal, open: (stage, at) => setEditing({ stage, machineId: at?.machineId, day: at?.day }) };
  const goWeek = (day: string) => navigate(`/planning?week=${day}${dept ? `&dept=${dept}` : ''}`, true);

  return (
    <div class="board-page">
      <PageHead title="Scheduling board">
        <div class="row week-nav" role="group" aria-label="Week">
          <button class="btn" onClick={() => goWeek(addDays(week, -7))} aria-label="Previous week">← Previous</button>
          <button class="btn" onClick={() => goWeek(today)} disabled={week === mondayOf(today)}>This week</button>
          <button class="btn" onClick={() => goWeek(addDays(week, 7))} aria-label="Next week">Next →</button>
        </div>
      </PageHead>
      <p class="muted week-label"><strong>{dayLabel(days[0])} – {dayLabel(days[6])}</strong> · times are plant times · a cell is red above 100 % of its shift hours</p>
      {depts.length > 1 && (
        <div class="chips" role="group" aria-label="Department">
          <button class="chip" aria-pressed={!dept} onClick={() => setDept('')}>All departments</button>
          {depts.map((d) => <button key={d.id} class="chip" aria-pressed={dept === d.id} onClick={() => setDept(d.id)}>{d.name}</button>)}
        </div>
      )}
      <div class="board-wrap" data-testid="board" tabIndex={0} aria-label="Board">
        <table class="board">
          <colgroup>
            <col class="board-machine-col" />
            {days.map((d) => <col key={d} class={isDayOff(d, cal) ? 'day-off' : ''} />)}
          </colgroup>
          <thead>
            <tr>
              <th scope="col">Machine</th>
              {days.map((d) => <th key={d} scope="col" class={d === today ? 'today' : ''}>{dayLabel(d)}</th>)}
            </tr>
          </thead>
          {shownDepts.map((d) => (
            <DeptRows key={d.id} d={d} machines={machines.filter((m) => m.departmentId === d.id).sort((a, b) => a.code.localeCompare(b.code))} days={days} ctx={ctx} />
          ))}
        </table>
      </div>
      <h2 class="unscheduled-h">Unscheduled stages</h2>
      <div class="unscheduled">
        {shownDepts.map((d) => <Unscheduled key={d.id} d={d} ctx={ctx} />)}
      </div>
      {editing && (
        <ScheduleDialog key={editing.stage.id} stage={editing.stage} machineId={editing.machineId} day={editing.day ?? firstWorkingDay(days, today)}
          ctx={ctx} machines={machines.filter((m) => m.departmentId === editing.stage.departmentId)} onClose={() => setEditing(null)} />
      )}
    </div>
  );
}

/** A day without shifts gets a narrow column, so the working days have room for their stages. */
function isDayOff(day: string, cal: ShiftCalendar) {
  return !cal.workingDays.includes(new Date(`${day}T00:00:00Z`).getUTCDay()) || cal.holidays.includes(day);
}

function firstWorkingDay(days: string[], today: string) {
  return days.find((d) => d >= today && ![0, 6].includes(new Date(`${d}T00:00:00Z`).getUTCDay())) ?? days[0];
}

function LoadBadge({ load, label }: { load: Load; label: string }) {
  const cls = load.over ? 'over' : load.load >= 0.85 ? 'high' : load.available === 0 ? 'off' : '';
  const pct = Number.isFinite(load.load) ? Math.min(100, Math.round(load.load * 100)) : 100;
  return (
    <div class={`load ${cls}`} title={`${label}: ${hours(load.scheduled)} of ${hours(load.available)}`}>
      {load.available === 0 && load.scheduled === 0 ? <span class="load-text">no shifts</span> : (
        <span class="load-text">
          <span>{load.over && <strong>OVER </strong>}{percent(load)}</span>
          <span>{shortHours(load)}</span>
        </span>
      )}
      {load.available > 0 && <span class="load-bar" aria-hidden="true"><span style={`width:${pct}%`} /></span>}
    </div>
  );
}

/** "30/16 h": scheduled of available, short enough for a day column. */
function shortHours(l: Load) {
  const n = (h: number) => (Number.isInteger(h) ? String(h) : h.toFixed(1));
  return `${n(l.scheduled)}/${n(l.available)} h`;
}

function DeptRows({ d, machines, days, ctx }: { d: Department; machines: Machine[]; days: string[]; ctx: Ctx }) {
  return (
    <tbody>
      <tr class="dept-row">
        <th scope="row">{d.name}</th>
        {days.map((day) => <td key={day}><LoadBadge load={departmentLoad(ctx.data.stages, machines, day, ctx.cal)} label={`${d.name} on ${day}`} /></td>)}
      </tr>
      {machines.map((m) => (
        <tr key={m.id} class="machine-row">
          <th scope="row"><span class="mono">{m.code}</span><span class="small muted">{m.name}</span></th>
          {days.map((day) => <Cell key={day} m={m} day={day} ctx={ctx} />)}
        </tr>
      ))}
    </tbody>
  );
}

function Cell({ m, day, ctx }: { m: Machine; day: string; ctx: Ctx }) {
  const load = machineLoad(ctx.data.stages, m, day, ctx.cal);
  const here = ctx.data.stages
    .filter((s) => s.machineId === m.id && scheduledDay(s) === day)
    .sort((a, b) => (a.scheduledStart ?? '').localeCompare(b.scheduledStart ?? ''));
  return (
    <td class={`cell${load.over ? ' over' : ''}${load.available === 0 ? ' off' : ''}`} data-testid={`cell-${m.code}-${day}`}
      aria-label={`${m.code} ${day}: ${load.over ? 'over capacity, ' : ''}${percent(load)}`}>
      <LoadBadge load={load} label={`${m.code} on ${day}`} />
      {here.map((s) => <StageChip key={s.id} s={s} ctx={ctx} />)}
    </td>
  );
}

function StageChip({ s, ctx }: { s: Stage; ctx: Ctx }) {
  const o = ctx.data.orders.get(s.orderId);
  return (
    <button type="button" class={`chip-stage st-${s.status}`} onClick={() => ctx.open(s)} title={`${o?.number ?? 'New order'} · ${o?.customerName} · ${s.sequence}. ${s.name}`}
      aria-label={`${o?.number ?? 'New order'} ${o?.customerName ?? ''} ${s.name}, ${s.status}, starts ${slotTime(s.scheduledStart)}, ${s.plannedMinutes} minutes. Reschedule`}>
      <span class="t">{slotTime(s.scheduledStart)} · {hours(s.plannedMinutes / 60)}</span>
      <span class="n">{o?.customerName}</span>
      <span class="s">{s.name}</span>
      {s.status !== 'ready' && <span class="st">{s.status === 'done' ? '✓ done' : words(s.status)}</span>}
    </button>
  );
}

function Unscheduled({ d, ctx }: { d: Department; ctx: Ctx }) {
  const list = ctx.data.stages
    .filter((s) => s.departmentId === d.id && isUnscheduled(s))
    .map((s) => ({ s, o: ctx.data.orders.get(s.orderId) }))
    .filter((x): x is { s: Stage; o: Order } => !!x.o && !['completed'].includes(x.o.status))
    .sort((a, b) => a.o.dueDate.localeCompare(b.o.dueDate) || a.o.priority - b.o.priority);
  return (
    <section class="card flat" aria-label={`Unscheduled in ${d.name}`} data-testid={`unscheduled-${d.code}`}>
      <h3>{d.name} <span class="muted small">({list.length})</span></h3>
      {list.length === 0 ? <p class="muted small">Everything is scheduled.</p> : (
        <ul class="unsched-list">
          {list.map(({ s, o }) => {
            const item = ctx.data.items.get(s.orderItemId);
            const prod = item ? ctx.l.products.get(item.productId) : undefined;
            return (
              <li key={s.id}>
                <div>
                  <strong><Num value={o.number} /> {o.customerName}</strong>
                  <div class="small">{s.sequence}. {s.name} · {hours(s.plannedMinutes / 60)} · {prod?.sku} × {item?.quantity} · due {o.dueDate}</div>
                  <div class="small"><Status value={s.status} /></div>
                </div>
                <button class="btn" onClick={() => ctx.open(s)} aria-label={`Schedule ${o.number ?? ''} ${o.customerName} ${s.name}`}>Schedule</button>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}

function ScheduleDialog({ stage, machineId, day: day0, ctx, machines, onClose }: {
  stage: Stage; machineId?: string; day: string; ctx: Ctx; machines: Machine[]; onClose: () => void;
}) {
  const { app } = useSession();
  const ref = useRef<HTMLDialogElement>(null);
  const o = ctx.data.orders.get(stage.orderId);
  const firstShift = ctx.cal.shifts[0]?.start ?? '06:00';
  const [machine, setMachine] = useState(machineId ?? stage.machineId ?? machines[0]?.id ?? '');
  const [day, setDay] = useState(stage.scheduledStart?.slice(0, 10) ?? day0);
  const [time, setTime] = useState(stage.scheduledStart ? slotTime(stage.scheduledStart) : firstShift);
  const [over, setOver] = useState<{ message: string } | null>(null);
  const { errors, busy, run } = useAction();

  useEffect(() => {
    const dlg = ref.current!;
    dlg.showModal();
    const cancel = (e: Event) => { e.preventDefault(); onClose(); };
    dlg.addEventListener('cancel', cancel);
    return () => dlg.removeEventListener('cancel', cancel);
  }, []);

  const m = machines.find((x) => x.id === machine);
  const preview = m && day ? machineLoad(ctx.data.stages, m, day, ctx.cal, { id: stage.id, minutes: stage.plannedMinutes }) : null;

  async function send(confirmOverCapacity: boolean) {
    await run(async () => {
      try {
        await app.mutate('stage.schedule', { id: stage.id, machineId: machine, scheduledStart: slotIso(day, time), ...(confirmOverCapacity ? { confirmOverCapacity: true } : {}) });
      } catch (err) {
        // Over capacity is a question for the planner ("schedule anyway?"), not an error.
        const first = err instanceof Rejection ? (err.details?.[0] as { code?: string } | undefined) : undefined;
        if (first?.code !== OVER_CAPACITY) throw err;
        return setOver({ message: (err as Error).message });
      }
      onClose();
    });
  }

  async function unschedule() {
    await run(async () => {
      await app.mutate('stage.schedule', { id: stage.id, machineId: stage.machineId, scheduledStart: null });
      onClose();
    });
  }

  return (
    <dialog ref={ref} class="dialog" aria-labelledby="sched-h" data-testid="schedule-dialog">
      <h2 id="sched-h">Schedule {stage.sequence}. {stage.name}</h2>
      <p class="muted">{o?.number ?? 'New order'} · {o?.customerName} · {hours(stage.plannedMinutes / 60)} · due {o?.dueDate}</p>
      {over ? (
        <div role="alertdialog" aria-labelledby="over-h" class="over-confirm">
          <h3 id="over-h">Over capacity</h3>
          <p>{over.message}</p>
          <div class="actions">
            <button class="btn danger" disabled={busy} onClick={() => send(true)}>Schedule anyway</button>
            <button class="btn" onClick={() => setOver(null)}>Choose another slot</button>
          </div>
        </div>
      ) : (
        <form method="dialog" onSubmit={(e) => { e.preventDefault(); void send(false); }}>
          <FormError message={errors.form} />
          {machines.length === 0 ? <p class="form-error">This department has no active machine.</p> : (
            <SelectField label="Machine" value={machine} onValue={setMachine} options={machines.map((x) => ({ value: x.id, label: `${x.code} — ${x.name}` }))} />
          )}
          <div class="row">
            <div style="flex:1 1 160px" class="field">
              <label for="sched-day">Day</label>
              <input id="sched-day" class="input" type="date" value={day} onInput={(e) => setDay(e.currentTarget.value)} />
            </div>
            <div style="flex:1 1 120px" class="field">
              <label for="sched-time">Start</label>
              <input id="sched-time" class="input" type="time" step={900} value={time} list="shift-starts" onInput={(e) => setTime(e.currentTarget.value)} />
              <datalist id="shift-starts">{ctx.cal.shifts.map((s) => <option key={s.name} value={s.start}>{s.name}</option>)}</datalist>
            </div>
          </div>
          {preview && (
            <p class={`preview ${preview.over ? 'bad' : ''}`} data-testid="schedule-preview">
              With this stage {m!.code} on {day}: {hours(preview.scheduled)} of {hours(preview.available)} ({percent(preview)}){preview.over ? ' — over capacity' : ''}.
            </p>
          )}
          <div class="actions">
            <button class="btn primary" type="submit" disabled={busy || !machine || !day || !time}>Schedule</button>
            {stage.scheduledStart && <button class="btn" type="button" disabled={busy} onClick={unschedule}>Unschedule</button>}
            <button class="btn" type="button" onClick={onClose}>Close</button>
          </div>
          <p class="small"><Link href={`/orders/${stage.orderId}`}>Open the order</Link></p>
        </form>
      )}
    </dialog>
  );
}
