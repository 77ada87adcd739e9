// Hold requests from the floor: an operator or supervisor who finds bad material asks for the order
// (or one of its stages) to be held; a planner grants it (the order goes on hold with that reason)
// or declines it with a note, and the requester sees the answer on their device.
import * as v from 'valibot';
import { HOLD_REQUEST } from './state-machines';
import { Uuid } from './protocol';
import { FLOOR, MANAGERS } from './roles';
import { Rejection } from './store';
import { actionTime, define, mustGet, mustSee, RequiredText, Text, transition } from './mutation-kit';
import { putOnHold } from './production';

/** Orders that can still be held: those being worked or about to be. */
export const HOLDABLE = ['released', 'in_progress'] as const;

const HoldRequestCreateArgs = v.strictObject({
  id: Uuid,
  orderId: Uuid,
  stageId: v.optional(Uuid),
  reason: RequiredText(500),
}, 'has a field that is not allowed');

export const holdRequestCreate = define({
  name: 'holdRequest.create',
  kind: 'create',
  table: 'holdRequests',
  roles: FLOOR,
  args: HoldRequestCreateArgs,
  async apply(store, args, ctx) {
    const order = await mustSee(store, ctx, 'orders', args.orderId);
    if (!(HOLDABLE as readonly string[]).includes(order.status)) {
      throw new Rejection('illegal_transition', `Order ${order.number ?? ''} is ${order.status.replace('_', ' ')}: only a released or running order can be held.`.replace('Order  ', 'The order '));
    }
    if (args.stageId) {
      const stage = await mustSee(store, ctx, 'stages', args.stageId);
      if (stage.orderId !== order.id) throw new Rejection('validation_failed', 'The stage belongs to another order.', [{ field: 'stageId', message: 'is not a stage of this order' }]);
    }
    await store.insert('holdRequests', {
      id: args.id, orderId: order.id, stageId: args.stageId ?? null, departmentIds: order.departmentIds, reason: args.reason,
      requestedBy: ctx.actor.id, status: 'open', answeredBy: null, answeredAt: null, answerNote: null,
    });
    return { table: 'holdRequests', id: args.id };
  },
});

const HoldRequestTransitionArgs = v.pipe(
  v.strictObject({
    id: Uuid,
    from: v.picklist(HOLD_REQUEST.states, 'is not a state of a hold request'),
    to: v.picklist(HOLD_REQUEST.states, 'is not a state of a hold request'),
    note: v.optional(Text(1000)),
  }, 'has a field that is not allowed'),
  v.forward(v.check((a) => a.to !== 'declined' || !!a.note, 'Say why the request is declined: the requester reads it'), ['note']),
);

export const holdRequestTransition = define({
  name: 'holdRequest.transition',
  scope: { table: 'holdRequests', arg: 'id' },
  kind: 'transition',
  table: 'holdRequests',
  roles: MANAGERS,
  args: HoldRequestTransitionArgs,
  async apply(store, args, ctx) {
    const request = await mustGet(store, 'holdRequests', args.id);
    if (!transition(HOLD_REQUEST, request.status, args, ctx)) return { table: 'holdRequests', id: request.id };
    if (args.to === 'granted') {
      const order = await mustGet(store, 'orders', request.orderId);
      if (order.status !== 'on_hold') {
        if (!(HOLDABLE as readonly string[]).includes(order.status)) {
          throw new Rejection('illegal_transition', `The order is ${order.status.replace('_', ' ')} now: it can no longer be held. Decline the request with a note.`);
        }
        await putOnHold(store, order, request.reason);
      }
    }
    await store.update('holdRequests', request.id, { status: args.to, answeredBy: ctx.actor.id, answeredAt: actionTime(ctx), answerNote: args.note ?? null });
    return { table: 'holdRequests', id: request.id };
  },
});
