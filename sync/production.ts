// Production on the floor: stages started, paused and completed, progress and downtime events,
// and the order moves that follow from them (DOMAIN.md §1).
import * as v from 'valibot';
import { label, ORDER, STAGE, type OrderStatus } from './state-machines';
import * as planning from './planning';
import { Uuid } from './protocol';
import { FLOOR, LEADS } from './roles';
import { Rejection, type MutationStore } from './store';
import type { Order, Stage } from './tables';
import { actionTime, Count, define, mustGet, Text, transition } from './mutation-kit';

/** When a stage finishes: the next stage of its item becomes ready; the order completes with its last stage. */
async function afterStageDone(store: MutationStore, stage: Stage) {
  const siblings = await store.find('stages', 'orderItemId', stage.orderItemId);
  const next = siblings.filter((s) => s.sequence > stage.sequence).sort((a, b) => a.sequence - b.sequence)[0];
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
  from: v.picklist(STAGE.states),
  to: v.picklist(STAGE.states),
  note: v.optional(Text(1000)),
});

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
    if (parent && (parent.status === 'cancelled' || parent.status === 'completed') && stage.status !== args.to) {
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

const JobProgressArgs = v.pipe(
  v.strictObject({
    id: Uuid,
    stageId: Uuid,
    goodQty: Count,
    rejectQty: Count,
    note: v.optional(Text(1000)),
  }),
  v.check((a) => a.goodQty + a.rejectQty > 0, 'goodQty and rejectQty cannot both be 0'),
);

export const jobProgress = define({
  name: 'job.progress',
  scope: { table: 'stages', arg: 'stageId' },
  kind: 'event',
  table: 'jobEvents',
  roles: FLOOR,
  args: JobProgressArgs,
  async apply(store, args, ctx) {
    const stage = await mustGet(store, 'stages', args.stageId);
    await store.insert('jobEvents', {
      id: args.id, stageId: stage.id, orderId: stage.orderId, departmentId: stage.departmentId, kind: 'progress',
      goodQty: args.goodQty, rejectQty: args.rejectQty, downtimeReason: null, minutes: 0, note: args.note ?? null,
      userId: ctx.actor.id, at: actionTime(ctx),
    });
    // Totals live on the parent rows and are only ever incremented: two devices' events both count.
    await store.update('stages', stage.id, { goodQty: stage.goodQty + args.goodQty, rejectQty: stage.rejectQty + args.rejectQty });
    const item = await store.get('orderItems', stage.orderItemId);
    const last = (await store.find('stages', 'orderItemId', stage.orderItemId)).every((s) => s.sequence <= stage.sequence);
    if (item && last) {
      await store.update('orderItems', item.id, { goodQty: item.goodQty + args.goodQty, rejectQty: item.rejectQty + args.rejectQty });
    } else if (item && args.rejectQty > 0) {
      await store.update('orderItems', item.id, { rejectQty: item.rejectQty + args.rejectQty });
    }
    return { table: 'jobEvents', id: args.id };
  },
});

export const DOWNTIME_REASONS = ['breakdown', 'changeover', 'no_material', 'no_operator', 'quality_check', 'planned_maintenance', 'other'] as const;

const JobDowntimeArgs = v.strictObject({
  id: Uuid,
  stageId: Uuid,
  reason: v.picklist(DOWNTIME_REASONS),
  minutes: v.pipe(v.number(), v.integer(), v.minValue(1, 'must be at least 1'), v.maxValue(24 * 60)),
  note: v.optional(Text(1000)),
});

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
    from: v.picklist(ORDER.states),
    to: v.picklist(ORDER.states),
    holdReason: v.optional(Text(500)),
  }),
  v.check((a) => a.to !== 'on_hold' || !!a.holdReason, 'holdReason is required to put an order on hold'),
);

/** Where a held order goes when resumed: back to the state it was held from (what the Resume button offers). */
export function resumesTo(order: Pick<Order, 'status' | 'statusBeforeHold'>): OrderStatus | null {
  return order.status === 'on_hold' ? order.statusBeforeHold : null;
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
      changes.holdReason = args.holdReason ?? null;
      changes.statusBeforeHold = order.status;
      for (const s of stages) {
        if (s.status !== 'done' && s.status !== 'blocked') await store.update('stages', s.id, { status: 'blocked', statusBeforeBlock: s.status });
      }
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
