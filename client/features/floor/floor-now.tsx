// "Floor now": one department's floor read from across the room on a tablet (issue 15 §2): the shift's
// counts, output against plan per stage today, and what every machine is doing. Everything comes from
// the rows on this device through live queries, so it works offline and moves by itself when a pull
// (or this device) changes a stage or logs an event. The dashboard embeds or links to it.
import { useEffect, useState } from 'preact/hooks';
import { useSession } from '../../app-state';
import { useLive } from '../../db/live';
import { rowsFrom } from '../../db/rows';
import { Empty, Link, Loading, Num } from '../../ui/components';
import { label } from '../../../sync/state-machines';
import { machineName, useLookups, type Lookups } from '../shared/lookups';
import { localToday, slotTime } from '../planning/board';
import { useCalendar, usePlanData } from '../planning/data';
import { currentShift, startOfDay } from '../portal/shift';
import { barWidth, machineCounts, machinesNow, planTotals, showPercent, stagesToday, tally, type MachineNow, type MachineState, type StageNow } from './floor';
import './floor.css';

/** Icon paths (24×24, stroked): every state has a shape of its own, so colour is never the only signal. */
const STATE_ICON: Record<string, string> = {
  running: 'M7 4l13 8-13 8z',
  paused: 'M7 4v16M17 4v16',
  down: 'M12 3l10 18H2zM12 10v5M12 18v.5',
  maintenance: 'M14 7a4 4 0 105 5l-8 8-3-3 8-8a4 4 0 01-2-2z',
  idle: 'M5 12h14',
  ready: 'M12 5a7 7 0 110 14 7 7 0 010-14z',
  pending: 'M12 6v6l4 2M12 3a9 9 0 110 18 9 9 0 010-18z',
  blocked: 'M5 5l14 14M12 3a9 9 0 110 18 9 9 0 010-18z',
  done: 'M4 12l5 5L20 6',
  good: 'M4 12l5 5L20 6',
  rejected: 'M6 6l12 12M18 6L6 18',
  downtime: 'M12 7v5l3 2M12 3a9 9 0 110 18 9 9 0 010-18z',
  plan: 'M4 20V10M10 20V4M16 20v-7M22 20H2',
};

export function StateIcon({ name, size = 28 }: { name: string; size?: number }) {
  return (
    <svg class="state-icon" width={size} height={size} viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2.6" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true">
      <path d={STATE_ICON[name] ?? STATE_ICON.idle} />
    </svg>
  );
}

/** A state as an icon and its word in capitals, on a tint of its colour. */
function StateBadge({ state }: { state: string }) {
  return <span class={`floor-state fs-${state}`}><StateIcon name={state} size={24} />{label(state).toUpperCase()}</span>;
}

/** The time now, moved on every half minute, so "today" and "this shift" roll over without a reload. */
function useNow(): Date {
  const [now, setNow] = useState(() => new Date());
  useEffect(() => {
    const t = setInterval(() => setNow(new Date()), 30_000);
    return () => clearInterval(t);
  }, []);
  return now;
}

const hhmm = (d: Date) => d.toTimeString().slice(0, 5);

/** One department's floor now. `departmentId` must be one whose rows the device holds (the user's scope). */
export function FloorNow({ departmentId }: { departmentId: string }) {
  const { db } = useSession();
  const lookups = useLookups(db);
  const data = usePlanData(db);
  const cal = useCalendar(db);
  const now = useNow();
  const dayStart = startOfDay(now);
  const since = new Date(dayStart.getTime() - 86_400_000).toISOString();
  // From yesterday's start: a night shift that began last evening is still "this shift".
  const events = useLive(() => rowsFrom(db, 'jobEvents', 'at', since), [db, since]);
  if (!lookups || !data || !events) return <Loading />;

  const day = { today: localToday(now), from: dayStart, to: new Date(dayStart.getTime() + 86_400_000) };
  const shift = currentShift(now, cal);
  const inDept = (e: { departmentId: string }) => e.departmentId === departmentId;
  const shiftCounts = shift ? tally(events, shift.start, shift.end, inDept) : null;
  const dayCounts = tally(events, day.from, day.to, inDept);
  const counts = shiftCounts ?? dayCounts;
  const rows = stagesToday(data, events, departmentId, day);
  const totals = planTotals(rows);
  const active = rows.filter((r) => r.stage.status !== 'done');
  const finished = rows.filter((r) => r.stage.status === 'done');
  const machines = machinesNow(lookups.machines.values(), data.stages, departmentId);
  const mc = machineCounts(machines);
  const deptName = lookups.departments.get(departmentId)?.name ?? 'Department';

  return (
    <section class="floor" aria-label={`Floor now: ${deptName}`} data-testid="floor-now">
      <section class="card floor-shift" aria-labelledby="floor-shift-h" data-testid="floor-shift">
        <h2 id="floor-shift-h">
          {shift ? `${shift.name} shift ${hhmm(shift.start)}–${hhmm(shift.end)}` : 'Today (no shift on now)'}
          <span class="muted"> · {deptName} · as of {hhmm(now)}</span>
        </h2>
        <div class="floor-tiles">
          <Tile kind="good" value={String(counts.good)} label="good" />
          <Tile kind="rejected" value={String(counts.rejected)} label="rejects" />
          <Tile kind="downtime" value={String(counts.downtimeMinutes)} label="min down" />
          <Tile kind="plan" value={totals.percent == null ? '—' : String(totals.percent)} unit={totals.percent == null ? undefined : '%'}
            label={totals.plan == null ? 'of plan: nothing planned today' : `of today's plan: ${totals.good} of ${totals.plan}`} />
        </div>
        {shift && <p class="floor-day">Today so far: <strong>{dayCounts.good}</strong> good, <strong>{dayCounts.rejected}</strong> rejects, <strong>{dayCounts.downtimeMinutes}</strong> min downtime.</p>}
      </section>

      <h2 class="floor-h">
        Machines
        <span class="floor-h-sub">{mc.running} running · {mc.paused} paused · {mc.down} down{mc.maintenance ? ` · ${mc.maintenance} in maintenance` : ''} · {mc.idle} idle</span>
      </h2>
      {machines.length === 0 ? <Empty>This department has no machines.</Empty> : (
        <ul class="floor-machines" data-testid="floor-machines">
          {machines.map((m) => <MachineTile key={m.machine.id} m={m} data={data} />)}
        </ul>
      )}

      <h2 class="floor-h">Stages today <span class="floor-h-sub">({active.length})</span></h2>
      {active.length === 0 ? <Empty>No stage is scheduled, running or worked in {deptName} today.</Empty> : (
        <div class="floor-stages" data-testid="floor-stages">
          {active.map((r) => <StageTile key={r.stage.id} r={r} l={lookups} />)}
        </div>
      )}
      {finished.length > 0 && (
        <>
          <h2 class="floor-h">Finished today <span class="floor-h-sub">({finished.length})</span></h2>
          <ul class="floor-done" data-testid="floor-done">
            {finished.map((r) => (
              <li key={r.stage.id}>
                <span class="fd-what">
                  <Link href={`/stages/${r.stage.id}`}>{r.stage.sequence}. {r.stage.name}</Link>
                  <span class="fd-order"><Num value={r.order.number} /> · {r.order.customerName}</span>
                </span>
                <span class="fd-n"><strong>{r.today.good}</strong> good today{r.plan != null ? ` of ${r.plan} planned` : ''} · {r.today.rejected} rejects</span>
                <StateBadge state="done" />
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}

function Tile({ kind, value, unit, label: text }: { kind: string; value: string; unit?: string; label: string }) {
  return (
    <div class={`floor-tile ft-${kind}`} data-testid={`floor-${kind}`}>
      <span class="ft-n">{value}{unit && <span class="ft-unit"> {unit}</span>}</span>
      <span class="ft-l"><StateIcon name={kind} size={24} />{text}</span>
    </div>
  );
}

const MACHINE_WORDS: Record<MachineState, string> = { running: 'running', paused: 'paused', down: 'down', maintenance: 'maintenance', idle: 'idle' };

function MachineTile({ m, data }: { m: MachineNow; data: { orders: Map<string, { number: string | null; customerName: string }> } }) {
  const order = m.stage ? data.orders.get(m.stage.orderId) : undefined;
  return (
    <li class={`floor-machine fm-${m.state}`} aria-label={`${m.machine.code} ${MACHINE_WORDS[m.state]}`}>
      <div class="fm-top">
        <span class="fm-code">{m.machine.code}</span>
        <StateBadge state={m.state} />
      </div>
      <div class="fm-what">
        {m.stage ? <>{m.stage.name}{order ? <> · <Num value={order.number} /></> : null}</> : m.machine.name}
      </div>
    </li>
  );
}

function StageTile({ r, l }: { r: StageNow; l: Lookups }) {
  const { stage, order, item, today, plan, percent } = r;
  const title = `${order.number ?? 'New order'} ${order.customerName}, ${stage.name}`;
  const prod = item ? l.products.get(item.productId) : undefined;
  return (
    <article class={`floor-stage st-${stage.status}`} aria-label={title} data-testid="floor-stage">
      <div class="fs-head">
        <div class="fs-title">
          <Link href={`/stages/${stage.id}`} class="fs-name">{stage.sequence}. {stage.name}</Link>
          <div class="fs-order"><Num value={order.number} /> · {order.customerName}{prod ? ` · ${prod.sku}` : ''}</div>
        </div>
        <StateBadge state={stage.status} />
      </div>
      <div class="fs-out" data-testid="floor-output">
        <span class="fs-n">{today.good}</span>
        <span class="fs-words"><span>good today</span><span>{plan == null ? 'no plan today' : `of ${plan} planned`}</span></span>
        <span class="fs-pct">{showPercent(percent)}</span>
      </div>
      <div class="progress fs-bar" role="progressbar" aria-label="Good today against plan" aria-valuenow={barWidth(percent)} aria-valuemin={0} aria-valuemax={100}
        aria-valuetext={percent == null ? 'no plan' : `${percent} %`}>
        <span style={`width:${barWidth(percent)}%`} />
      </div>
      <div class="fs-meta">
        <span><strong>{today.rejected}</strong> rejects</span>
        <span><strong>{today.downtimeMinutes}</strong> min down</span>
        <span>{machineName(l, stage.machineId)}{r.scheduledToday ? ` · ${slotTime(stage.scheduledStart)}, ${stage.plannedMinutes} min planned` : stage.scheduledStart ? ` · scheduled ${stage.scheduledStart.slice(5, 10)}` : ' · not scheduled'}</span>
        <span>Stage: {stage.goodQty} of {item?.quantity ?? '—'} good</span>
      </div>
    </article>
  );
}
