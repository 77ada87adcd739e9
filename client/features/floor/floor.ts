// The arithmetic of "Floor now" (a supervisor's tablet) and the operator's "my production", from the
// rows already on the device: today's stages of a department with their output against plan, the
// state of its machines, and sums of job events over a window (a shift, a day). Pure: the screens
// feed it from live queries, the tests feed it hand-made rows.
import type { JobEvent, Machine, Order, OrderItem, Stage } from '../../../sync/tables';

type EventFields = Pick<JobEvent, 'stageId' | 'departmentId' | 'userId' | 'kind' | 'goodQty' | 'rejectQty' | 'minutes' | 'at' | 'deletedAt'>;

export interface Tally { good: number; rejected: number; downtimeMinutes: number; entries: number }

const empty = (): Tally => ({ good: 0, rejected: 0, downtimeMinutes: 0, entries: 0 });

/**
 * The sums of the events `keep` accepts with `at` in [from, to): good and rejected parts (a correction's
 * negative quantities taken off) and downtime minutes. Deleted events do not count.
 */
export function tally<E extends Pick<JobEvent, 'kind' | 'goodQty' | 'rejectQty' | 'minutes' | 'at' | 'deletedAt'>>(events: readonly E[], from: Date, to: Date, keep: (e: E) => boolean = () => true): Tally {
  const t = empty();
  for (const e of events) {
    if (e.deletedAt || !keep(e)) continue;
    const at = Date.parse(e.at);
    if (at < from.getTime() || at >= to.getTime()) continue;
    t.entries++;
    if (e.kind === 'progress' || e.kind === 'correction') {
      t.good += e.goodQty;
      t.rejected += e.rejectQty;
    } else if (e.kind === 'downtime') {
      t.downtimeMinutes += e.minutes;
    }
  }
  return t;
}

/** `part` as a whole percentage of `whole`, or null when there is nothing to compare with (shown as "—"). */
export function percentOf(part: number, whole: number | null | undefined): number | null {
  if (whole == null || !(whole > 0)) return null;
  return Math.round((part / whole) * 100);
}

/** A percentage as shown: "45 %", or "—" when there is none. */
export function showPercent(p: number | null): string {
  return p == null ? '—' : `${p} %`;
}

/** The width of a progress bar for a percentage: 0–100, nothing for none. */
export function barWidth(p: number | null): number {
  return p == null ? 0 : Math.max(0, Math.min(100, p));
}

/**
 * The parts a stage is planned to make today. The board books a stage's whole planned time on the day
 * of its scheduled start (sync/planning.ts `scheduledHours`, the capacity figures), so a stage
 * scheduled to start today is planned to make what its item still needed when the day began: the
 * item's quantity less the good parts the stage made before today. A stage scheduled on another day
 * (or not at all) has no plan for today: null, shown as "—".
 */
export function planToday(stage: Pick<Stage, 'scheduledStart' | 'goodQty'>, item: Pick<OrderItem, 'quantity'> | undefined, goodToday: number, today: string): number | null {
  if (!item || !stage.scheduledStart || stage.scheduledStart.slice(0, 10) !== today) return null;
  const before = Math.max(0, stage.goodQty - goodToday);
  return Math.max(0, item.quantity - before);
}

export interface StageNow {
  stage: Stage;
  order: Order;
  item: OrderItem | undefined;
  /** Logged today on this stage (everyone's events). */
  today: Tally;
  /** Parts planned for today, null when the stage has none (see planToday). */
  plan: number | null;
  /** Good today as a percentage of the plan, null without a plan (or a plan of 0). */
  percent: number | null;
  scheduledToday: boolean;
}

/** The order the floor reads stages in: what runs first, what is finished last. */
const STATUS_ORDER = ['running', 'paused', 'ready', 'pending', 'blocked', 'done'];

export interface DayWindow { today: string; from: Date; to: Date }

/**
 * A department's stages for today: scheduled to start today, running or paused now, worked today
 * (an event logged today) or finished today; not those of cancelled orders. Running first, then by
 * scheduled start and due date.
 */
export function stagesToday(
  data: { stages: readonly Stage[]; orders: ReadonlyMap<string, Order>; items: ReadonlyMap<string, OrderItem> },
  events: readonly EventFields[],
  departmentId: string,
  day: DayWindow,
): StageNow[] {
  const worked = new Set(events.filter((e) => !e.deletedAt && Date.parse(e.at) >= day.from.getTime() && Date.parse(e.at) < day.to.getTime()).map((e) => e.stageId));
  const finishedToday = (s: Stage) => !!s.completedAt && Date.parse(s.completedAt) >= day.from.getTime() && Date.parse(s.completedAt) < day.to.getTime();
  const rows: StageNow[] = [];
  for (const stage of data.stages) {
    if (stage.deletedAt || stage.departmentId !== departmentId) continue;
    const order = data.orders.get(stage.orderId);
    if (!order || order.status === 'cancelled') continue;
    const scheduledToday = stage.scheduledStart?.slice(0, 10) === day.today;
    if (!(scheduledToday || stage.status === 'running' || stage.status === 'paused' || worked.has(stage.id) || finishedToday(stage))) continue;
    const item = data.items.get(stage.orderItemId);
    const today = tally(events, day.from, day.to, (e) => e.stageId === stage.id);
    const plan = planToday(stage, item, today.good, day.today);
    rows.push({ stage, order, item, today, plan, percent: percentOf(today.good, plan), scheduledToday });
  }
  const rank = (s: Stage) => (STATUS_ORDER.indexOf(s.status) + 1 || STATUS_ORDER.length + 1);
  return rows.sort((a, b) => rank(a.stage) - rank(b.stage)
    || (a.stage.scheduledStart ?? '\uffff').localeCompare(b.stage.scheduledStart ?? '\uffff')
    || a.order.dueDate.localeCompare(b.order.dueDate)
    || a.stage.sequence - b.stage.sequence);
}

/** The sum of the plans that exist and the good parts of those stages, for the day's headline. */
export function planTotals(rows: readonly StageNow[]): { good: number; plan: number | null; percent: number | null } {
  const planned = rows.filter((r) => r.plan != null);
  if (planned.length === 0) return { good: 0, plan: null, percent: null };
  const plan = planned.reduce((n, r) => n + r.plan!, 0);
  const good = planned.reduce((n, r) => n + r.today.good, 0);
  return { good, plan, percent: percentOf(good, plan) };
}

export type MachineState = 'running' | 'paused' | 'down' | 'maintenance' | 'idle';

export interface MachineNow { machine: Machine; state: MachineState; stage: Stage | null }

/**
 * What each active machine of a department is doing: down or in maintenance from its own status
 * (the maintenance tickets set it), else running or paused from the stages on it, else idle.
 */
export function machinesNow(machines: Iterable<Machine>, stages: readonly Stage[], departmentId: string): MachineNow[] {
  const out: MachineNow[] = [];
  for (const machine of machines) {
    if (machine.deletedAt || !machine.active || machine.departmentId !== departmentId) continue;
    const on = stages.filter((s) => s.machineId === machine.id && !s.deletedAt);
    const running = on.find((s) => s.status === 'running') ?? null;
    const paused = on.find((s) => s.status === 'paused') ?? null;
    let state: MachineState;
    if (machine.status === 'down') state = 'down';
    else if (machine.status === 'maintenance') state = 'maintenance';
    else state = running ? 'running' : paused ? 'paused' : 'idle';
    out.push({ machine, state, stage: running ?? paused });
  }
  return out.sort((a, b) => a.machine.code.localeCompare(b.machine.code));
}

/** How many machines are in each state (every state present, zero when none). */
export function machineCounts(rows: readonly MachineNow[]): Record<MachineState, number> {
  const c: Record<MachineState, number> = { running: 0, paused: 0, down: 0, maintenance: 0, idle: 0 };
  for (const r of rows) c[r.state]++;
  return c;
}

export interface MyStage {
  stage: Stage;
  order: Order | undefined;
  item: OrderItem | undefined;
  /** The stage's good parts so far (everyone's) against the item's quantity. */
  good: number;
  quantity: number | null;
  percent: number | null;
  /** What this operator logged on it in the window. */
  mine: Tally;
}

/**
 * An operator's stages: those they logged on in the window (the shift) and those assigned to them
 * that are not finished; with the stage's progress against its item's quantity. Most recently
 * worked first, then assigned ones by sequence.
 */
export function myStages(
  data: { stages: readonly Stage[]; orders: ReadonlyMap<string, Order>; items: ReadonlyMap<string, OrderItem> },
  events: readonly EventFields[],
  userId: string,
  from: Date,
  to: Date,
): MyStage[] {
  const last = new Map<string, string>();
  for (const e of events) {
    if (e.deletedAt || e.userId !== userId) continue;
    const at = Date.parse(e.at);
    if (at < from.getTime() || at >= to.getTime()) continue;
    if ((last.get(e.stageId) ?? '') < e.at) last.set(e.stageId, e.at);
  }
  const rows: (MyStage & { lastAt: string })[] = [];
  for (const stage of data.stages) {
    if (stage.deletedAt) continue;
    const assigned = stage.assigneeId === userId && stage.status !== 'done';
    if (!last.has(stage.id) && !assigned) continue;
    const order = data.orders.get(stage.orderId);
    if (order?.status === 'cancelled') continue;
    const item = data.items.get(stage.orderItemId);
    const quantity = item ? item.quantity : null;
    rows.push({
      stage, order, item, good: stage.goodQty, quantity, percent: percentOf(stage.goodQty, quantity),
      mine: tally(events, from, to, (e) => e.userId === userId && e.stageId === stage.id), lastAt: last.get(stage.id) ?? '',
    });
  }
  return rows
    .sort((a, b) => b.lastAt.localeCompare(a.lastAt) || a.stage.sequence - b.stage.sequence)
    .map(({ lastAt: _, ...r }) => r);
}
