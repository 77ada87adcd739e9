// Quality: rejects logged on the floor and moved through review, approval and closing, and the
// corrective actions that answer them (DOMAIN.md §2). Customer returns are in sync/returns.ts.
import * as v from 'valibot';
import { CORRECTIVE_ACTION, REJECT, type CorrectiveActionStatus } from './state-machines';
import { IsoDate, Uuid } from './protocol';
import { ALL_ROLES, FLOOR, LEADS, type Actor } from './roles';
import { Rejection, type MutationContext, type MutationStore } from './store';
import { alreadyExists } from './rejections';
import { worksIn } from './permissions';
import { mergeFields } from './merge';
import type { CorrectiveAction, Reject } from './tables';
import { addToTotals } from './production';
import { actionTime, define, editArgs, mustBeActive, mustGet, mustSee, Qty, RequiredText, Text, transition, transitionArgs } from './mutation-kit';

// ── rejects ────────────────────────────────────────────────────────────────

/** Counts beyond this many times the planned quantity are refused as typos (999999 on a 200-piece stage). */
export const MAX_OVER_PLAN = 10;

export const DISPOSITIONS = ['scrap', 'rework', 'use_as_is', 'return_to_supplier'] as const;

export const RejectCreateArgs = v.strictObject({
  id: Uuid,
  machineId: Uuid,
  defectCodeId: Uuid,
  quantity: Qty,
  stageId: v.optional(Uuid),
  orderId: v.optional(Uuid),
  productId: v.optional(Uuid),
  description: v.optional(Text(2000)),
}, 'has a field that is not allowed');

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

export const rejectCreate = define({
  name: 'reject.create',
  kind: 'create',
  table: 'rejects',
  roles: FLOOR,
  args: RejectCreateArgs,
  apply: (store, args, ctx) => createReject(store, ctx, args),
});

/**
 * A reject, from its own form or from the rejected parts of a progress entry (one flow for both, so
 * scrap always reaches quality with a defect code). `field` prefixes the fields named in errors.
 */
export async function createReject(store: MutationStore, ctx: MutationContext, args: v.InferOutput<typeof RejectCreateArgs>, field = '') {
  if (field && (await store.get('rejects', args.id))) throw alreadyExists('rejects', args.id, `${field}id`);
  const machine = await mustGet(store, 'machines', args.machineId);
  mustBeActive(machine, `Machine ${machine.code}`, `${field}machineId`);
  if (!worksIn(ctx.actor, machine.departmentId)) {
    throw new Rejection('forbidden', `${machine.code} is a machine of another department: a ${ctx.actor.role} logs rejects only on their own department's machines.`, [{ field: `${field}machineId`, message: 'belongs to another department' }]);
  }
  const defect = await mustGet(store, 'defectCodes', args.defectCodeId);
  mustBeActive(defect, `Defect code ${defect.code}`, `${field}defectCodeId`);
  const { orderId, productId } = await rejectOrigin(store, ctx, args, machine);
  await store.insert('rejects', {
    id: args.id, number: await store.nextNumber('REJ'), stageId: args.stageId ?? null, orderId,
    productId, machineId: machine.id, departmentId: machine.departmentId, defectCodeId: args.defectCodeId,
    quantity: args.quantity, description: args.description ?? null, reportedBy: ctx.actor.id, status: 'open',
    disposition: null, rootCause: null, correctiveAction: null, approvedBy: null, approvedAt: null, closedAt: null,
  });
  return { table: 'rejects' as const, id: args.id };
}

const RejectTransitionArgs = transitionArgs(REJECT, {
  disposition: v.optional(v.picklist(DISPOSITIONS, 'is not one of the choices')),
  rootCause: v.optional(Text(2000)),
  correctiveAction: v.optional(Text(2000)),
  /** quality: why the review disputes the reject (required to dispute). */
  note: v.optional(Text(2000)),
});

/**
 * A `rework` disposition puts the parts back on the stage as work to redo: a `rework` job event
 * takes them off the stage's rejected count (the stage's totals stay a sum of events), so the floor
 * makes them good again. Only what the stage counted as rejected can come off (a reject logged on
 * its own form was never counted on the stage); the event says how many parts are to redo.
 */
async function putBackForRework(store: MutationStore, ctx: MutationContext, reject: Reject) {
  if (!reject.stageId) return;
  const stage = await store.get('stages', reject.stageId);
  if (!stage || stage.deletedAt) return;
  const off = Math.min(reject.quantity, stage.rejectQty);
  await store.insert('jobEvents', {
    id: ctx.newId(), stageId: stage.id, orderId: stage.orderId, departmentId: stage.departmentId, kind: 'rework',
    goodQty: 0, rejectQty: -off, downtimeReason: null, minutes: 0,
    note: `${reject.quantity} to rework (${reject.number ?? 'reject'})`, userId: ctx.actor.id, at: actionTime(ctx),
  });
  if (off > 0) await addToTotals(store, stage, 0, -off);
}

export const rejectTransition = define({
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
    if (args.to === 'disputed' && !args.note) throw new Rejection('validation_failed', 'Disputing a reject needs a note: say what is wrong with it.', [{ field: 'note', message: 'is required to dispute' }]);
    if (args.to === 'closed' && reject.status === 'approved' && args.disposition && args.disposition !== reject.disposition) {
      throw new Rejection('validation_failed', `The disposition was decided at approval (${reject.disposition?.replace(/_/g, ' ')}): it is not changed when closing.`, [{ field: 'disposition', message: 'was decided at approval' }]);
    }
    await store.update('rejects', reject.id, {
      status: args.to,
      disposition: disposition ?? null,
      rootCause: rootCause ?? null,
      correctiveAction: args.correctiveAction || reject.correctiveAction,
      ...(args.note ? { reviewNote: args.note } : {}),
      ...(args.to === 'approved' ? { approvedBy: ctx.actor.id, approvedAt: actionTime(ctx) } : {}),
      ...(args.to === 'closed' ? { closedAt: actionTime(ctx) } : {}),
    });
    if (args.to === 'approved' && disposition === 'rework') await putBackForRework(store, ctx, reject);
    return { table: 'rejects', id: reject.id };
  },
});

// ── corrective actions (CAPA) ──────────────────────────────────────────────

export const ACTION_SOURCE_TYPES = ['reject', 'return', 'ncr'] as const;
export type ActionSourceType = (typeof ACTION_SOURCE_TYPES)[number];

/**
 * The source of a corrective action, which the actor must be able to see: the departments whose
 * people see it (the action's `departmentIds`, its scope) and what it is called. The one place that
 * knows the source tables: a new source type (NCRs, table `ncrReports`) is one more case here.
 */
export async function actionSource(store: MutationStore, ctx: MutationContext, sourceType: ActionSourceType, sourceId: string): Promise<{ departmentIds: string[]; label: string }> {
  switch (sourceType) {
    case 'reject': {
      const reject = await mustSee(store, ctx, 'rejects', sourceId);
      return { departmentIds: [reject.departmentId], label: `Reject ${reject.number ?? ''}`.trim() };
    }
    case 'return': {
      const ret = await mustSee(store, ctx, 'customerReturns', sourceId);
      return { departmentIds: ret.departmentIds, label: `Return ${ret.number ?? ''}`.trim() };
    }
    // SOP compliance (issue 12): an NCR's actions are seen where the NCR is.
    case 'ncr': {
      const ncr = await mustSee(store, ctx, 'ncrReports', sourceId);
      return { departmentIds: ncr.departmentIds, label: `NCR ${ncr.number ?? ''}`.trim() };
    }
    default:
      throw new Rejection('validation_failed', `Corrective actions on a ${sourceType} cannot be raised yet.`, [{ field: 'sourceType', message: 'is not available yet' }]);
  }
}

/** Whether the actor works where the action's source is seen (plant-wide roles everywhere). */
export function seesActionSource(actor: Actor, action: Pick<CorrectiveAction, 'departmentIds'>): boolean {
  if (actor.role === 'admin' || actor.role === 'manager') return true;
  return !!actor.departmentId && action.departmentIds.includes(actor.departmentId);
}

/**
 * Who may mark an action done: its owner, or a lead (supervisor, manager, admin) where its source is
 * seen. Verifying it, or sending it back, is a lead's and never the owner's: someone else checks that
 * the fix worked. `undefined` means allowed; otherwise the reason, shown at the field on the device.
 */
export function actionMoveRefusal(actor: Actor, action: Pick<CorrectiveAction, 'ownerId' | 'departmentIds'>, to: CorrectiveActionStatus): string | undefined {
  const isOwner = action.ownerId === actor.id;
  const lead = (LEADS as readonly string[]).includes(actor.role) && seesActionSource(actor, action);
  if (to === 'done') return isOwner || lead ? undefined : 'Only the owner of the action, or a supervisor or manager, marks it done.';
  if (isOwner) return to === 'verified'
    ? 'The owner of a corrective action cannot verify it: someone other than the owner checks that it worked.'
    : 'The owner of a corrective action cannot send it back: someone other than the owner verifies it.';
  return lead ? undefined : 'A supervisor or manager of the department verifies corrective actions.';
}

/** An action still open after its due day (`today` the viewer's local YYYY-MM-DD): flagged red and counted on the nav badge. */
export function isOverdue(action: Pick<CorrectiveAction, 'status' | 'dueDate' | 'deletedAt'>, today: string): boolean {
  return action.status === 'open' && !action.deletedAt && action.dueDate < today;
}

async function activeOwner(store: MutationStore, ownerId: string, field: string) {
  const owner = await mustGet(store, 'users', ownerId);
  if (!owner.active) throw new Rejection('validation_failed', `${owner.displayName} is no longer an active user.`, [{ field, message: 'must be an active user' }]);
  return owner;
}

function mustNotBePast(dueDate: string, ctx: MutationContext, field: string) {
  const today = actionTime(ctx).slice(0, 10);
  if (dueDate < today) throw new Rejection('validation_failed', `The due date ${dueDate} has already passed: give a date from ${today} on.`, [{ field, message: 'is in the past' }]);
}

export const ActionCreateArgs = v.strictObject({
  id: Uuid,
  sourceType: v.picklist(ACTION_SOURCE_TYPES, 'is not one of the choices'),
  sourceId: Uuid,
  description: RequiredText(2000),
  ownerId: Uuid,
  dueDate: IsoDate,
}, 'has a field that is not allowed');

export const actionCreate = define({
  name: 'action.create',
  kind: 'create',
  table: 'correctiveActions',
  roles: LEADS,
  args: ActionCreateArgs,
  async apply(store, args, ctx) {
    const source = await actionSource(store, ctx, args.sourceType, args.sourceId);
    await activeOwner(store, args.ownerId, 'ownerId');
    mustNotBePast(args.dueDate, ctx, 'dueDate');
    await store.insert('correctiveActions', {
      id: args.id, number: await store.nextNumber('CA'), sourceType: args.sourceType, sourceId: args.sourceId,
      departmentIds: source.departmentIds, description: args.description, ownerId: args.ownerId, dueDate: args.dueDate,
      status: 'open', doneNote: null, doneAt: null, reopenNote: null, verifiedBy: null, verifiedAt: null,
    });
    return { table: 'correctiveActions', id: args.id };
  },
});

export const ACTION_EDIT_FIELDS = { description: RequiredText(2000), ownerId: Uuid, dueDate: IsoDate };
const ActionUpdateArgs = editArgs(ACTION_EDIT_FIELDS);

export const actionUpdate = define({
  name: 'action.update',
  scope: { table: 'correctiveActions', arg: 'id' },
  kind: 'edit',
  table: 'correctiveActions',
  roles: LEADS,
  args: ActionUpdateArgs,
  async apply(store, args, ctx) {
    const action = await mustGet(store, 'correctiveActions', args.id);
    if (!seesActionSource(ctx.actor, action)) throw new Rejection('forbidden', 'A supervisor edits only the corrective actions of their own department.');
    if (action.status === 'verified') throw new Rejection('validation_failed', `${action.number ?? 'The action'} is verified: it is history and stays as it was.`, [{ field: 'status', message: 'is verified' }]);
    const { apply, conflicts } = mergeFields(action, args.base, args.changes);
    if ('ownerId' in apply) await activeOwner(store, apply.ownerId as string, 'changes.ownerId');
    if ('dueDate' in apply) mustNotBePast(apply.dueDate as string, ctx, 'changes.dueDate');
    if (Object.keys(apply).length > 0) await store.update('correctiveActions', action.id, apply);
    return { table: 'correctiveActions', id: action.id, conflicts };
  },
});

const ActionTransitionArgs = transitionArgs(CORRECTIVE_ACTION, {
  note: v.optional(Text(2000)),
});

export const actionTransition = define({
  name: 'action.transition',
  scope: { table: 'correctiveActions', arg: 'id' },
  kind: 'transition',
  table: 'correctiveActions',
  roles: ALL_ROLES,
  args: ActionTransitionArgs,
  async apply(store, args, ctx) {
    const action = await mustGet(store, 'correctiveActions', args.id);
    if (!transition(CORRECTIVE_ACTION, action.status, args, ctx)) return { table: 'correctiveActions', id: action.id };
    const refusal = actionMoveRefusal(ctx.actor, action, args.to);
    if (refusal) throw new Rejection('forbidden', refusal, [{ field: 'to', message: refusal }]);
    const when = actionTime(ctx);
    if (args.to === 'done') {
      await store.update('correctiveActions', action.id, { status: 'done', doneNote: args.note || null, doneAt: when });
    } else if (args.to === 'verified') {
      await store.update('correctiveActions', action.id, { status: 'verified', verifiedBy: ctx.actor.id, verifiedAt: when });
    } else {
      if (!args.note) throw new Rejection('validation_failed', 'Sending an action back needs a note: say why the verification failed.', [{ field: 'note', message: 'is required to send it back' }]);
      await store.update('correctiveActions', action.id, { status: 'open', reopenNote: args.note, doneAt: null });
    }
    return { table: 'correctiveActions', id: action.id };
  },
});
