// Job planning: orders with items and stages, schedule slots and machine capacity (DOMAIN.md §1).
// Pure: the capacity rule runs on a planner's device (to ask for confirmation) and on the server.
import * as v from 'valibot';
import { uuidv7 } from './ids';
import { mergeFields } from './merge';
import { IsoDate, IsoTime, Uuid } from './protocol';
import type { MutationContext, MutationStore } from './store';
import { Rejection } from './store';
import { alreadyExists } from './rejections';
import { mayPlanStage } from './permissions';
import { ASK, asksHere, define, editArgs, mustGet, RequiredText, Text } from './mutation-kit';
import type { Machine, Order, OrderItem, Product, Stage } from './tables';

export interface ShiftCalendar {
  workingDays: number[]; // 0 = Sunday … 6 = Saturday
  shifts: { name: string; start: string; end: string }[];
  holidays: string[]; // YYYY-MM-DD
}

export const DEFAULT_CALENDAR: ShiftCalendar = {
  workingDays: [1, 2, 3, 4, 5],
  shifts: [{ name: 'Early', start: '06:00', end: '14:00' }, { name: 'Late', start: '14:00', end: '22:00' }],
  holidays: [],
};

const minutesOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** Hours a machine can run on a day: its hoursPerDay, bounded by the shifts, zero on days off. Days are UTC dates. */
export function availableHours(machine: Pick<Machine, 'hoursPerDay'>, day: string, cal: ShiftCalendar = DEFAULT_CALENDAR): number {
  const weekday = new Date(`${day}T00:00:00Z`).getUTCDay();
  if (!cal.workingDays.includes(weekday) || cal.holidays.includes(day)) return 0;
  const shiftHours = cal.shifts.reduce((h, s) => h + Math.max(0, minutesOf(s.end) - minutesOf(s.start)) / 60, 0);
  return Math.min(machine.hoursPerDay, shiftHours || 24);
}

export const dayOf = (iso: string) => iso.slice(0, 10);

/**
 * The shift (of the calendar, on UTC days like capacity: decision 0004) that an instant falls in, as
 * [start, end) instants; null outside every shift or on a day off. A shift past midnight ends next day.
 */
export function shiftAt(at: string, cal: ShiftCalendar = DEFAULT_CALENDAR): { name: string; start: string; end: string } | null {
  const t = Date.parse(at);
  for (const back of [0, 1]) {
    const day = new Date(Date.UTC(new Date(t).getUTCFullYear(), new Date(t).getUTCMonth(), new Date(t).getUTCDate() - back));
    const iso = day.toISOString().slice(0, 10);
    if (!cal.workingDays.includes(day.getUTCDay()) || cal.holidays.includes(iso)) continue;
    for (const sh of cal.shifts) {
      const start = day.getTime() + minutesOf(sh.start) * 60_000;
      let end = day.getTime() + minutesOf(sh.end) * 60_000;
      if (end <= start) end += 86_400_000;
      if (t >= start && t < end) return { name: sh.name, start: new Date(start).toISOString(), end: new Date(end).toISOString() };
    }
  }
  return null;
}

/** Scheduled hours of a machine's stages on a day (stages that are not done), optionally without one stage. */
export function scheduledHours(stages: Pick<Stage, 'id' | 'machineId' | 'scheduledStart' | 'plannedMinutes' | 'status' | 'deletedAt'>[], machineId: string, day: string, exceptId?: string) {
  return stages
    .filter((s) => s.machineId === machineId && s.scheduledStart && dayOf(s.scheduledStart) === day && s.id !== exceptId && s.status !== 'done' && !s.deletedAt)
    .reduce((h, s) => h + s.plannedMinutes / 60, 0);
}

/** Scheduled and available hours of `machines` summed over `days`: the sum behind a machine's week and a department's day. */
export function hoursOver(stages: Parameters<typeof scheduledHours>[0], machines: Pick<Machine, 'id' | 'hoursPerDay'>[], days: string[], cal: ShiftCalendar = DEFAULT_CALENDAR) {
  let scheduled = 0;
  let available = 0;
  for (const m of machines) {
    for (const day of days) {
      scheduled += scheduledHours(stages, m.id, day);
      available += availableHours(m, day, cal);
    }
  }
  return { scheduled, available };
}

// ── sequencing: one job after another on a machine, an item's stages in their order ──────

type SlotStage = Pick<Stage, 'id' | 'machineId' | 'scheduledStart' | 'scheduledEnd' | 'plannedMinutes' | 'status' | 'deletedAt'>;

/** When a scheduled stage ends: its stored end, else its start plus its planned minutes. */
export function slotEnd(s: Pick<Stage, 'scheduledStart' | 'scheduledEnd' | 'plannedMinutes'>): string | null {
  if (!s.scheduledStart) return null;
  return s.scheduledEnd ?? new Date(Date.parse(s.scheduledStart) + s.plannedMinutes * 60_000).toISOString();
}

const onMachine = (s: SlotStage, machineId: string, exceptId?: string) =>
  s.machineId === machineId && !!s.scheduledStart && s.status !== 'done' && !s.deletedAt && s.id !== exceptId;

/**
 * Where the next job on a machine goes on a day: the end of the machine's last scheduled stage that
 * day (not done), or the day's first shift start when nothing is there yet (or it ends before that).
 * Plant wall-clock times on UTC days, like the rest of the board (`…T06:00:00.000Z`).
 */
export function nextFreeStart(stages: SlotStage[], machineId: string, day: string, cal: ShiftCalendar = DEFAULT_CALENDAR, exceptId?: string): string {
  const first = [...cal.shifts].map((s) => s.start).sort()[0] ?? '00:00';
  let at = Date.parse(`${day}T${first}:00.000Z`);
  for (const s of stages) {
    if (!onMachine(s, machineId, exceptId) || dayOf(s.scheduledStart!) !== day) continue;
    at = Math.max(at, Date.parse(slotEnd(s)!));
  }
  return new Date(at).toISOString();
}

/** The machine's unfinished stages whose slot intersects [start, end), other than `exceptId`, earliest first. */
export function overlaps<S extends SlotStage>(stages: S[], machineId: string, start: string, end: string, exceptId?: string): S[] {
  const a = Date.parse(start);
  const b = Date.parse(end);
  return stages
    .filter((s) => onMachine(s, machineId, exceptId) && Date.parse(s.scheduledStart!) < b && Date.parse(slotEnd(s)!) > a)
    .sort((x, y) => x.scheduledStart!.localeCompare(y.scheduledStart!));
}

/**
 * An earlier stage of the same item (by `sequence`, not done) that is scheduled to start after this
 * one: Paint before its Press. Null when the stage is unscheduled or in order.
 */
export function sequenceProblem<S extends Pick<Stage, 'id' | 'orderItemId' | 'sequence' | 'scheduledStart' | 'status' | 'deletedAt'>>(stage: S, siblings: S[]): S | null {
  if (!stage.scheduledStart || stage.status === 'done') return null;
  const at = Date.parse(stage.scheduledStart);
  return siblings
    .filter((s) => s.id !== stage.id && s.orderItemId === stage.orderItemId && s.sequence < stage.sequence && !s.deletedAt && s.status !== 'done' && s.scheduledStart && Date.parse(s.scheduledStart) > at)
    .sort((x, y) => y.sequence - x.sequence)[0] ?? null;
}

/** Capacity utilisation as a fraction (1 = full); Infinity when something is scheduled on a day with no capacity. */
export function utilisation(scheduled: number, available: number) {
  if (available <= 0) return scheduled > 0 ? Infinity : 0;
  return scheduled / available;
}

// ── order progress, derived from the totals the job events keep ───────────

export interface ItemProgress { itemId: string; quantity: number; good: number; rejected: number; remaining: number }

export function itemProgress(item: Pick<OrderItem, 'id' | 'quantity' | 'goodQty' | 'rejectQty'>): ItemProgress {
  return { itemId: item.id, quantity: item.quantity, good: item.goodQty, rejected: item.rejectQty, remaining: Math.max(0, item.quantity - item.goodQty) };
}

/** Share of ordered units that are good at the last stage, 0–100. */
export function orderPercent(items: Pick<OrderItem, 'id' | 'quantity' | 'goodQty' | 'rejectQty'>[]): number {
  const qty = items.reduce((n, i) => n + i.quantity, 0);
  if (!qty) return 0;
  const good = items.reduce((n, i) => n + Math.min(i.goodQty, i.quantity), 0);
  return Math.round((good / qty) * 100);
}

/** Late: the due date has passed and the order is not complete (or cancelled). */
export function isLate(order: Pick<Order, 'dueDate' | 'status'>, today: string): boolean {
  return order.dueDate < today && order.status !== 'completed' && order.status !== 'cancelled';
}

// ── mutations ──────────────────────────────────────────────────────────────

const DateOnly = IsoDate;
const Minutes = v.pipe(v.number('must be a number'), v.minValue(0, 'must be 0 or more'), v.maxValue(100_000, 'is at most 100,000'));
const Priority = v.pipe(v.number('must be a number'), v.integer('must be a whole number'), v.minValue(1, 'must be 1 to 4'), v.maxValue(4, 'must be 1 to 4'));

export const StageInputSchema = v.strictObject({
  id: Uuid, name: RequiredText(100), departmentId: Uuid, plannedMinutes: Minutes, machineId: v.optional(v.nullable(Uuid)),
}, 'has a field that is not allowed');

export const OrderItemInputSchema = v.strictObject({
  id: Uuid,
  productId: Uuid,
  quantity: v.pipe(v.number('must be a number'), v.integer('must be a whole number'), v.minValue(1, 'must be at least 1'), v.maxValue(10_000_000, 'is at most 10,000,000')),
  stages: v.optional(v.pipe(v.array(StageInputSchema, 'must be a list'), v.minLength(1, 'needs at least one stage'), v.maxLength(30, 'can hold at most 30'))),
}, 'has a field that is not allowed');

export const OrderCreateArgs = v.strictObject({
  id: Uuid,
  customerName: RequiredText(200),
  externalRef: v.optional(v.nullable(Text(64))),
  dueDate: DateOnly,
  priority: v.optional(Priority),
  notes: v.optional(v.nullable(Text(2000))),
  source: v.optional(v.picklist(['manual', 'import'], 'is not one of the choices')),
  items: v.pipe(v.array(OrderItemInputSchema, 'must be a list'), v.minLength(1, 'an order needs at least one item'), v.maxLength(100, 'can hold at most 100')),
  /** A due date before today: the planner was warned and confirmed (an order entered late). */
  confirmPastDue: v.optional(v.boolean('must be true or false')),
}, 'has a field that is not allowed');

/** Whether a due date has passed on the day of `now` (UTC days, decision 0004). */
export function isPastDue(dueDate: string, now: string): boolean {
  return dueDate < dayOf(now);
}

export const ORDER_EDIT_FIELDS = { customerName: RequiredText(200), externalRef: v.nullable(Text(64)), dueDate: DateOnly, priority: Priority, notes: v.nullable(Text(2000)) };
export const STAGE_EDIT_FIELDS = { name: RequiredText(100), plannedMinutes: Minutes, assigneeId: v.nullable(Uuid) };

export const OrderUpdateArgs = editArgs(ORDER_EDIT_FIELDS);
export const StageUpdateArgs = editArgs(STAGE_EDIT_FIELDS);

export const StageScheduleArgs = v.strictObject({
  id: Uuid,
  machineId: v.nullable(Uuid),
  scheduledStart: v.nullable(IsoTime),
  confirmOverCapacity: v.optional(v.boolean('must be true or false')),
  /** The start overlaps another stage on the machine: the planner was asked and means it (two jobs at once, or a gap to close later). */
  confirmOverlap: v.optional(v.boolean('must be true or false')),
}, 'has a field that is not allowed');

/** The machine a stage is put on: it must exist, be in use and belong to the stage's department. */
async function machineFor(store: MutationStore, machineId: string, departmentId: string, field: string) {
  const machine = await mustGet(store, 'machines', machineId);
  if (!machine.active) throw new Rejection('validation_failed', `${machine.code} is no longer in use.`, [{ field, message: 'is no longer in use' }]);
  if (machine.departmentId !== departmentId) {
    throw new Rejection('validation_failed', `${machine.code} is not a machine of this stage's department.`, [{ field, message: 'belongs to another department' }]);
  }
  return machine;
}


/**
 * An item's stages from its product's routing, planned minutes scaled by quantity (per 250 units).
 * A device that wants to edit or schedule the stages before the order has synced sends these itself,
 * so the stage ids are the same on the device and on the server.
 */
export function routingStages(product: Pick<Product, 'routing'>, quantity: number, newId: () => string = uuidv7): v.InferOutput<typeof StageInputSchema>[] {
  return product.routing.map((r) => ({ id: newId(), name: r.name, departmentId: r.departmentId, plannedMinutes: Math.round(r.plannedMinutes * Math.max(1, quantity / 250)), machineId: null }));
}

export async function applyOrderCreate(store: MutationStore, args: v.InferOutput<typeof OrderCreateArgs>, ctx: MutationContext) {
  if (args.externalRef) {
    const same = await store.find('orders', 'externalRef', args.externalRef);
    if (same.some((o) => o.status !== 'cancelled')) {
      throw new Rejection('validation_failed', `Order ${same[0].number ?? ''} already has the external reference ${args.externalRef}.`.replace('Order  ', 'An order '), [{ field: 'externalRef', message: 'already used by another order' }]);
    }
  }
  const depts = new Set<string>();
  const planned: { item: (typeof args.items)[number]; stages: v.InferOutput<typeof StageInputSchema>[] }[] = [];
  for (const [i, item] of args.items.entries()) {
    const product = await mustGet(store, 'products', item.productId);
    if (!product.active) throw new Rejection('validation_failed', `Product ${product.sku} is not active.`, [{ field: `items.${i}.productId`, message: 'is not active' }]);
    const stages = item.stages ?? routingStages(product, item.quantity, ctx.newId);
    if (!stages.length) throw new Rejection('validation_failed', `Product ${product.sku} has no routing; give the item its stages.`, [{ field: `items.${i}.stages`, message: 'is required for a product without a routing' }]);
    if (await store.get('orderItems', item.id)) throw alreadyExists('orderItems', item.id, `items.${i}.id`);
    for (const [n, s] of stages.entries()) {
      await mustGet(store, 'departments', s.departmentId);
      if (await store.get('stages', s.id)) throw alreadyExists('stages', s.id, `items.${i}.stages.${n}.id`);
      if (s.machineId) await machineFor(store, s.machineId, s.departmentId, `items.${i}.stages.${n}.machineId`);
      depts.add(s.departmentId);
    }
    planned.push({ item, stages });
  }
  if (isPastDue(args.dueDate, ctx.now) && !args.confirmPastDue && asksHere(ctx)) {
    throw new Rejection('validation_failed', `The due date ${args.dueDate} has already passed. Confirm to create the order anyway.`, [
      { field: 'dueDate', code: ASK.pastDue, message: 'is in the past' },
    ]);
  }
  const departmentIds = [...depts];
  await store.insert('orders', {
    id: args.id, number: await store.nextNumber('ORD'), customerName: args.customerName, externalRef: args.externalRef ?? null,
    dueDate: args.dueDate, priority: args.priority ?? 3, status: 'draft', holdReason: null, statusBeforeHold: null,
    source: args.source ?? 'manual', notes: args.notes ?? null, departmentIds, completedAt: null,
  });
  for (const { item, stages } of planned) {
    await store.insert('orderItems', { id: item.id, orderId: args.id, productId: item.productId, quantity: item.quantity, goodQty: 0, rejectQty: 0, departmentIds });
    for (const [n, s] of stages.entries()) {
      await store.insert('stages', {
        id: s.id, orderId: args.id, orderItemId: item.id, sequence: n + 1, name: s.name, departmentId: s.departmentId,
        machineId: s.machineId ?? null, plannedMinutes: s.plannedMinutes, scheduledStart: null, scheduledEnd: null, assigneeId: null,
        status: 'pending', statusBeforeBlock: null, goodQty: 0, rejectQty: 0, downtimeMinutes: 0, startedAt: null, completedAt: null,
      });
    }
  }
  return { table: 'orders' as const, id: args.id };
}

export async function applyOrderUpdate(store: MutationStore, args: v.InferOutput<typeof OrderUpdateArgs>) {
  const order = await mustGet(store, 'orders', args.id);
  const { apply, conflicts } = mergeFields(order, args.base, args.changes);
  if (Object.keys(apply).length) await store.update('orders', order.id, apply);
  return { table: 'orders' as const, id: order.id, conflicts };
}

/** The rule the stage screens ask (`mayPlanStage`), checked again here. */
function assertMayPlan(ctx: MutationContext, stage: Stage) {
  if (stage.status === 'done') throw new Rejection('illegal_transition', 'A finished stage cannot be changed or rescheduled.');
  if (!mayPlanStage(ctx.actor, stage)) throw new Rejection('forbidden', 'A supervisor plans only the stages of their own department.');
}

export async function applyStageUpdate(store: MutationStore, args: v.InferOutput<typeof StageUpdateArgs>, ctx: MutationContext) {
  const stage = await mustGet(store, 'stages', args.id);
  assertMayPlan(ctx, stage);
  const { apply, conflicts } = mergeFields(stage, args.base, args.changes);
  if (typeof apply.assigneeId === 'string') {
    const who = await store.get('users', apply.assigneeId);
    if (!who || who.deletedAt || !who.active || who.departmentId !== stage.departmentId) {
      throw new Rejection('validation_failed', 'A stage can be assigned only to an active user of its department.', [{ field: 'changes.assigneeId', message: 'is not an active user of this department' }]);
    }
  }
  if ('plannedMinutes' in apply && stage.scheduledStart) {
    apply.scheduledEnd = new Date(Date.parse(stage.scheduledStart) + (apply.plannedMinutes as number) * 60_000).toISOString();
  }
  if (Object.keys(apply).length) await store.update('stages', stage.id, apply);
  return { table: 'stages' as const, id: stage.id, conflicts };
}

export async function applyStageSchedule(store: MutationStore, args: v.InferOutput<typeof StageScheduleArgs>, ctx: MutationContext) {
  const stage = await mustGet(store, 'stages', args.id);
  assertMayPlan(ctx, stage);
  // The machine is checked whether or not a time comes with it: "on PRS-01, not yet timed" is a plan too.
  const machine = args.machineId ? await machineFor(store, args.machineId, stage.departmentId, 'machineId') : null;
  if (!machine || !args.scheduledStart) {
    await store.update('stages', stage.id, { machineId: args.machineId, scheduledStart: null, scheduledEnd: null });
    return { table: 'stages' as const, id: stage.id };
  }
  const start = new Date(args.scheduledStart).toISOString(); // an offset in the request must not move the day
  const day = dayOf(start);
  const calendar = (await store.config<ShiftCalendar>('shiftCalendar')) ?? DEFAULT_CALENDAR;
  const available = availableHours(machine, day, calendar);
  const others = await store.find('stages', 'machineId', machine.id);
  const total = scheduledHours(others, machine.id, day, stage.id) + stage.plannedMinutes / 60;
  const load = utilisation(total, available);
  if (load > 1 && !args.confirmOverCapacity) {
    const pct = Number.isFinite(load) ? `${Math.round(load * 100)}%` : 'a day without shifts';
    throw new Rejection('validation_failed', `${machine.code} would be over capacity on ${day}: ${total.toFixed(1)} h scheduled of ${available.toFixed(1)} h available (${pct}). Confirm to schedule anyway.`, [
      { field: 'confirmOverCapacity', code: OVER_CAPACITY, message: 'exceeds the hours the machine has that day', scheduledHours: total, availableHours: available },
    ]);
  }
  const end = new Date(Date.parse(start) + stage.plannedMinutes * 60_000).toISOString();
  const clash = overlaps(others, machine.id, start, end, stage.id);
  if (clash.length && !args.confirmOverlap) {
    const free = nextFreeStart(others, machine.id, day, calendar, stage.id);
    const first = clash[0];
    throw new Rejection('validation_failed', `${machine.code} has another stage from ${first.scheduledStart!.slice(11, 16)} to ${slotEnd(first)!.slice(11, 16)}${clash.length > 1 ? ` (and ${clash.length - 1} more)` : ''} that overlaps ${start.slice(11, 16)}–${end.slice(11, 16)}. The machine is free from ${free.slice(11, 16)}. Confirm to schedule it at the same time anyway.`, [
      { field: 'confirmOverlap', code: ASK.overlap, message: 'overlaps another stage on the machine', stageIds: clash.map((s) => s.id), nextFreeStart: free },
    ]);
  }
  await store.update('stages', stage.id, { machineId: machine.id, scheduledStart: start, scheduledEnd: end });
  return { table: 'stages' as const, id: stage.id };
}

/** `details[0].code` of a `stage.schedule` refused for capacity: the board then offers to confirm. */
export const OVER_CAPACITY = 'over_capacity';

/** Release: the first stage of each item becomes ready. */
export async function readyFirstStages(store: MutationStore, orderId: string) {
  const stages = await store.find('stages', 'orderId', orderId);
  const byItem = new Map<string, Stage[]>();
  for (const s of stages) byItem.set(s.orderItemId, [...(byItem.get(s.orderItemId) ?? []), s]);
  for (const list of byItem.values()) {
    const first = list.sort((a, b) => a.sequence - b.sequence)[0];
    if (first && first.status === 'pending') await store.update('stages', first.id, { status: 'ready' });
  }
}

// ── the planning mutations ─────────────────────────────────────────────────

export const orderCreate = define({
  name: 'order.create', kind: 'create', table: 'orders', roles: ['admin', 'manager'], args: OrderCreateArgs,
  apply: (store, args, ctx) => applyOrderCreate(store, args, ctx),
});
export const orderUpdate = define({
  name: 'order.update', scope: { table: 'orders', arg: 'id' }, kind: 'edit', table: 'orders', roles: ['admin', 'manager'], args: OrderUpdateArgs,
  apply: (store, args) => applyOrderUpdate(store, args),
});
export const stageUpdate = define({
  name: 'stage.update', scope: { table: 'stages', arg: 'id' }, kind: 'edit', table: 'stages', roles: ['admin', 'manager', 'supervisor'], args: StageUpdateArgs,
  apply: (store, args, ctx) => applyStageUpdate(store, args, ctx),
});
export const stageSchedule = define({
  name: 'stage.schedule', scope: { table: 'stages', arg: 'id' }, kind: 'edit', table: 'stages', roles: ['admin', 'manager', 'supervisor'], args: StageScheduleArgs,
  apply: (store, args, ctx) => applyStageSchedule(store, args, ctx),
});
