// Quality: rejects logged on the floor and moved through review, approval and closing (DOMAIN.md §2).
import * as v from 'valibot';
import { REJECT } from './state-machines';
import { Uuid } from './protocol';
import { FLOOR } from './roles';
import { Rejection, type MutationContext, type MutationStore } from './store';
import { alreadyExists } from './rejections';
import { worksIn } from './permissions';
import { actionTime, define, mustBeActive, mustGet, mustSee, Qty, Text, transition } from './mutation-kit';

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

const RejectTransitionArgs = v.strictObject({
  id: Uuid,
  from: v.picklist(REJECT.states, 'is not one of the choices'),
  to: v.picklist(REJECT.states, 'is not one of the choices'),
  disposition: v.optional(v.picklist(DISPOSITIONS, 'is not one of the choices')),
  rootCause: v.optional(Text(2000)),
  correctiveAction: v.optional(Text(2000)),
}, 'has a field that is not allowed');

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
