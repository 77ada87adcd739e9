// The scheduling board: machines (rows, grouped by department) × the days of a week, each cell with its
// stages and its capacity, and the unscheduled stages per department below; schedule-dialog.tsx places a
// stage on a machine and a slot. On a desktop a stage chip is dragged onto a machine's day (it goes at
// that day's next free start); on a phone the board shows one day at a time.
import { useEffect, useRef, useState } from 'preact/hooks';
import { mayPlanStage, worksIn } from '../../../sync/permissions';
import { nextFreeStart, overlaps, sequenceProblem, slotEnd, type ShiftCalendar } from '../../../sync/planning';
import type { Department, Machine, Order, Stage } from '../../../sync/tables';
import { useSession } from '../../app-state';
import { Loading, Num, PageHead, Status } from '../../ui/components';
import { words } from '../../ui/format';
import { navigate, path, query } from '../../ui/router';
import { useLookups } from '../shared/lookups';
import { answersHolds, HoldRequestsAlert } from '../orders/hold-requests';
import { addDays, departmentLoad, hours, isUnscheduled, localToday, machineLoad, mondayOf, percent, scheduledDay, slotIso, slotTime, weekDays, type Load } from './board';
import { useCalendar, usePlanData } from './data';
import './planning.css';
import { scheduleQuestion, ScheduleDialog, type Ctx, type Opening } from './schedule-dialog';

const DAY_FMT = new Intl.DateTimeFormat(undefined, { weekday: 'short', day: 'numeric', month: 'short', timeZone: 'UTC' });
const dayLabel = (day: string) => DAY_FMT.format(new Date(`${day}T00:00:00Z`));

/** True on a phone-sized screen (≤ 600 px), following rotation and resizing. */
function useNarrow(): boolean {
  const query = '(max-width: 600px)';
  const [narrow, setNarrow] = useState(() => typeof matchMedia === 'function' && matchMedia(query).matches);
  useEffect(() => {
    const mq = matchMedia(query);
    const on = () => setNarrow(mq.matches);
    mq.addEventListener('change', on);
    on();
    return () => mq.removeEventListener('change', on);
  }, []);
  return narrow;
}

export default function BoardPage() {
  const { app, db, user } = useSession();
  const lookups = useLookups(db);
  const data = usePlanData(db);
  const cal = useCalendar(db);
  const narrow = useNarrow();
  const q = query(path.value);
  const today = localToday();
  const week = mondayOf(q.get('week') ?? today);
  const [dept, setDept] = useState(user.role === 'supervisor' ? user.departmentId ?? '' : q.get('dept') ?? '');
  const [editing, setEditing] = useState<Opening | null>(null);
  const [phoneDay, setPhoneDay] = useState<string | null>(null);
  const [dropError, setDropError] = useState<string | null>(null);
  const drag = useRef<Stage | null>(null);
  if (!data || !lookups) return <Loading />;

  const weekOfDays = weekDays(week);
  const day = phoneDay && weekOfDays.includes(phoneDay) ? phoneDay : weekOfDays.includes(today) ? today : firstWorkingDay(weekOfDays, today);
  const days = narrow ? [day] : weekOfDays;
  const activeStages = data.stages.filter((s) => {
    const o = data.orders.get(s.orderId);
    return o && o.status !== 'cancelled';
  });
  const machines = [...lookups.machines.values()].filter((m) => m.active && !m.deletedAt);
  const depts = [...lookups.departments.values()]
    .filter((d) => machines.some((m) => m.departmentId === d.id) && worksIn(user, d.id))
    .sort((a, b) => a.code.localeCompare(b.code));
  const shownDepts = depts.filter((d) => !dept || d.id === dept);
  const planData = { ...data, stages: activeStages };
  const drop = async (stage: Stage, m: Machine, onDay: string) => {
    setDropError(null);
    const time = slotTime(nextFreeStart(planData.stages, m.id, onDay, cal, stage.id));
    try {
      await app.mutate('stage.schedule', { id: stage.id, machineId: m.id, scheduledStart: slotIso(onDay, time) });
    } catch (err) {
      // A question (over capacity, overlap) is asked in the dialog, with the dropped slot filled in.
      const ask = scheduleQuestion(err);
      if (ask) return setEditing({ stage, machineId: m.id, day: onDay, time, ask });
      setDropError((err as Error).message);
    }
  };
  const ctx: Ctx = { data: planData, l: lookups, cal, open: setEditing, drag, drop: (s, m, d) => void drop(s, m, d), mayPlan: (s) => mayPlanStage(user, s), narrow };
  const goWeek = (d: string) => navigate(`/planning?week=${d}${dept ? `&dept=${dept}` : ''}`, true);
  const goDay = (d: string) => {
    setPhoneDay(d);
    if (!weekOfDays.includes(d)) goWeek(d);
  };

  return (
    <div class="board-page">
      <PageHead title="Scheduling board">
        {narrow ? (
          <div class="row week-nav day-nav" role="group" aria-label="Day">
            <button class="btn" onClick={() => goDay(addDays(day, -1))} aria-label="Previous day">← Previous</button>
            <button class="btn" onClick={() => goDay(today)} disabled={day === today}>Today</button>
            <button class="btn" onClick={() => goDay(addDays(day, 1))} aria-label="Next day">Next →</button>
          </div>
        ) : (
          <div class="row week-nav" role="group" aria-label="Week">
            <button class="btn" onClick={() => goWeek(addDays(week, -7))} aria-label="Previous week">← Previous</button>
            <button class="btn" onClick={() => goWeek(today)} disabled={week === mondayOf(today)}>This week</button>
            <button class="btn" onClick={() => goWeek(addDays(week, 7))} aria-label="Next week">Next →</button>
          </div>
        )}
      </PageHead>
      {answersHolds(user.role) && <HoldRequestsAlert orders={data.orders} stages={new Map(data.stages.map((x) => [x.id, x]))} l={lookups} />}
      {narrow ? (
        <p class="muted week-label" data-testid="board-day"><strong>{dayLabel(day)}</strong>{isDayOff(day, cal) ? ' · no shifts' : ''} · plant times</p>
      ) : (
        <p class="muted week-label"><strong>{dayLabel(days[0])} – {dayLabel(days[6])}</strong> · times are plant times · a cell is red above 100 % of its shift hours · drag a stage onto a machine's day to put it there</p>
      )}
      {dropError && <div class="form-error" role="alert">{dropError}</div>}
      {depts.length > 1 && (
        <div class="chips" role="group" aria-label="Department">
          <button class="chip" aria-pressed={!dept} onClick={() => setDept('')}>All departments</button>
          {depts.map((d) => <button key={d.id} class="chip" aria-pressed={dept === d.id} onClick={() => setDept(d.id)}>{d.name}</button>)}
        </div>
      )}
      <div class="board-wrap" data-testid="board" tabIndex={0} aria-label="Board">
        <table class={`board${narrow ? ' day-view' : ''}`}>
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
        <ScheduleDialog key={`${editing.stage.id}${editing.ask?.code ?? ''}`} stage={editing.stage} machineId={editing.machineId} day={editing.day ?? firstWorkingDay(days, today)}
          time={editing.time} ask={editing.ask} ctx={ctx} machines={machines.filter((m) => m.departmentId === editing.stage.departmentId)} onClose={() => setEditing(null)} />
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
  const [target, setTarget] = useState(false);
  const here = ctx.data.stages
    .filter((s) => s.machineId === m.id && scheduledDay(s) === day)
    .sort((a, b) => (a.scheduledStart ?? '').localeCompare(b.scheduledStart ?? ''));
  // A stage may be dropped on the machines of its own department (the mutator checks it again).
  const accepts = () => !!ctx.drag.current && ctx.drag.current.departmentId === m.departmentId;
  return (
    <td class={`cell${load.over ? ' over' : ''}${load.available === 0 ? ' off' : ''}${target ? ' drop-target' : ''}`} data-testid={`cell-${m.code}-${day}`}
      aria-label={`${m.code} ${day}: ${load.over ? 'over capacity, ' : ''}${percent(load)}`}
      onDragOver={(e) => { if (!accepts()) return; e.preventDefault(); e.dataTransfer!.dropEffect = 'move'; setTarget(true); }}
      onDragLeave={() => setTarget(false)}
      onDrop={(e) => {
        e.preventDefault();
        setTarget(false);
        const stage = ctx.drag.current;
        ctx.drag.current = null;
        if (stage && stage.departmentId === m.departmentId) ctx.drop(stage, m, day);
      }}>
      <LoadBadge load={load} label={`${m.code} on ${day}`} />
      {here.map((s) => <StageChip key={s.id} s={s} ctx={ctx} clash={s.status !== 'done' && overlaps(here, m.id, s.scheduledStart!, slotEnd(s)!, s.id).length > 0} />)}
    </td>
  );
}

/** Drag handlers for a stage a planner may move (HTML5 drag and drop; the dialog is the keyboard's way). */
function draggable(s: Stage, ctx: Ctx) {
  if (ctx.narrow || !ctx.mayPlan(s)) return {};
  return {
    draggable: true,
    onDragStart: (e: DragEvent) => {
      ctx.drag.current = s;
      e.dataTransfer?.setData('text/plain', s.id);
      if (e.dataTransfer) e.dataTransfer.effectAllowed = 'move';
    },
    onDragEnd: () => { ctx.drag.current = null; },
  };
}

function StageChip({ s, ctx, clash = false }: { s: Stage; ctx: Ctx; clash?: boolean }) {
  const o = ctx.data.orders.get(s.orderId);
  const before = sequenceProblem(s, ctx.data.stagesOf.get(s.orderItemId) ?? []);
  const end = slotEnd(s);
  return (
    <button type="button" class={`chip-stage st-${s.status}${before ? ' out-of-order' : ''}`} onClick={() => ctx.open({ stage: s })} title={`${o?.number ?? 'New order'} · ${o?.customerName} · ${s.sequence}. ${s.name}`}
      // The name starts with the chip's visible text, in its order (WCAG 2.5.3, axe label-content-name-mismatch), then the rest.
      aria-label={`${slotTime(s.scheduledStart)}–${slotTime(end)} ${o?.customerName ?? ''} ${s.name}${clash ? ' ⚠ overlaps' : ''}${before ? ` ⚠ before ${before.name}` : ''}, ${s.status === 'done' ? 'done' : words(s.status)}, ${o?.number ?? 'New order'}, ${s.plannedMinutes} minutes${before ? `, scheduled before ${before.name}` : ''}${clash ? ', overlaps another stage' : ''}. Reschedule`}
      {...draggable(s, ctx)}>
      {/* Spaces between the parts: the visible text reads as words, as the name above does. */}
      <span class="t">{slotTime(s.scheduledStart)}–{slotTime(end)}</span>{' '}
      <span class="n">{o?.customerName}</span>{' '}
      <span class="s">{s.name}</span>{' '}
      {clash && <><span class="warn-seq">⚠ overlaps</span>{' '}</>}
      {before && <><span class="warn-seq" title={`${before.sequence}. ${before.name} starts ${before.scheduledStart?.slice(0, 10)} ${slotTime(before.scheduledStart)}`}>⚠ before {before.name}</span>{' '}</>}
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
              <li key={s.id} class="unsched-item" data-testid={`unscheduled-stage-${s.id}`} {...draggable(s, ctx)}>
                <div>
                  <strong><Num value={o.number} /> {o.customerName}</strong>
                  <div class="small">{s.sequence}. {s.name} · {hours(s.plannedMinutes / 60)} · {prod?.sku} × {item?.quantity} · due {o.dueDate}</div>
                  <div class="small"><Status value={s.status} /></div>
                </div>
                <button class="btn" onClick={() => ctx.open({ stage: s })} aria-label={`Schedule ${o.number ?? ''} ${o.customerName} ${s.name}`}>Schedule</button>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
