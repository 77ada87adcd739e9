// In-app notifications (issue 12): `notify()` is how any mutator tells a user something (an escalation,
// an NCR waiting for approval, a corrective action assigned, a ticket returned); `notification.read`
// is the one way a user marks theirs read. Each user pulls only their own rows (sync/tables.ts scopeFor).
import * as v from 'valibot';
import { Uuid } from './protocol';
import { ALL_ROLES } from './roles';
import type { MutationContext, MutationStore } from './store';
import { actionTime, define, mustGet, transition } from './mutation-kit';
import { NOTIFICATION } from './state-machines';

/** What a notification is about; a module adds its kind here (the bell shows them all alike). */
export type NotificationKind =
  | 'sop_escalated' | 'sop_raised' | 'sop_returned' | 'ncr_waiting' | 'ncr_returned' | 'ncr_approved' | 'action_assigned' | (string & {});

export interface NotifyInput {
  userId: string;
  kind: NotificationKind;
  title: string;
  body?: string | null;
  /** The table and id of the row the notification opens (`sopTickets`, an id). */
  entity: string;
  entityId: string;
}

/**
 * Writes one notification for `userId`, with an id derived from the mutation's (both sides agree).
 * On a device only the actor's own notifications are written: another user's is not the device's to
 * hold, and it arrives on that user's devices through pull.
 */
export async function notify(store: MutationStore, ctx: MutationContext, n: NotifyInput): Promise<void> {
  const id = ctx.newId();
  if (ctx.side === 'client' && n.userId !== ctx.actor.id) return;
  await store.insert('notifications', {
    id, userId: n.userId, kind: n.kind, title: n.title.slice(0, 200), body: n.body ? n.body.slice(0, 1000) : null,
    entity: n.entity, entityId: n.entityId, status: 'unread', at: actionTime(ctx), readAt: null,
  });
}

/** `notify()` for several users at once (the managers), each once. */
export async function notifyAll(store: MutationStore, ctx: MutationContext, userIds: readonly string[], n: Omit<NotifyInput, 'userId'>): Promise<void> {
  for (const userId of [...new Set(userIds)]) await notify(store, ctx, { ...n, userId });
}

const NotificationReadArgs = v.strictObject({ id: Uuid }, 'has a field that is not allowed');

export const notificationRead = define({
  name: 'notification.read',
  scope: { table: 'notifications', arg: 'id' },
  kind: 'transition',
  table: 'notifications',
  roles: ALL_ROLES,
  args: NotificationReadArgs,
  async apply(store, args, ctx) {
    const n = await mustGet(store, 'notifications', args.id);
    if (!transition(NOTIFICATION, n.status, { from: 'unread', to: 'read' }, ctx)) return { table: 'notifications', id: n.id };
    await store.update('notifications', n.id, { status: 'read', readAt: actionTime(ctx) });
    return { table: 'notifications', id: n.id };
  },
});
