// Non-conformance reports (issue 12, DOMAIN.md §3): a draft the department concerned fills in,
// submitted with every required field, approved or returned by its head or a manager (never its
// owner). Approval makes the corrective and preventive actions and lets the SOP ticket close. The
// rules a screen asks before offering an action live here too, and every mutator checks them again.
import * as v from 'valibot';
import { IsoDate, Uuid } from './protocol';
import { ALL_ROLES, type Actor } from './roles';
import { Rejection, type MutationContext, type MutationStore } from './store';
import { NCR } from './state-machines';
import type { NcrReport, SopTicket } from './tables';
import { notify, notifyAll } from './notifications';
import { mergeFields } from './merge';
import { actionTime, Count, define, editArgs, mustGet, mustSee, Text, transition, transitionArgs } from './mutation-kit';
import { answerers, bad, entry, isHeadOf, managerIds, type DeptLike } from './sop';

/** Create an NCR for a department: its supervisors and head, or a manager. */
export function mayCreateNcr(actor: Actor, departmentId: string, dept: DeptLike): boolean {
  if (actor.role === 'admin' || actor.role === 'manager' || isHeadOf(actor, dept)) return true;
  return actor.role === 'supervisor' && actor.departmentId === departmentId;
}

/** Fill in and submit an NCR: who may create one for its department, and its owner. */
export function mayEditNcr(actor: Actor, ncr: Pick<NcrReport, 'departmentId' | 'ownerId'>, dept: DeptLike): boolean {
  return mayCreateNcr(actor, ncr.departmentId, dept) || (!!ncr.ownerId && ncr.ownerId === actor.id);
}

/** Approve or return an NCR: the head of its department or a manager, never its owner. */
export function ncrDecisionProblem(actor: Actor, ncr: Pick<NcrReport, 'ownerId'>, dept: DeptLike): string | null {
  if (ncr.ownerId && ncr.ownerId === actor.id) return 'The owner of an NCR cannot approve or return it: the head of the department or a manager does.';
  if (actor.role === 'admin' || actor.role === 'manager' || isHeadOf(actor, dept)) return null;
  return 'Only the head of the department or a manager approves or returns an NCR.';
}

/** The fields a submitted NCR must hold. */
export const NCR_REQUIRED = ['what', 'containment', 'rootCause', 'correctiveAction', 'preventiveAction', 'ownerId', 'dueDate'] as const;

/** The fields an NCR still lacks before it can be submitted, as the form marks them. */
export function ncrMissing(ncr: Partial<Pick<NcrReport, (typeof NCR_REQUIRED)[number]>>): { field: string; message: string }[] {
  return NCR_REQUIRED.filter((f) => {
    const value = ncr[f];
    return value === null || value === undefined || (typeof value === 'string' && value.trim() === '');
  }).map((field) => ({ field, message: 'is required to submit' }));
}

// ── ncr.create / ncr.update / ncr.transition ───────────────────────────────

const NCR_FIELDS = {
  what: Text(500),
  machineId: v.nullable(Uuid),
  orderId: v.nullable(Uuid),
  quantityAffected: Count,
  containment: Text(2000),
  rootCause: Text(2000),
  correctiveAction: Text(2000),
  preventiveAction: Text(2000),
  ownerId: v.nullable(Uuid),
  dueDate: v.nullable(IsoDate),
};
export const NCR_EDIT_FIELDS = NCR_FIELDS;

const NcrCreateArgs = v.strictObject({
  id: Uuid,
  sourceType: v.picklist(['sop', 'reject', 'return'], 'is not one of the choices (sop, reject, return)'),
  sourceId: Uuid,
  /** For a customer return (not a synced table yet): the department concerned. */
  departmentId: v.optional(Uuid),
  ...Object.fromEntries(Object.entries(NCR_FIELDS).map(([k, s]) => [k, v.optional(s)])) as { [K in keyof typeof NCR_FIELDS]: v.OptionalSchema<(typeof NCR_FIELDS)[K], undefined> },
}, 'has a field that is not allowed');

async function checkOwner(store: MutationStore, ownerId: string | null | undefined, field: string) {
  if (!ownerId) return;
  const owner = await store.get('users', ownerId);
  if (!owner || owner.deletedAt || !owner.active) throw bad(field, 'is not an active user', 'The owner must be an active user.');
}

export const ncrCreate = define({
  name: 'ncr.create',
  kind: 'create',
  table: 'ncrReports',
  roles: ALL_ROLES,
  args: NcrCreateArgs,
  async apply(store, args, ctx) {
    let departmentId: string;
    let departmentIds: string[];
    let what = args.what ?? '';
    let machineId = args.machineId ?? null;
    let orderId = args.orderId ?? null;
    let ticket: SopTicket | undefined;
    if (args.sourceType === 'sop') {
      ticket = await mustSee(store, ctx, 'sopTickets', args.sourceId);
      if (ticket.status === 'closed' || ticket.status === 'rejected') throw new Rejection('illegal_transition', `SOP ticket ${ticket.number ?? ''} is ${ticket.status}: it takes no NCR.`);
      departmentId = ticket.againstDepartmentId;
      departmentIds = [ticket.againstDepartmentId, ticket.raisedByDepartmentId];
      const sop = await store.get('sops', ticket.sopId);
      if (!what && sop) what = `${sop.code} rev ${sop.revision}: ${sop.title}`;
      machineId ??= ticket.machineId;
      orderId ??= ticket.orderId;
    } else if (args.sourceType === 'reject') {
      const reject = await mustSee(store, ctx, 'rejects', args.sourceId);
      departmentId = reject.departmentId;
      departmentIds = [reject.departmentId];
      machineId ??= reject.machineId;
      orderId ??= reject.orderId;
    } else {
      if (!args.departmentId) throw bad('departmentId', 'is required for a customer return', 'Name the department concerned by the return.');
      departmentId = args.departmentId;
      departmentIds = [args.departmentId];
    }
    const dept = await store.get('departments', departmentId);
    if (!dept || dept.deletedAt) throw bad('departmentId', 'is not a department', 'There is no such department.');
    if (!mayCreateNcr(ctx.actor, departmentId, dept)) throw new Rejection('forbidden', `Only a supervisor or the head of ${dept.name}, or a manager, opens an NCR for it.`);
    if ((await store.find('ncrReports', 'sourceId', args.sourceId)).some((n) => n.sourceType === args.sourceType)) {
      throw new Rejection('validation_failed', 'This already has an NCR: open that one.', [{ field: 'sourceId', message: 'has an NCR already' }]);
    }
    await checkOwner(store, args.ownerId, 'ownerId');
    await store.insert('ncrReports', {
      id: args.id, number: await store.nextNumber('NCR'), sourceType: args.sourceType, sourceId: args.sourceId, what,
      departmentId, departmentIds: [...new Set(departmentIds)], machineId, orderId, quantityAffected: args.quantityAffected ?? 0,
      containment: args.containment ?? '', rootCause: args.rootCause ?? '', correctiveAction: args.correctiveAction ?? '',
      preventiveAction: args.preventiveAction ?? '', ownerId: args.ownerId ?? null, dueDate: args.dueDate ?? null, status: 'draft',
      submittedBy: null, submittedAt: null, approvedBy: null, approvedAt: null, returnNote: null, createdBy: ctx.actor.id,
      history: [entry(ctx, 'created', { to: 'draft' })],
    });
    if (ticket) {
      const changes: Partial<SopTicket> = { history: [...ticket.history, entry(ctx, 'ncr_created', { note: 'NCR opened' })] };
      // Opening the NCR is asking for it: an acknowledged ticket moves on without a second step.
      if (ticket.status === 'acknowledged') { changes.status = 'ncr_required'; }
      await store.update('sopTickets', ticket.id, changes);
    }
    if (args.ownerId && args.ownerId !== ctx.actor.id) {
      await notify(store, ctx, { userId: args.ownerId, kind: 'ncr_owner', title: `You own an NCR for ${dept.name}`, body: what, entity: 'ncrReports', entityId: args.id });
    }
    return { table: 'ncrReports', id: args.id };
  },
});

export const ncrUpdate = define({
  name: 'ncr.update',
  scope: { table: 'ncrReports', arg: 'id' },
  kind: 'edit',
  table: 'ncrReports',
  roles: ALL_ROLES,
  args: editArgs(NCR_FIELDS),
  async apply(store, args, ctx) {
    const ncr = await mustGet(store, 'ncrReports', args.id);
    const dept = await store.get('departments', ncr.departmentId);
    if (!mayEditNcr(ctx.actor, ncr, dept)) throw new Rejection('forbidden', 'Only the department\'s supervisors and head, a manager or the NCR\'s owner fill in an NCR.');
    if (ncr.status !== 'draft' && ncr.status !== 'returned') throw new Rejection('illegal_transition', `NCR ${ncr.number ?? ''} is ${ncr.status}: it is no longer edited.`);
    const { apply, conflicts } = mergeFields(ncr, args.base, args.changes);
    if ('ownerId' in apply) await checkOwner(store, apply.ownerId as string | null, 'changes.ownerId');
    if (Object.keys(apply).length > 0) {
      await store.update('ncrReports', ncr.id, { ...apply, history: [...ncr.history, entry(ctx, 'edited', { note: Object.keys(apply).join(', ') })] });
      if (typeof apply.ownerId === 'string' && apply.ownerId !== ctx.actor.id) {
        await notify(store, ctx, { userId: apply.ownerId, kind: 'ncr_owner', title: `You own NCR ${ncr.number ?? ''}`, body: ncr.what, entity: 'ncrReports', entityId: ncr.id });
      }
    }
    return { table: 'ncrReports', id: ncr.id, conflicts };
  },
});

const NcrTransitionArgs = transitionArgs(NCR, {
  note: v.optional(Text(2000)),
});

/**
 * An approved NCR's corrective and preventive actions become the quality module's corrective actions
 * (CAPA, `sourceType: 'ncr'`), owned by the NCR's owner and due on its due date, and the owner is told.
 * Written here rather than through `action.create`: the approval is what commits to them, even when the
 * due date has passed meanwhile (an overdue action is shown as overdue, not refused).
 */
async function createActions(store: MutationStore, ctx: MutationContext, ncr: NcrReport): Promise<void> {
  if (!ncr.ownerId || !ncr.dueDate) return;
  const label = `NCR ${ncr.number ?? ''}`.trim();
  for (const [kind, text] of [['Corrective', ncr.correctiveAction], ['Preventive', ncr.preventiveAction]] as const) {
    const id = ctx.newId();
    await store.insert('correctiveActions', {
      id, number: await store.nextNumber('CA'), sourceType: 'ncr', sourceId: ncr.id, departmentIds: ncr.departmentIds,
      description: `${kind} action (${label}): ${text}`.slice(0, 2000), ownerId: ncr.ownerId, dueDate: ncr.dueDate, status: 'open',
      doneNote: null, doneAt: null, reopenNote: null, verifiedBy: null, verifiedAt: null,
    });
    await notify(store, ctx, {
      userId: ncr.ownerId, kind: 'action_assigned', title: `${kind} action assigned to you (${label}), due ${ncr.dueDate}`,
      body: text, entity: 'correctiveActions', entityId: id,
    });
  }
}

export const ncrTransition = define({
  name: 'ncr.transition',
  scope: { table: 'ncrReports', arg: 'id' },
  kind: 'transition',
  table: 'ncrReports',
  roles: ALL_ROLES,
  args: NcrTransitionArgs,
  async apply(store, args, ctx) {
    const ncr = await mustGet(store, 'ncrReports', args.id);
    if (!transition(NCR, ncr.status, args, ctx)) return { table: 'ncrReports', id: ncr.id };
    const dept = await store.get('departments', ncr.departmentId);
    const when = actionTime(ctx);
    const changes: Partial<NcrReport> = { status: args.to };
    if (args.to === 'submitted') {
      if (!mayEditNcr(ctx.actor, ncr, dept)) throw new Rejection('forbidden', 'Only the department\'s supervisors and head, a manager or the NCR\'s owner submit an NCR.');
      const missing = ncrMissing(ncr);
      if (missing.length) {
        throw new Rejection('validation_failed', `Fill in ${missing.map((m) => FIELD_WORDS[m.field]).join(', ')} before submitting the NCR.`, missing);
      }
      Object.assign(changes, { submittedBy: ctx.actor.id, submittedAt: when });
    } else {
      const problem = ncrDecisionProblem(ctx.actor, ncr, dept);
      if (problem) throw new Rejection('forbidden', problem);
      if (args.to === 'returned') {
        if (!args.note) throw bad('note', 'is required to return', 'Say what the NCR lacks when you return it.');
        changes.returnNote = args.note;
      } else {
        Object.assign(changes, { approvedBy: ctx.actor.id, approvedAt: when });
      }
    }
    changes.history = [...ncr.history, entry(ctx, 'transition', { from: ncr.status, to: args.to, note: args.note ?? null })];
    await store.update('ncrReports', ncr.id, changes);
    const title = `NCR ${ncr.number ?? ''}`.trim();
    if (args.to === 'submitted' && dept) {
      // The head approves (never the owner: then the managers do); whoever submits needs no reminder.
      const approvers = (await answerers(store, dept)).filter((id) => id !== ncr.ownerId);
      const told = (approvers.length ? approvers : await managerIds(store)).filter((id) => id !== ctx.actor.id);
      await notifyAll(store, ctx, told, { kind: 'ncr_waiting', title: `${title} waits for your approval`, body: ncr.what, entity: 'ncrReports', entityId: ncr.id });
    }
    const tell = [...new Set([ncr.ownerId, ncr.submittedBy ?? ncr.createdBy].filter((x): x is string => !!x && x !== ctx.actor.id))];
    if (args.to === 'returned') {
      await notifyAll(store, ctx, tell, { kind: 'ncr_returned', title: `${title} was returned`, body: args.note ?? null, entity: 'ncrReports', entityId: ncr.id });
    }
    if (args.to === 'approved') {
      await notifyAll(store, ctx, tell, { kind: 'ncr_approved', title: `${title} is approved`, body: ncr.what, entity: 'ncrReports', entityId: ncr.id });
      await createActions(store, ctx, { ...ncr, ...changes });
    }
    if (ncr.sourceType === 'sop') {
      const ticket = await store.get('sopTickets', ncr.sourceId);
      if (ticket && !ticket.deletedAt) {
        const t: Partial<SopTicket> = { history: [...ticket.history, entry(ctx, `ncr_${args.to}`, { note: args.note ?? null })] };
        if (args.to === 'approved' && (['open', 'acknowledged', 'ncr_required'] as string[]).includes(ticket.status)) t.status = 'ncr_submitted';
        await store.update('sopTickets', ticket.id, t);
        if (args.to === 'returned' && ticket.raisedBy !== ctx.actor.id) {
          await notify(store, ctx, { userId: ticket.raisedBy, kind: 'sop_returned', title: `The NCR for SOP ticket ${ticket.number ?? ''} was returned`, body: args.note ?? null, entity: 'sopTickets', entityId: ticket.id });
        }
      }
    }
    return { table: 'ncrReports', id: ncr.id };
  },
});

/** The words of the NCR's fields in messages and on the form. */
export const FIELD_WORDS: Record<string, string> = {
  what: 'what (the requirement violated)', containment: 'containment', rootCause: 'root cause', correctiveAction: 'corrective action',
  preventiveAction: 'preventive action', ownerId: 'owner', dueDate: 'due date',
};
