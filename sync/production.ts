// Production on the floor: stages started, paused and completed, progress and downtime events,
// and the order moves that follow from them (DOMAIN.md §1).
import * as v from 'valibot';
import { label, ORDER, STAGE, type OrderStatus } from './state-machines';
import * as planning from './planning';
import { Uuid } from './protocol';
import { FLOOR, LEADS } from './roles';
import { Rejection, type MutationContext, type MutationStore } from './store';
import type { Order, Stage } from './tables';
import { actionTime, ASK, asksHere, Count, define, mustGet, RequiredText, Text, transition } from './mutation-kit';
import { createReject, MAX_OVER_PLAN } from './quality';

/** When a stage finishes: the next stage of its item becomes ready; the order completes with its last stage. */
async function afterStageDone(store: MutationStore, stage: Stage) {
  const next = await nextStage(store, stage);
  if (next && next.status === 'pending') await store.update('stages', next.id, { status: 'ready' });
  const all = await store.find('stages', 'orderId', stage.orderId);
  if (all.every((s) => s.id === stage.id || s.status === 'done')) {
    const order = await store.get('orders', stage.orderId);
    if (order && order.status === 'in_progress') await store.update('orders', order.id, { status: 'completed' });
  }
}

// ── stages and job events ──────────────────────────────────────────────────

const StageTransitionArgs = v.strictObject({
  id: Uuid,
  from: v.picklist(STAGE.states, 'is not one of the choices'),
  to: v.picklist(STAGE.states, 'is not one of the choices'),
  note: v.optional(Text(1000)),
  /** Completing with fewer good parts than planned: the operator saw the counts and confirmed. */
  confirmShort: v.optional(v.boolean('must be true or false')),
  /** Starting on a machine that allows parallel work while another stage runs on it. */
  confirmParallel: v.optional(v.boolean('must be true or false')),
  /** maintenance (issue 13): starting on a machine that is down or in maintenance: the operator confirmed. */
  confirmDown: v.optional(v.boolean('must be true or false')),
}, 'has a field that is not allowed');

/** Good parts still missing when a stage is completed now (0 when it reached its planned quantity). */
export function shortfall(stage: Pick<Stage, 'goodQty'>, item: { quantity: number } | undefined): number {
  return item ? Math.max(0, item.quantity - stage.goodQty) : 0;
}

/** Other stages running on the stage's machine now (the "one job per machine" rule). */
export async function runningOnMachine(store: MutationStore, stage: Pick<Stage, 'id' | 'machineId'>): Promise<Stage[]> {
  if (!stage.machineId) return [];
  return (await store.find('stages', 'machineId', stage.machineId)).filter((s) => s.id !== stage.id && s.status === 'running');
}

/** The next stage of the stage's item, by sequence. */
async function nextStage(store: MutationStore, stage: Stage): Promise<Stage | undefined> {
  const siblings = await store.find('stages', 'orderItemId', stage.orderItemId);
  return siblings.filter((s) => s.sequence > stage.sequence).sort((a, b) => a.sequence - b.sequence)[0];
}

/** Reopening undoes what completing did: the next stage waits again, a completed order is in progress again. */
async function reopen(store: MutationStore, stage: Stage) {
  const next = await nextStage(store, stage);
  if (next && next.status !== 'pending' && next.status !== 'ready') {
    throw new Rejection('illegal_transition', `${next.name} has started: ${stage.name} can no longer be reopened. Log a correction instead.`);
  }
  if (next && next.status === 'ready') await store.update('stages', next.id, { status: 'pending' });
  const order = await store.get('orders', stage.orderId);
  if (order && order.status === 'completed') await store.update('orders', order.id, { status: 'in_progress', completedAt: null });
}

async function checkStart(store: MutationStore, stage: Stage, args: { confirmParallel?: boolean }) {
  const others = await runningOnMachine(store, stage);
  if (!others.length) return;
  const machine = await store.get('machines', stage.machineId!);
  const which = others.map((o) => o.name).join(', ');
  const code = machine?.code ?? 'The machine';
  if (!machine?.allowParallel) {
    throw new Rejection('illegal_transition', `${code} is running ${which}. Pause it first: this machine runs one stage at a time.`, [
      { field: 'machineId', code: ASK.machineBusy, message: 'runs another stage', running: others.map((o) => o.id), parallel: false },
    ]);
  }
  if (!args.confirmParallel) {
    throw new Rejection('validation_failed', `${code} is running ${which}. Confirm to run both at once.`, [
      { field: 'confirmParallel', code: ASK.machineBusy, message: 'runs another stage', running: others.map((o) => o.id), parallel: true },
    ]);
  }
}

/** maintenance (issue 13): a machine that is down or in maintenance is asked about before a stage starts on it. */
async function checkMachineUp(store: MutationStore, stage: Stage, args: { confirmDown?: boolean }) {
  if (!stage.machineId || args.confirmDown) return;
  const machine = await store.get('machines', stage.machineId);
  if (!machine || (machine.status !== 'down' && machine.status !== 'maintenance')) return;
  throw new Rejection('validation_failed', `${machine.code} is ${machine.status === 'down' ? 'down' : 'in maintenance'}. Confirm to start on it anyway.`, [
    { field: 'confirmDown', code: ASK.machineDown, message: `the machine is ${machine.status}`, machine: machine.code, status: machine.status },
  ]);
}

export const stageTransition = define({
  name: 'stage.transition',
  scope: { table: 'stages', arg: 'id' },
  kind: 'transition',
  table: 'stages',
  roles: FLOOR,
  args: StageTransitionArgs,
  async apply(store, args, ctx) {
    const stage = await mustGet(store, 'stages', args.id);
    const parent = await store.get('orders', stage.orderId);
    // Reopening the last stage of an order that completed with it is allowed: the order is in progress again.
    const reopening = stage.status === 'done' && args.to === 'running';
    if (parent && (parent.status === 'cancelled' || (parent.status === 'completed' && !reopening)) && stage.status !== args.to) {
      throw new Rejection('illegal_transition', `Order ${parent.number ?? ''} is ${label(parent.status)}: its stages cannot be worked.`.replace('Order  ', 'The order '));
    }
    if (stage.status === 'blocked' && args.to !== 'blocked') {
      const order = await store.get('orders', stage.orderId);
      const which = order?.number ? `Order ${order.number}` : 'The order';
      const why = order?.holdReason ? `: ${order.holdReason}` : '';
      throw new Rejection('illegal_transition', `${which} is on hold${why}. Its stages cannot be worked until it is resumed.`);
    }
    if (!transition(STAGE, stage.status, args, ctx)) return { table: 'stages', id: stage.id };
    const when = actionTime(ctx);
    const changes: Partial<Stage> = { status: args.to };
    // One job per machine, for a start and for a reopen alike (asked on the device).
    if (args.to === 'running' && asksHere(ctx)) await checkStart(store, stage, args);
    if (args.to === 'running' && asksHere(ctx)) await checkMachineUp(store, stage, args);
    if (args.to === 'done' && asksHere(ctx)) {
      const missing = shortfall(stage, await store.get('orderItems', stage.orderItemId));
      if (missing > 0 && !args.confirmShort) {
        throw new Rejection('validation_failed', `Only ${stage.goodQty} good of ${stage.goodQty + missing} planned. Confirm to complete the stage anyway.`, [
          { field: 'confirmShort', code: ASK.short, message: 'fewer good parts than planned', good: stage.goodQty, planned: stage.goodQty + missing },
        ]);
      }
    }
    if (stage.status === 'done') {
      await reopen(store, stage);
      changes.completedAt = null;
    }
    if (args.to === 'running' && !stage.startedAt) changes.startedAt = when;
    if (args.to === 'done') changes.completedAt = when;
    await store.update('stages', stage.id, changes);
    if (args.to === 'running') {
      const order = await store.get('orders', stage.orderId);
      if (order && order.status === 'released') await store.update('orders', order.id, { status: 'in_progress' });
    }
    if (args.to === 'done') await afterStageDone(store, stage);
    return { table: 'stages', id: stage.id };
  },
});

/** The reject that rejected parts of a progress entry become: its id and defect code (machine: the stage's, unless given). */
const ProgressRejectArgs = v.strictObject({
  id: Uuid,
  defectCodeId: Uuid,
  machineId: v.optional(Uuid),
  description: v.optional(Text(2000)),
}, 'must name the defect of the rejected parts');

const JobProgressArgs = v.pipe(
  v.strictObject({
    id: Uuid,
    stageId: Uuid,
    goodQty: Count,
    rejectQty: Count,
    note: v.optional(Text(1000)),
    /** Required when rejectQty > 0: rejected parts always reach quality with a defect code. */
    reject: v.optional(ProgressRejectArgs),
    /** More good parts than the stage still needs: the operator saw the counts and confirmed. */
    confirmOverPlan: v.optional(v.boolean('must be true or false')),
  }, 'has a field that is not allowed'),
  v.check((a) => a.goodQty + a.rejectQty > 0, 'Enter good or rejected parts: both cannot be 0'),
  v.forward(v.check((a) => a.rejectQty === 0 || !!a.reject, 'Rejected parts need a defect code'), ['reject']),
);

/** A count a stage can plausibly hold: beyond this many times the planned quantity it is a typo (999999 on 200). */
function checkPlausible(ctx: MutationContext, stage: Stage, item: { quantity: number } | undefined, good: number, rejected: number, confirmed: boolean) {
  if (!item) return;
  const bound = item.quantity * MAX_OVER_PLAN;
  if (stage.goodQty + stage.rejectQty + good + rejected > bound) {
    throw new Rejection('validation_failed', `That would make ${stage.goodQty + stage.rejectQty + good + rejected} parts on a stage planned for ${item.quantity}: check the number.`, [
      { field: good > 0 ? 'goodQty' : 'rejectQty', message: `is more than ${MAX_OVER_PLAN} times the planned quantity` },
    ]);
  }
  const remaining = Math.max(0, item.quantity - stage.goodQty);
  if (good > remaining && !confirmed && asksHere(ctx)) {
    throw new Rejection('validation_failed', `${good} good is more than the ${remaining} still needed (${stage.goodQty} of ${item.quantity} done). Confirm to log it anyway.`, [
      { field: 'confirmOverPlan', code: ASK.overPlan, message: 'more than the stage still needs', remaining, planned: item.quantity, good: stage.goodQty },
    ]);
  }
}

/** Adds good and rejected parts (negative for a correction) to the stage and its item's totals. */
export async function addToTotals(store: MutationStore, stage: Stage, good: number, rejected: number) {
  // Totals live on the parent rows and are only ever moved by events: two devices' events both count.
  await store.update('stages', stage.id, { goodQty: stage.goodQty + good, rejectQty: stage.rejectQty + rejected });
  const item = await store.get('orderItems', stage.orderItemId);
  const last = (await store.find('stages', 'orderItemId', stage.orderItemId)).every((s) => s.sequence <= stage.sequence);
  if (item && last) {
    await store.update('orderItems', item.id, { goodQty: item.goodQty + good, rejectQty: item.rejectQty + rejected });
  } else if (item && rejected !== 0) {
    await store.update('orderItems', item.id, { rejectQty: item.rejectQty + rejected });
  }
}

export const jobProgress = define({
  name: 'job.progress',
  scope: { table: 'stages', arg: 'stageId' },
  kind: 'event',
  table: 'jobEvents',
  roles: FLOOR,
  args: JobProgressArgs,
  async apply(store, args, ctx) {
    const stage = await mustGet(store, 'stages', args.stageId);
    checkPlausible(ctx, stage, await store.get('orderItems', stage.orderItemId), args.goodQty, args.rejectQty, !!args.confirmOverPlan);
    await store.insert('jobEvents', {
      id: args.id, stageId: stage.id, orderId: stage.orderId, departmentId: stage.departmentId, kind: 'progress',
      goodQty: args.goodQty, rejectQty: args.rejectQty, downtimeReason: null, minutes: 0, note: args.note ?? null,
      userId: ctx.actor.id, at: actionTime(ctx),
    });
    await addToTotals(store, stage, args.goodQty, args.rejectQty);
    if (args.rejectQty > 0 && args.reject) {
      const machineId = args.reject.machineId ?? stage.machineId;
      if (!machineId) throw new Rejection('validation_failed', 'Choose the machine the rejected parts came from.', [{ field: 'reject.machineId', message: 'is required: the stage has no machine' }]);
      await createReject(store, ctx, { id: args.reject.id, machineId, defectCodeId: args.reject.defectCodeId, quantity: args.rejectQty, stageId: stage.id, description: args.reject.description ?? args.note }, 'reject.');
    }
    return { table: 'jobEvents', id: args.id };
  },
});

const Correction = v.pipe(
  v.number('must be a number'),
  v.integer('must be a whole number'),
  v.maxValue(0, 'is taken off: enter it as 0 or less (e.g. -5)'),
  v.minValue(-1_000_000, 'is at most 1,000,000 parts'),
);

const JobCorrectionArgs = v.pipe(
  v.strictObject({
    id: Uuid,
    stageId: Uuid,
    goodQty: Correction,
    rejectQty: Correction,
    reason: RequiredText(500),
  }, 'has a field that is not allowed'),
  v.check((a) => a.goodQty + a.rejectQty < 0, 'Enter the parts to take off: both cannot be 0'),
);

/**
 * Corrects a wrong count with an event of its own (negative quantities and a reason), so totals stay
 * a sum of events and the audit shows both entries. An operator corrects only what they logged on the
 * stage in the current shift; supervisors and planners any count. Never below zero.
 */
export const jobCorrection = define({
  name: 'job.correction',
  scope: { table: 'stages', arg: 'stageId' },
  kind: 'event',
  table: 'jobEvents',
  roles: FLOOR,
  args: JobCorrectionArgs,
  async apply(store, args, ctx) {
    const stage = await mustGet(store, 'stages', args.stageId);
    const when = actionTime(ctx);
    if (stage.goodQty + args.goodQty < 0 || stage.rejectQty + args.rejectQty < 0) {
      throw new Rejection('validation_failed', `The stage has ${stage.goodQty} good and ${stage.rejectQty} rejected: a correction cannot take it below zero.`, [
        { field: stage.goodQty + args.goodQty < 0 ? 'goodQty' : 'rejectQty', message: 'would take the count below zero' },
      ]);
    }
    if (ctx.actor.role === 'operator') {
      const shift = planning.shiftAt(when, (await store.config<planning.ShiftCalendar>('shiftCalendar')) ?? planning.DEFAULT_CALENDAR);
      if (!shift) throw new Rejection('forbidden', 'Outside a shift an operator cannot correct counts: ask your supervisor.');
      const mine = (await store.find('jobEvents', 'stageId', stage.id)).filter((e) => e.userId === ctx.actor.id && e.at >= shift.start && e.at < shift.end);
      const good = mine.reduce((n, e) => n + e.goodQty, 0);
      const rejected = mine.reduce((n, e) => n + e.rejectQty, 0);
      if (good + args.goodQty < 0 || rejected + args.rejectQty < 0) {
        throw new Rejection('forbidden', `You logged ${good} good and ${rejected} rejected on this stage this shift: an operator corrects only their own counts of the shift. Ask your supervisor for more.`);
      }
    }
    await store.insert('jobEvents', {
      id: args.id, stageId: stage.id, orderId: stage.orderId, departmentId: stage.departmentId, kind: 'correction',
      goodQty: args.goodQty, rejectQty: args.rejectQty, downtimeReason: null, minutes: 0, note: args.reason,
      userId: ctx.actor.id, at: when,
    });
    await addToTotals(store, stage, args.goodQty, args.rejectQty);
    return { table: 'jobEvents', id: args.id };
  },
});

export const DOWNTIME_REASONS = ['breakdown', 'changeover', 'no_material', 'no_operator', 'quality_check', 'planned_maintenance', 'other'] as const;

const JobDowntimeArgs = v.strictObject({
  id: Uuid,
  stageId: Uuid,
  reason: v.picklist(DOWNTIME_REASONS, 'is not one of the choices'),
  minutes: v.pipe(v.number('must be a number'), v.integer('must be a whole number'), v.minValue(1, 'must be at least 1'), v.maxValue(24 * 60, 'is at most 1,440 minutes (one day)')),
  note: v.optional(Text(1000)),
}, 'has a field that is not allowed');

export const jobDowntime = define({
  name: 'job.downtime',
  scope: { table: 'stages', arg: 'stageId' },
  kind: 'event',
  table: 'jobEvents',
  roles: FLOOR,
  args: JobDowntimeArgs,
  async apply(store, args, ctx) {
    const stage = await mustGet(store, 'stages', args.stageId);
    await store.insert('jobEvents', {
      id: args.id, stageId: stage.id, orderId: stage.orderId, departmentId: stage.departmentId, kind: 'downtime',
      goodQty: 0, rejectQty: 0, downtimeReason: args.reason, minutes: args.minutes, note: args.note ?? null,
      userId: ctx.actor.id, at: actionTime(ctx),
    });
    await store.update('stages', stage.id, { downtimeMinutes: stage.downtimeMinutes + args.minutes });
    return { table: 'jobEvents', id: args.id };
  },
});

// ── orders ─────────────────────────────────────────────────────────────────

const OrderTransitionArgs = v.pipe(
  v.strictObject({
    id: Uuid,
    from: v.picklist(ORDER.states, 'is not one of the choices'),
    to: v.picklist(ORDER.states, 'is not one of the choices'),
    holdReason: v.optional(Text(500)),
  }, 'has a field that is not allowed'),
  v.check((a) => a.to !== 'on_hold' || !!a.holdReason, 'holdReason is required to put an order on hold'),
);

/** Where a held order goes when resumed: back to the state it was held from (what the Resume button offers). */
export function resumesTo(order: Pick<Order, 'status' | 'statusBeforeHold'>): OrderStatus | null {
  return order.status === 'on_hold' ? order.statusBeforeHold : null;
}

/** Holds an order: every unfinished stage is blocked, remembering where it was, and the reason is shown on them. */
export async function putOnHold(store: MutationStore, order: Order, reason: string) {
  for (const s of await store.find('stages', 'orderId', order.id)) {
    if (s.status !== 'done' && s.status !== 'blocked') await store.update('stages', s.id, { status: 'blocked', statusBeforeBlock: s.status });
  }
  await store.update('orders', order.id, { status: 'on_hold', holdReason: reason, statusBeforeHold: order.status });
}

export const orderTransition = define({
  name: 'order.transition',
  scope: { table: 'orders', arg: 'id' },
  kind: 'transition',
  table: 'orders',
  // Operators start and complete orders only through their stages (the stage mutators make those moves).
  roles: LEADS,
  args: OrderTransitionArgs,
  async apply(store, args, ctx) {
    const order = await mustGet(store, 'orders', args.id);
    if (args.from === 'on_hold' && (args.to === 'released' || args.to === 'in_progress') && order.status === 'on_hold' && resumesTo(order) !== args.to) {
      throw new Rejection('illegal_transition', `The order was ${order.statusBeforeHold?.replace('_', ' ')} when it was held; it resumes to that.`);
    }
    if (!transition(ORDER, order.status, args, ctx)) return { table: 'orders', id: order.id };
    const changes: Partial<Order> = { status: args.to };
    const stages = await store.find('stages', 'orderId', order.id);
    const open = stages.filter((s) => s.status !== 'done');
    if (args.to === 'completed' && open.length) {
      const which = open.slice(0, 3).map((s) => `${s.name} (${label(s.status)})`).join(', ');
      throw new Rejection('illegal_transition', `The order cannot be completed while ${open.length} of its stages ${open.length === 1 ? 'is' : 'are'} not done: ${which}${open.length > 3 ? ', …' : ''}.`);
    }
    if (args.to === 'on_hold') {
      await putOnHold(store, order, args.holdReason ?? '');
      return { table: 'orders', id: order.id };
    } else if (args.from === 'on_hold') {
      changes.holdReason = null;
      changes.statusBeforeHold = null;
      for (const s of stages) {
        if (s.status === 'blocked') {
          // A stage that was running when the order was held comes back paused: someone must restart it.
          const back = s.statusBeforeBlock === 'running' ? 'paused' : (s.statusBeforeBlock ?? 'pending');
          await store.update('stages', s.id, { status: back, statusBeforeBlock: null });
        }
      }
    }
    if (args.to === 'completed') changes.completedAt = actionTime(ctx);
    await store.update('orders', order.id, changes);
    if (args.from === 'draft' && args.to === 'released') await planning.readyFirstStages(store, order.id);
    return { table: 'orders', id: order.id };
  },
});
