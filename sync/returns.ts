// Customer returns (issue 11 §2, DOMAIN.md §2): parts a customer sent back, taken in and investigated
// by Quality, made the responsibility of a department, resolved with a root cause and closed.
import * as v from 'valibot';
import { CUSTOMER_RETURN } from './state-machines';
import { IsoDate, Uuid } from './protocol';
import { FLOOR, type Actor } from './roles';
import { Rejection, type MutationContext, type MutationStore } from './store';
import { mergeFields } from './merge';
import { actionTime, define, editArgs, mustGet, Qty, RequiredText, Text, transition, transitionArgs } from './mutation-kit';
import { movePhotoScope } from './attachments';

// ── customer returns ───────────────────────────────────────────────────────

/** The code of the Quality department, whose people take in and investigate customer returns. */
export const QUALITY_DEPARTMENT_CODE = 'QA';

/** The Quality department's id, if the plant has one. */
export async function qualityDepartmentId(store: MutationStore): Promise<string | null> {
  const [qa] = (await store.find('departments', 'code', QUALITY_DEPARTMENT_CODE)).filter((d) => d.active);
  return qa?.id ?? null;
}

/** Whether the actor takes in and moves customer returns: admins, managers and the Quality department. */
export function mayHandleReturns(actor: Actor, qualityDeptId: string | null): boolean {
  if (actor.role === 'admin' || actor.role === 'manager') return true;
  if (actor.role === 'technician') return false;
  return !!qualityDeptId && actor.departmentId === qualityDeptId;
}

async function mustHandleReturns(store: MutationStore, ctx: MutationContext) {
  const qa = await qualityDepartmentId(store);
  if (!mayHandleReturns(ctx.actor, qa)) throw new Rejection('forbidden', 'Customer returns are taken in and moved by Quality, managers and admins.');
  return qa;
}

/** Who sees a return: Quality and the department made responsible. */
function returnDepartments(qualityDeptId: string | null, responsible: string | null): string[] {
  return [...new Set([qualityDeptId, responsible].filter((d): d is string => !!d))];
}

/** Money: 0 or more, whole cents. */
export const CreditValue = v.pipe(
  v.number('must be a number'),
  v.minValue(0, 'cannot be negative'),
  v.maxValue(100_000_000, 'is at most 100,000,000'),
  v.check((n) => Math.abs(Math.round(n * 100) - n * 100) < 1e-6, 'has at most 2 decimals (cents)'),
);

async function returnOrigin(store: MutationStore, orderId: string | null | undefined, productId: string, prefix: string) {
  const product = await mustGet(store, 'products', productId);
  if (orderId) {
    const order = await mustGet(store, 'orders', orderId);
    const items = await store.find('orderItems', 'orderId', order.id);
    if (!items.some((i) => i.productId === product.id)) {
      throw new Rejection('validation_failed', `Order ${order.number ?? ''} did not make ${product.sku}.`.replace('  ', ' '), [{ field: `${prefix}productId`, message: 'is not a product of the order' }]);
    }
  }
}

function mustNotBeFuture(day: string, ctx: MutationContext, field: string) {
  const today = actionTime(ctx).slice(0, 10);
  if (day > today) throw new Rejection('validation_failed', `The goods cannot have come back on ${day}, after today (${today}).`, [{ field, message: 'is in the future' }]);
}

export const ReturnCreateArgs = v.strictObject({
  id: Uuid,
  customerName: RequiredText(200),
  orderId: v.optional(Uuid),
  productId: Uuid,
  quantity: Qty,
  reason: RequiredText(2000),
  receivedAt: v.optional(IsoDate),
}, 'has a field that is not allowed');

export const returnCreate = define({
  name: 'return.create',
  kind: 'create',
  table: 'customerReturns',
  roles: FLOOR,
  args: ReturnCreateArgs,
  async apply(store, args, ctx) {
    const qa = await mustHandleReturns(store, ctx);
    await returnOrigin(store, args.orderId, args.productId, '');
    const receivedAt = args.receivedAt ?? actionTime(ctx).slice(0, 10);
    mustNotBeFuture(receivedAt, ctx, 'receivedAt');
    await store.insert('customerReturns', {
      id: args.id, number: await store.nextNumber('RET'), customerName: args.customerName, orderId: args.orderId ?? null,
      productId: args.productId, quantity: args.quantity, reason: args.reason, receivedAt, status: 'received',
      rootCause: null, correctiveAction: null, creditValue: null, departmentId: null, departmentIds: returnDepartments(qa, null),
      reportedBy: ctx.actor.id, resolvedAt: null, closedAt: null,
    });
    return { table: 'customerReturns', id: args.id };
  },
});

export const RETURN_EDIT_FIELDS = {
  customerName: RequiredText(200),
  orderId: v.nullable(Uuid),
  productId: Uuid,
  quantity: Qty,
  reason: RequiredText(2000),
  receivedAt: IsoDate,
  rootCause: v.nullable(Text(2000)),
  correctiveAction: v.nullable(Text(2000)),
  creditValue: v.nullable(CreditValue),
  departmentId: v.nullable(Uuid),
};
const ReturnUpdateArgs = editArgs(RETURN_EDIT_FIELDS);

/** The scope of a return's corrective actions follows the return's. */
async function moveReturnScope(store: MutationStore, id: string, departmentIds: string[]) {
  for (const action of await store.find('correctiveActions', 'sourceId', id)) {
    if (action.sourceType === 'return' && JSON.stringify(action.departmentIds) !== JSON.stringify(departmentIds)) {
      await store.update('correctiveActions', action.id, { departmentIds });
    }
  }
  // quality photos: and so does the scope of its photos
  await movePhotoScope(store, 'customerReturns', id, departmentIds);
}

export const returnUpdate = define({
  name: 'return.update',
  scope: { table: 'customerReturns', arg: 'id' },
  kind: 'edit',
  table: 'customerReturns',
  roles: FLOOR,
  args: ReturnUpdateArgs,
  async apply(store, args, ctx) {
    const qa = await mustHandleReturns(store, ctx);
    const ret = await mustGet(store, 'customerReturns', args.id);
    if (ret.status === 'closed') throw new Rejection('validation_failed', `${ret.number ?? 'The return'} is closed: it is history and stays as it was.`, [{ field: 'status', message: 'is closed' }]);
    const { apply, conflicts } = mergeFields(ret, args.base, args.changes);
    if ('orderId' in apply || 'productId' in apply) {
      await returnOrigin(store, (apply.orderId ?? ('orderId' in apply ? null : ret.orderId)) as string | null, (apply.productId ?? ret.productId) as string, 'changes.');
    }
    if ('receivedAt' in apply) mustNotBeFuture(apply.receivedAt as string, ctx, 'changes.receivedAt');
    if ('rootCause' in apply && !apply.rootCause && (ret.status === 'resolved')) {
      throw new Rejection('validation_failed', 'A resolved return keeps its root cause.', [{ field: 'changes.rootCause', message: 'is required once resolved' }]);
    }
    if ('departmentId' in apply) {
      if (apply.departmentId) await mustGet(store, 'departments', apply.departmentId as string);
      apply.departmentIds = returnDepartments(qa, apply.departmentId as string | null);
    }
    if (Object.keys(apply).length > 0) {
      await store.update('customerReturns', ret.id, apply);
      if (apply.departmentIds) await moveReturnScope(store, ret.id, apply.departmentIds as string[]);
    }
    return { table: 'customerReturns', id: ret.id, conflicts };
  },
});

const ReturnTransitionArgs = transitionArgs(CUSTOMER_RETURN, {
  rootCause: v.optional(Text(2000)),
  correctiveAction: v.optional(Text(2000)),
  creditValue: v.optional(CreditValue),
});

export const returnTransition = define({
  name: 'return.transition',
  scope: { table: 'customerReturns', arg: 'id' },
  kind: 'transition',
  table: 'customerReturns',
  roles: FLOOR,
  args: ReturnTransitionArgs,
  async apply(store, args, ctx) {
    await mustHandleReturns(store, ctx);
    const ret = await mustGet(store, 'customerReturns', args.id);
    if (!transition(CUSTOMER_RETURN, ret.status, args, ctx)) return { table: 'customerReturns', id: ret.id };
    const rootCause = args.rootCause || ret.rootCause;
    if (args.to === 'resolved' && !rootCause) throw new Rejection('validation_failed', 'Resolving a return needs a root cause.', [{ field: 'rootCause', message: 'is required to resolve' }]);
    await store.update('customerReturns', ret.id, {
      status: args.to,
      rootCause: rootCause ?? null,
      correctiveAction: args.correctiveAction || ret.correctiveAction,
      creditValue: args.creditValue ?? ret.creditValue,
      ...(args.to === 'resolved' ? { resolvedAt: actionTime(ctx) } : {}),
      ...(args.to === 'closed' ? { closedAt: actionTime(ctx) } : {}),
    });
    return { table: 'customerReturns', id: ret.id };
  },
});
