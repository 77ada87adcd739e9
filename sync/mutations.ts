// The mutation registry: name → kind, args schema, roles allowed, and the mutator both sides run.
import * as v from 'valibot';
import { checkTransition, label, MAINTENANCE, ORDER, REJECT, STAGE, type StateMachine } from './state-machines';
import { mergeFields } from './merge';
import { uuidv7 } from './ids';
import * as planning from './planning';
import { Uuid } from './protocol';
import type { FieldConflict } from './protocol';
import { ALL_ROLES, FLOOR, type Role } from './roles';
import { Rejection, type MutationContext, type MutationStore } from './store';
import { alreadyExists, notFound, ROW_LABEL } from './rejections';
import { mayMoveTicketTo, mayRaiseMaintenance, worksIn } from './permissions';
import { canSee, type Order, type Stage, type TableName } from './tables';

export type MutationKind = 'create' | 'event' | 'edit' | 'transition';

export interface MutationOutcome { table: TableName; id: string; conflicts?: FieldConflict[] }

export interface MutationDef<S extends v.GenericSchema = v.GenericSchema> {
  name: string;
  kind: MutationKind;
  /** The table of the row the mutation is about (the audit entry's entity). */
  table: TableName;
  roles: readonly Role[];
  /** The existing row the mutation acts on (`arg` names its id): the actor must be able to see it. */
  scope?: { table: TableName; arg: string };
  args: S;
  apply(store: MutationStore, args: v.InferOutput<S>, ctx: MutationContext): Promise<MutationOutcome>;
}

function define<S extends v.GenericSchema>(def: MutationDef<S>): MutationDef<S> {
  return def;
}

const Text = (max: number) => v.pipe(v.string(), v.trim(), v.maxLength(max, `must be at most ${max} characters`));
const RequiredText = (max: number) => v.pipe(Text(max), v.minLength(1, 'is required'));
const Count = v.pipe(v.number(), v.integer('must be a whole number'), v.minValue(0, 'must be 0 or more'), v.maxValue(1_000_000));
const Qty = v.pipe(v.number(), v.integer('must be a whole number'), v.minValue(1, 'must be at least 1'), v.maxValue(1_000_000));

// ── helpers shared by the mutators ─────────────────────────────────────────

async function mustGet<T extends TableName>(store: MutationStore, table: T, id: string) {
  const row = await store.get(table, id);
  if (!row) throw notFound(table, id);
  if (row.deletedAt) throw new Rejection('entity_deleted', `${ROW_LABEL[table]} ${id} was deleted.`);
  return row;
}

/** A row the actor refers to: it must exist, be live and be in the actor's scope (else: not found). */
async function mustSee<T extends TableName>(store: MutationStore, ctx: MutationContext, table: T, id: string) {
  const row = await store.get(table, id);
  if (row && !canSee(ctx.actor, table, row as unknown as Record<string, unknown>)) throw notFound(table, id);
  return mustGet(store, table, id);
}

/** Master data a create refers to must be in use (a retired machine or defect code takes no new work). */
function mustBeActive(row: { active: boolean }, what: string, field: string) {
  if (!row.active) throw new Rejection('validation_failed', `${what} is no longer in use.`, [{ field, message: 'is no longer in use' }]);
}

/** A device's time for an action, in UTC and never later than the server's receive time. */
/** A device clock further back than this is taken as wrong (a phone reset to 1970), not as an old action. */
const MAX_OFFLINE_MS = 90 * 86_400_000;

function actionTime(ctx: MutationContext): string {
  // Compared as instants: `at` may carry an offset (…T09:00:00-05:00), which does not sort as text.
  const at = Date.parse(ctx.at);
  const now = Date.parse(ctx.now);
  if (at > now || at < now - MAX_OFFLINE_MS) return ctx.now;
  return new Date(at).toISOString();
}

function transition(m: StateMachine, current: string, args: { from: string; to: string }, ctx: MutationContext): boolean {
  const check = checkTransition(m, current, args.from, args.to, ctx.actor.role);
  if (!check.ok) throw new Rejection(check.code, check.message);
  return !check.noop;
}

function addHours(iso: string, hours: number): string {
  return new Date(Date.parse(iso) + hours * 3_600_000).toISOString();
}

/** SLA targets in hours per priority (1 urgent … 4 low); config key `sla` overrides. */
export const DEFAULT_SLA: Record<string, { responseHours: number; resolutionHours: number }> = {
  '1': { responseHours: 1, resolutionHours: 8 },
  '2': { responseHours: 4, resolutionHours: 24 },
  '3': { responseHours: 8, resolutionHours: 72 },
  '4': { responseHours: 24, resolutionHours: 168 },
};

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

const stageTransition = define({
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

const jobProgress = define({
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

const jobDowntime = define({
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

const orderTransition = define({
  name: 'order.transition',
  scope: { table: 'orders', arg: 'id' },
  kind: 'transition',
  table: 'orders',
  roles: ALL_ROLES.filter((r) => r !== 'technician'),
  args: OrderTransitionArgs,
  async apply(store, args, ctx) {
    const order = await mustGet(store, 'orders', args.id);
    if (args.from === 'on_hold' && (args.to === 'released' || args.to === 'in_progress') && order.status === 'on_hold' && order.statusBeforeHold !== args.to) {
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

// ── rejects ────────────────────────────────────────────────────────────────

/** Counts beyond this many times the planned quantity are refused as typos (999999 on a 200-piece stage). */
export const MAX_OVER_PLAN = 10;

export const DISPOSITIONS = ['scrap', 'rework', 'use_as_is', 'return_to_supplier'] as const;

const RejectCreateArgs = v.strictObject({
  id: Uuid,
  machineId: Uuid,
  defectCodeId: Uuid,
  quantity: Qty,
  stageId: v.optional(Uuid),
  orderId: v.optional(Uuid),
  productId: v.optional(Uuid),
  description: v.optional(Text(2000)),
});

/** Every reference a reject carries must exist, be the sender's to see, and agree with the others. */
async function rejectOrigin(store: MutationStore, ctx: MutationContext, args: v.InferOutput<typeof RejectCreateArgs>, machine: { code: string; departmentId: string }) {
  const mismatch = (field: string, message: string) => new Rejection('validation_failed', message, [{ field, message: 'does not match the rest of the reject' }]);
  let { orderId, productId } = args;
  if (args.stageId) {
    const stage = await mustSee(store, ctx, 'stages', args.stageId);
    if (stage.departmentId !== machine.departmentId) throw mismatch('stageId', `Stage ${stage.name} is not worked in the department of ${machine.code}.`);
    if (orderId && orderId !== stage.orderId) throw mismatch('orderId', 'The stage belongs to another order.');
    const item = await store.get('orderItems', stage.orderItemId);
    if (productId && item && productId !== item.productId) throw mismatch('productId', 'The stage makes another product.');
    if (item && args.quantity > item.quantity * MAX_OVER_PLAN) {
      throw new Rejection('validation_failed', `${args.quantity} rejected parts is more than ${MAX_OVER_PLAN} times the ${item.quantity} ordered: check the number.`, [{ field: 'quantity', message: `is at most ${item.quantity * MAX_OVER_PLAN} for this stage` }]);
    }
    return { orderId: stage.orderId, productId: item?.productId ?? productId ?? null };
  }
  if (orderId) {
    const order = await mustSee(store, ctx, 'orders', orderId);
    if (!order.departmentIds.includes(machine.departmentId)) throw mismatch('orderId', `Order ${order.number ?? ''} has no stage in the department of ${machine.code}.`);
    if (productId) {
      const items = await store.find('orderItems', 'orderId', order.id);
      if (!items.some((i) => i.productId === productId)) throw mismatch('productId', 'The order does not make this product.');
    }
  } else if (productId) {
    await mustGet(store, 'products', productId);
  }
  return { orderId: orderId ?? null, productId: productId ?? null };
}

const rejectCreate = define({
  name: 'reject.create',
  kind: 'create',
  table: 'rejects',
  roles: FLOOR,
  args: RejectCreateArgs,
  async apply(store, args, ctx) {
    const machine = await mustGet(store, 'machines', args.machineId);
    mustBeActive(machine, `Machine ${machine.code}`, 'machineId');
    if (!worksIn(ctx.actor, machine.departmentId)) {
      throw new Rejection('forbidden', `${machine.code} is a machine of another department: a ${ctx.actor.role} logs rejects only on their own department's machines.`, [{ field: 'machineId', message: 'belongs to another department' }]);
    }
    const defect = await mustGet(store, 'defectCodes', args.defectCodeId);
    mustBeActive(defect, `Defect code ${defect.code}`, 'defectCodeId');
    const { orderId, productId } = await rejectOrigin(store, ctx, args, machine);
    await store.insert('rejects', {
      id: args.id, number: await store.nextNumber('REJ'), stageId: args.stageId ?? null, orderId,
      productId, machineId: machine.id, departmentId: machine.departmentId, defectCodeId: args.defectCodeId,
      quantity: args.quantity, description: args.description ?? null, reportedBy: ctx.actor.id, status: 'open',
      disposition: null, rootCause: null, correctiveAction: null, approvedBy: null, approvedAt: null, closedAt: null,
    });
    return { table: 'rejects', id: args.id };
  },
});

const RejectTransitionArgs = v.strictObject({
  id: Uuid,
  from: v.picklist(REJECT.states),
  to: v.picklist(REJECT.states),
  disposition: v.optional(v.picklist(DISPOSITIONS)),
  rootCause: v.optional(Text(2000)),
  correctiveAction: v.optional(Text(2000)),
});

const rejectTransition = define({
  name: 'reject.transition',
  scope: { table: 'rejects', arg: 'id' },
  kind: 'transition',
  table: 'rejects',
  roles: ['admin', 'manager', 'supervisor'],
  args: RejectTransitionArgs,
  async apply(store, args, ctx) {
    const reject = await mustGet(store, 'rejects', args.id);
    if (!transition(REJECT, reject.status, args, ctx)) return { table: 'rejects', id: reject.id };
    const disposition = args.disposition ?? reject.disposition;
    const rootCause = args.rootCause || reject.rootCause;
    if (args.to === 'approved' && !disposition) throw new Rejection('validation_failed', 'Approval needs a disposition.', [{ field: 'disposition', message: 'is required to approve' }]);
    if (args.to === 'closed' && !rootCause) throw new Rejection('validation_failed', 'Closing needs a root cause.', [{ field: 'rootCause', message: 'is required to close' }]);
    await store.update('rejects', reject.id, {
      status: args.to,
      disposition: disposition ?? null,
      rootCause: rootCause ?? null,
      correctiveAction: args.correctiveAction || reject.correctiveAction,
      ...(args.to === 'approved' ? { approvedBy: ctx.actor.id, approvedAt: actionTime(ctx) } : {}),
      ...(args.to === 'closed' ? { closedAt: actionTime(ctx) } : {}),
    });
    return { table: 'rejects', id: reject.id };
  },
});

// ── maintenance ────────────────────────────────────────────────────────────

const MaintenanceCreateArgs = v.strictObject({
  id: Uuid,
  machineId: Uuid,
  type: v.picklist(['corrective', 'preventive']),
  priority: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(4)),
  description: RequiredText(2000),
});

async function maintenanceEvent(store: MutationStore, ctx: MutationContext, ticket: { id: string; machineId: string; departmentId: string }, kind: string, fields: { fromStatus?: string; toStatus?: string; note?: string | null }) {
  // Each side makes its own id: a device's optimistic event is replaced by the server's at the next pull.
  await store.insert('maintenanceEvents', {
    id: uuidv7(), ticketId: ticket.id, machineId: ticket.machineId, departmentId: ticket.departmentId, kind,
    fromStatus: fields.fromStatus ?? null, toStatus: fields.toStatus ?? null, note: fields.note ?? null,
    userId: ctx.actor.id, at: actionTime(ctx),
  });
}

const maintenanceCreate = define({
  name: 'maintenance.create',
  kind: 'create',
  table: 'maintenanceTickets',
  roles: ALL_ROLES,
  args: MaintenanceCreateArgs,
  async apply(store, args, ctx) {
    const machine = await mustGet(store, 'machines', args.machineId);
    mustBeActive(machine, `Machine ${machine.code}`, 'machineId');
    if (!mayRaiseMaintenance(ctx.actor, machine.departmentId)) throw new Rejection('forbidden', `A ${ctx.actor.role} may not raise a request on ${machine.code}.`);
    const sla = (await store.config<typeof DEFAULT_SLA>('sla')) ?? DEFAULT_SLA;
    const target = sla[String(args.priority)] ?? DEFAULT_SLA[String(args.priority)];
    const raised = actionTime(ctx);
    const ticket = {
      id: args.id, number: await store.nextNumber('MT'), machineId: machine.id, departmentId: machine.departmentId,
      type: args.type, priority: args.priority, description: args.description, reportedBy: ctx.actor.id,
      assigneeId: null, status: 'open', responseDueAt: addHours(raised, target.responseHours),
      resolutionDueAt: addHours(raised, target.resolutionHours), respondedAt: null, completedAt: null, verifiedAt: null,
      downtimeMinutes: 0, workDone: '', partsUsed: '',
    };
    await store.insert('maintenanceTickets', ticket);
    await maintenanceEvent(store, ctx, ticket, 'created', { toStatus: 'open', note: args.description });
    return { table: 'maintenanceTickets', id: args.id };
  },
});

export const MAINTENANCE_EDIT_FIELDS = {
  description: RequiredText(2000),
  priority: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(4)),
  workDone: Text(2000),
  partsUsed: Text(2000),
  downtimeMinutes: v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(525_600)),
  machineId: Uuid,
};
const MaintenanceFields = v.strictObject(
  Object.fromEntries(Object.entries(MAINTENANCE_EDIT_FIELDS).map(([k, s]) => [k, v.optional(s)])) as {
    [K in keyof typeof MAINTENANCE_EDIT_FIELDS]: v.OptionalSchema<(typeof MAINTENANCE_EDIT_FIELDS)[K], undefined>;
  },
);

const MaintenanceUpdateArgs = v.pipe(
  v.strictObject({ id: Uuid, base: MaintenanceFields, changes: MaintenanceFields }),
  v.check((a) => Object.keys(a.changes).length > 0, 'changes must name at least one field'),
  v.check((a) => Object.keys(a.changes).every((k) => k in a.base), 'base must hold the value seen for every changed field'),
);

const maintenanceUpdate = define({
  name: 'maintenance.update',
  scope: { table: 'maintenanceTickets', arg: 'id' },
  kind: 'edit',
  table: 'maintenanceTickets',
  roles: ALL_ROLES,
  args: MaintenanceUpdateArgs,
  async apply(store, args, ctx) {
    const ticket = await mustGet(store, 'maintenanceTickets', args.id);
    if ('machineId' in args.changes && ctx.actor.role === 'operator') {
      throw new Rejection('forbidden', 'An operator may not move a ticket to another machine.');
    }
    const { apply, conflicts } = mergeFields(ticket as unknown as Record<string, unknown>, args.base, args.changes);
    if ('machineId' in apply) {
      const machine = await mustGet(store, 'machines', apply.machineId as string);
      mustBeActive(machine, `Machine ${machine.code}`, 'changes.machineId');
      if (!mayMoveTicketTo(ctx.actor, machine.departmentId)) {
        throw new Rejection('forbidden', `${machine.code} is a machine of another department: a ${ctx.actor.role} moves tickets only between their own department's machines.`, [{ field: 'changes.machineId', message: 'belongs to another department' }]);
      }
      apply.departmentId = machine.departmentId;
    }
    if (Object.keys(apply).length > 0) {
      await store.update('maintenanceTickets', ticket.id, apply);
      const moved = apply.machineId ? { ...ticket, machineId: apply.machineId as string, departmentId: apply.departmentId as string } : ticket;
      if (moved.departmentId !== ticket.departmentId) {
        // The history travels with the ticket: its events follow the ticket's department scope.
        for (const e of await store.find('maintenanceEvents', 'ticketId', ticket.id)) {
          await store.update('maintenanceEvents', e.id, { departmentId: moved.departmentId, machineId: moved.machineId });
        }
      }
      await maintenanceEvent(store, ctx, moved, 'update', { note: Object.keys(apply).filter((k) => k !== 'departmentId').join(', ') });
    }
    return { table: 'maintenanceTickets', id: ticket.id, conflicts };
  },
});

const MaintenanceTransitionArgs = v.strictObject({
  id: Uuid,
  from: v.picklist(MAINTENANCE.states),
  to: v.picklist(MAINTENANCE.states),
  assigneeId: v.optional(Uuid),
  note: v.optional(Text(2000)),
});

const maintenanceTransition = define({
  name: 'maintenance.transition',
  scope: { table: 'maintenanceTickets', arg: 'id' },
  kind: 'transition',
  table: 'maintenanceTickets',
  roles: ALL_ROLES.filter((r) => r !== 'operator'),
  args: MaintenanceTransitionArgs,
  async apply(store, args, ctx) {
    const ticket = await mustGet(store, 'maintenanceTickets', args.id);
    if (!transition(MAINTENANCE, ticket.status, args, ctx)) return { table: 'maintenanceTickets', id: ticket.id };
    const when = actionTime(ctx);
    const changes: Record<string, unknown> = { status: args.to };
    if (args.to === 'assigned') {
      const assigneeId = ctx.actor.role === 'technician' ? ctx.actor.id : args.assigneeId;
      if (!assigneeId) throw new Rejection('validation_failed', 'Assigning needs a technician.', [{ field: 'assigneeId', message: 'is required' }]);
      if (ctx.actor.role === 'technician' && args.assigneeId && args.assigneeId !== ctx.actor.id) {
        throw new Rejection('forbidden', 'A technician may only take a ticket for themselves.');
      }
      const assignee = await mustGet(store, 'users', assigneeId);
      if (assignee.role !== 'technician' || !assignee.active) throw new Rejection('validation_failed', `${assignee.displayName} is not an active technician.`, [{ field: 'assigneeId', message: 'must be an active technician' }]);
      changes.assigneeId = assigneeId;
    }
    if (args.to === 'in_progress' && !ticket.respondedAt) changes.respondedAt = when < ticket.createdAt ? ticket.createdAt : when;
    if (args.to === 'completed') changes.completedAt = when < ticket.createdAt ? ticket.createdAt : when;
    if (args.to === 'verified') changes.verifiedAt = when;
    await store.update('maintenanceTickets', ticket.id, changes);
    await maintenanceEvent(store, ctx, ticket, 'transition', { fromStatus: ticket.status, toStatus: args.to, note: args.note ?? null });
    return { table: 'maintenanceTickets', id: ticket.id };
  },
});

const MaintenanceCommentArgs = v.strictObject({ id: Uuid, ticketId: Uuid, note: RequiredText(2000) });

const maintenanceComment = define({
  name: 'maintenance.comment',
  scope: { table: 'maintenanceTickets', arg: 'ticketId' },
  kind: 'event',
  table: 'maintenanceEvents',
  roles: ALL_ROLES,
  args: MaintenanceCommentArgs,
  async apply(store, args, ctx) {
    const ticket = await mustGet(store, 'maintenanceTickets', args.ticketId);
    await store.insert('maintenanceEvents', {
      id: args.id, ticketId: ticket.id, machineId: ticket.machineId, departmentId: ticket.departmentId, kind: 'comment',
      fromStatus: null, toStatus: null, note: args.note, userId: ctx.actor.id, at: actionTime(ctx),
    });
    return { table: 'maintenanceEvents', id: args.id };
  },
});

// ── planning (sync/planning.ts) ──────────────────────────────────────────────

const orderCreate = define({
  name: 'order.create', kind: 'create', table: 'orders', roles: ['admin', 'manager'], args: planning.OrderCreateArgs,
  apply: (store, args, ctx) => planning.applyOrderCreate(store, args, ctx),
});
const orderUpdate = define({
  name: 'order.update', scope: { table: 'orders', arg: 'id' }, kind: 'edit', table: 'orders', roles: ['admin', 'manager'], args: planning.OrderUpdateArgs,
  apply: (store, args) => planning.applyOrderUpdate(store, args),
});
const stageUpdate = define({
  name: 'stage.update', scope: { table: 'stages', arg: 'id' }, kind: 'edit', table: 'stages', roles: ['admin', 'manager', 'supervisor'], args: planning.StageUpdateArgs,
  apply: (store, args, ctx) => planning.applyStageUpdate(store, args, ctx),
});
const stageSchedule = define({
  name: 'stage.schedule', scope: { table: 'stages', arg: 'id' }, kind: 'edit', table: 'stages', roles: ['admin', 'manager', 'supervisor'], args: planning.StageScheduleArgs,
  apply: (store, args, ctx) => planning.applyStageSchedule(store, args, ctx),
});

// ── the registry ───────────────────────────────────────────────────────────

const ALL = [
  stageTransition, jobProgress, jobDowntime, orderTransition, rejectCreate, rejectTransition,
  maintenanceCreate, maintenanceUpdate, maintenanceTransition, maintenanceComment,
  orderCreate, orderUpdate, stageUpdate, stageSchedule,
] as MutationDef[];

export const MUTATIONS: ReadonlyMap<string, MutationDef> = new Map(ALL.map((m) => [m.name, m]));

export type MutationName =
  | 'stage.transition' | 'job.progress' | 'job.downtime' | 'order.transition' | 'reject.create' | 'reject.transition'
  | 'maintenance.create' | 'maintenance.update' | 'maintenance.transition' | 'maintenance.comment'
  | 'order.create' | 'order.update' | 'stage.update' | 'stage.schedule';

export interface MutationArgs {
  'stage.transition': v.InferInput<typeof StageTransitionArgs>;
  'job.progress': v.InferInput<typeof JobProgressArgs>;
  'job.downtime': v.InferInput<typeof JobDowntimeArgs>;
  'order.transition': v.InferInput<typeof OrderTransitionArgs>;
  'reject.create': v.InferInput<typeof RejectCreateArgs>;
  'reject.transition': v.InferInput<typeof RejectTransitionArgs>;
  'maintenance.create': v.InferInput<typeof MaintenanceCreateArgs>;
  'maintenance.update': v.InferInput<typeof MaintenanceUpdateArgs>;
  'maintenance.transition': v.InferInput<typeof MaintenanceTransitionArgs>;
  'maintenance.comment': v.InferInput<typeof MaintenanceCommentArgs>;
  'order.create': v.InferInput<typeof planning.OrderCreateArgs>;
  'order.update': v.InferInput<typeof planning.OrderUpdateArgs>;
  'stage.update': v.InferInput<typeof planning.StageUpdateArgs>;
  'stage.schedule': v.InferInput<typeof planning.StageScheduleArgs>;
}

/** Whether a role may send a mutation at all (what the UI asks before offering the action). */
export function mayUse(role: Role, name: MutationName): boolean {
  return MUTATIONS.get(name)?.roles.includes(role) ?? false;
}

/** Field-level messages for a failed args parse, in the `details` shape of the error contract. */
export function issueDetails(issues: readonly v.BaseIssue<unknown>[]): { field: string; message: string }[] {
  return issues.map((i) => ({ field: v.getDotPath(i) ?? '', message: i.message }));
}

/** Validates and applies one mutation: the single entry point both sides use. */
export async function runMutator(store: MutationStore, name: string, rawArgs: unknown, ctx: MutationContext): Promise<MutationOutcome> {
  const def = MUTATIONS.get(name);
  if (!def) throw new Rejection('unknown_mutation', `There is no mutation called "${name}".`);
  if (!def.roles.includes(ctx.actor.role)) throw new Rejection('forbidden', `A ${ctx.actor.role} may not use ${name}.`);
  const parsed = v.safeParse(def.args, rawArgs);
  if (!parsed.success) throw new Rejection('validation_failed', `The ${name} request is not valid.`, issueDetails(parsed.issues));
  if (def.scope) {
    // What a user may not see they may not change either (a Press operator and a Paint stage's id).
    // Answered as if the row did not exist, so another department's ids cannot be told from made-up ones.
    const id = (parsed.output as Record<string, string>)[def.scope.arg];
    const row = await store.get(def.scope.table, id);
    if (row && !canSee(ctx.actor, def.scope.table, row as unknown as Record<string, unknown>)) throw notFound(def.scope.table, id);
  }
  if (def.kind === 'create' || def.kind === 'event') {
    // A device's id for a new row must be new: a taken id is the device's mistake, never the server's 500.
    const id = (parsed.output as { id: string }).id;
    if (await store.get(def.table, id)) throw alreadyExists(def.table, id);
  }
  return def.apply(store, parsed.output, ctx);
}
