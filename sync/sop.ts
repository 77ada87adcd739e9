// SOP compliance (issue 12, DOMAIN.md §3): tickets one department raises against another, their
// escalation to the head of department and the managers, and the NCR that must be approved before a
// ticket closes. The rules a screen asks before offering an action live here too, and every mutator
// checks them again.
import * as v from 'valibot';
import { Uuid } from './protocol';
import { ALL_ROLES, LEADS, type Actor } from './roles';
import { Rejection, type MutationContext, type MutationStore } from './store';
import { SOP_TICKET, label } from './state-machines';
import type { Department, HistoryEntry, SopTicket } from './tables';
import { notify, notifyAll } from './notifications';
import { actionTime, define, mustBeActive, mustGet, mustSee, RequiredText, Text, transition, transitionArgs } from './mutation-kit';

// ── config ─────────────────────────────────────────────────────────────────

export const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Minutes the department a ticket is against has to answer it, per severity; config `sop.responseMinutes` overrides. */
export const DEFAULT_RESPONSE_MINUTES: Record<Severity, number> = { critical: 60, high: 240, medium: 1440, low: 4320 };
/** Minutes after the escalation to the head before a ticket still without an NCR climbs to the managers. */
export const DEFAULT_ESCALATE_AFTER_MINUTES = 240;

export const SOP_CONFIG = { responseMinutes: 'sop.responseMinutes', escalateAfterMinutes: 'sop.escalateAfterMinutes' } as const;

const Minutes = (min: number) => v.pipe(
  v.number('must be a number of minutes'), v.integer('must be a whole number of minutes'),
  v.minValue(min, min === 0 ? 'cannot be negative' : `must be at least ${min} minute${min === 1 ? '' : 's'} (not negative)`),
  v.maxValue(525_600, 'is at most 525,600 minutes (a year)'),
);
export const SopResponseMinutesSchema = v.strictObject(
  { critical: Minutes(1), high: Minutes(1), medium: Minutes(1), low: Minutes(1) }, 'has a severity that does not exist',
);
export const SopEscalateAfterSchema = Minutes(0);
/** The config keys of this module and their schemas: the admin config route and page validate with them. */
export const SOP_CONFIG_SCHEMAS = {
  [SOP_CONFIG.responseMinutes]: { schema: SopResponseMinutesSchema, fallback: DEFAULT_RESPONSE_MINUTES, label: 'SOP response time per severity (minutes)' },
  [SOP_CONFIG.escalateAfterMinutes]: { schema: SopEscalateAfterSchema, fallback: DEFAULT_ESCALATE_AFTER_MINUTES, label: 'SOP escalation to the managers after the head (minutes)' },
} as const;

async function responseMinutes(store: MutationStore, severity: Severity): Promise<number> {
  const c = await store.config<Partial<Record<Severity, number>>>(SOP_CONFIG.responseMinutes);
  const n = c?.[severity];
  return typeof n === 'number' && n >= 0 ? n : DEFAULT_RESPONSE_MINUTES[severity];
}

export async function escalateAfterMinutes(store: MutationStore): Promise<number> {
  const n = await store.config<number>(SOP_CONFIG.escalateAfterMinutes);
  return typeof n === 'number' && n >= 0 ? n : DEFAULT_ESCALATE_AFTER_MINUTES;
}

const addMinutes = (iso: string, minutes: number) => new Date(Date.parse(iso) + minutes * 60_000).toISOString();

// ── who may do what (the screens ask these; the mutators check them) ────────

export type DeptLike = Pick<Department, 'id' | 'hodUserId'> | undefined;

export function isHeadOf(actor: Actor, dept: DeptLike): boolean {
  return !!dept && !!dept.hodUserId && dept.hodUserId === actor.id;
}

/** Acknowledge, ask for the NCR, reject as no breach: the supervisors or the head of the department the ticket is against. */
export function mayAnswerSop(actor: Actor, ticket: Pick<SopTicket, 'againstDepartmentId'>, against: DeptLike): boolean {
  if (actor.role === 'admin' || isHeadOf(actor, against)) return true;
  return actor.role === 'supervisor' && actor.departmentId === ticket.againstDepartmentId;
}

/** Close: the head of the department the ticket is against, or a manager. */
export function mayCloseSop(actor: Actor, against: DeptLike): boolean {
  return actor.role === 'admin' || actor.role === 'manager' || isHeadOf(actor, against);
}

/**
 * Why the actor may not move the ticket to `to` now, or null when they may. `approvedNcr`: whether an
 * approved NCR for the ticket exists (closing needs one). The button shows this text.
 */
export function sopMoveProblem(actor: Actor, ticket: Pick<SopTicket, 'status' | 'againstDepartmentId'>, to: string, against: DeptLike, approvedNcr: boolean): string | null {
  if (!SOP_TICKET.edges.some((e) => e.from === ticket.status && e.to === to)) return `A ticket that is ${label(ticket.status)} cannot move to ${label(to)}.`;
  if (to === 'closed') {
    if (!mayCloseSop(actor, against)) return 'Only the head of the department or a manager closes a ticket.';
    if (!approvedNcr) return 'A ticket closes only with an approved NCR.';
    return null;
  }
  if (!mayAnswerSop(actor, ticket, against)) return 'Only a supervisor or the head of the department the ticket is against answers it.';
  return null;
}

// ── helpers ────────────────────────────────────────────────────────────────

export function entry(ctx: MutationContext, kind: string, fields: Omit<HistoryEntry, 'at' | 'userId' | 'kind'> = {}): HistoryEntry {
  return { at: actionTime(ctx), userId: ctx.actor.id, kind, ...fields };
}

export const bad = (field: string, message: string, text: string) => new Rejection('validation_failed', text, [{ field, message }]);

/** The active managers: who hears of an escalation past the head, or of one in a department without a head. */
export async function managerIds(store: MutationStore): Promise<string[]> {
  return (await store.find('users', 'role', 'manager')).filter((u) => u.active).map((u) => u.id);
}

/** Who is told of a new ticket or a waiting NCR of a department: its head, else its supervisors, else the managers. */
export async function answerers(store: MutationStore, dept: Department): Promise<string[]> {
  if (dept.hodUserId) return [dept.hodUserId];
  const sups = (await store.find('users', 'departmentId', dept.id)).filter((u) => u.active && u.role === 'supervisor').map((u) => u.id);
  return sups.length ? sups : managerIds(store);
}

async function approvedNcrOf(store: MutationStore, ticketId: string): Promise<boolean> {
  return (await store.find('ncrReports', 'sourceId', ticketId)).some((n) => n.sourceType === 'sop' && n.status === 'approved');
}

// ── sop.raise ──────────────────────────────────────────────────────────────

const SopRaiseArgs = v.strictObject({
  id: Uuid,
  sopId: Uuid,
  againstDepartmentId: Uuid,
  severity: v.picklist(SEVERITIES, 'is not one of the choices (low, medium, high, critical)'),
  description: RequiredText(2000),
  machineId: v.optional(Uuid),
  orderId: v.optional(Uuid),
}, 'has a field that is not allowed');

export const sopRaise = define({
  name: 'sop.raise',
  kind: 'create',
  table: 'sopTickets',
  roles: ALL_ROLES,
  args: SopRaiseArgs,
  async apply(store, args, ctx) {
    if (!ctx.actor.departmentId) throw new Rejection('validation_failed', 'An SOP ticket is raised by a department: you belong to none.', [{ field: 'againstDepartmentId', message: 'needs you to belong to a department' }]);
    if (args.againstDepartmentId === ctx.actor.departmentId) {
      throw bad('againstDepartmentId', 'is your own department', 'A ticket against your own department is not an SOP ticket: raise it against the department that broke the procedure.');
    }
    const against = await store.get('departments', args.againstDepartmentId);
    if (!against || against.deletedAt || !against.active) throw bad('againstDepartmentId', 'is not a department', 'There is no such department.');
    const sop = await store.get('sops', args.sopId);
    if (!sop || sop.deletedAt) throw bad('sopId', 'is not a known SOP', 'There is no such SOP: pick one from the list.');
    mustBeActive(sop, `SOP ${sop.code}`, 'sopId');
    if (args.machineId) {
      const machine = await store.get('machines', args.machineId);
      if (!machine || machine.deletedAt) throw bad('machineId', 'is not a known machine', 'There is no such machine.');
    }
    if (args.orderId) await mustSee(store, ctx, 'orders', args.orderId);
    const raised = actionTime(ctx);
    const number = await store.nextNumber('SOP');
    await store.insert('sopTickets', {
      id: args.id, number, sopId: sop.id, raisedBy: ctx.actor.id, raisedByDepartmentId: ctx.actor.departmentId,
      againstDepartmentId: against.id, severity: args.severity, description: args.description,
      machineId: args.machineId ?? null, orderId: args.orderId ?? null, status: 'open', escalationLevel: 0,
      dueAt: addMinutes(raised, await responseMinutes(store, args.severity)), escalatedAt: null, escalatedToId: null,
      respondedAt: null, closedAt: null, history: [entry(ctx, 'raised', { to: 'open', note: args.description })],
    });
    await notifyAll(store, ctx, await answerers(store, against), {
      kind: 'sop_raised', title: `SOP ticket ${number ?? ''} against ${against.name}: ${sop.code}`.replace('  ', ' '),
      body: args.description, entity: 'sopTickets', entityId: args.id,
    });
    return { table: 'sopTickets', id: args.id };
  },
});

// ── sop.transition ─────────────────────────────────────────────────────────

const SopTransitionArgs = transitionArgs(SOP_TICKET, {
  note: v.optional(Text(2000)),
});

export const sopTransition = define({
  name: 'sop.transition',
  scope: { table: 'sopTickets', arg: 'id' },
  kind: 'transition',
  table: 'sopTickets',
  roles: LEADS,
  args: SopTransitionArgs,
  async apply(store, args, ctx) {
    const ticket = await mustGet(store, 'sopTickets', args.id);
    if (!transition(SOP_TICKET, ticket.status, args, ctx)) return { table: 'sopTickets', id: ticket.id };
    const against = await store.get('departments', ticket.againstDepartmentId);
    const problem = sopMoveProblem(ctx.actor, ticket, args.to, against, args.to === 'closed' && (await approvedNcrOf(store, ticket.id)));
    if (problem) throw new Rejection(args.to === 'closed' && mayCloseSop(ctx.actor, against) ? 'illegal_transition' : 'forbidden', problem);
    if (args.to === 'rejected' && !args.note) throw bad('note', 'is required to reject', 'Say why this is not an SOP breach.');
    const when = actionTime(ctx);
    const changes: Partial<SopTicket> = {
      status: args.to,
      history: [...ticket.history, entry(ctx, 'transition', { from: ticket.status, to: args.to, note: args.note ?? null })],
    };
    if (ticket.status === 'open' && !ticket.respondedAt) changes.respondedAt = when < ticket.createdAt ? ticket.createdAt : when;
    if (args.to === 'closed') changes.closedAt = when;
    await store.update('sopTickets', ticket.id, changes);
    if (args.to === 'rejected' || args.to === 'closed') {
      await notify(store, ctx, {
        userId: ticket.raisedBy, kind: args.to === 'rejected' ? 'sop_returned' : 'sop_closed',
        title: `SOP ticket ${ticket.number ?? ''} ${args.to === 'rejected' ? 'was rejected as no breach' : 'is closed'}`,
        body: args.note ?? null, entity: 'sopTickets', entityId: ticket.id,
      });
    }
    return { table: 'sopTickets', id: ticket.id };
  },
});

// ── sop.escalate (the system's, never a device's) ──────────────────────────

const SopEscalateArgs = v.strictObject({
  id: Uuid,
  fromLevel: v.picklist([0, 1], 'is 0 or 1'),
  toLevel: v.picklist([1, 2], 'is 1 or 2'),
}, 'has a field that is not allowed');

/** Statuses in which a ticket still climbs: to the head while unanswered, to the managers while it has no NCR. */
export const ESCALATES_TO_HEAD = ['open', 'acknowledged'] as const;
export const ESCALATES_TO_MANAGERS = ['open', 'acknowledged', 'ncr_required'] as const;

/**
 * One escalation step, run by the server's job as the system user (no device role may send it). It is
 * guarded on the level: the step from level 0 applies only to a ticket still at level 0, read under
 * the write lock the server store takes before its first read, so of two processes (or two passes)
 * that see the same due ticket exactly one escalates it; the other is refused and writes nothing.
 */
export const sopEscalate = define({
  name: 'sop.escalate',
  scope: { table: 'sopTickets', arg: 'id' },
  kind: 'transition',
  table: 'sopTickets',
  roles: [],
  args: SopEscalateArgs,
  async apply(store, args, ctx) {
    const ticket = await mustGet(store, 'sopTickets', args.id);
    if (args.toLevel !== args.fromLevel + 1) throw new Rejection('validation_failed', 'An escalation climbs one level at a time.');
    if (ticket.escalationLevel !== args.fromLevel) {
      throw new Rejection('illegal_transition', `SOP ticket ${ticket.number ?? ticket.id} is at escalation level ${ticket.escalationLevel} now, not ${args.fromLevel}.`);
    }
    const against = await mustGet(store, 'departments', ticket.againstDepartmentId);
    const managers = await managerIds(store);
    let notified: string[];
    let to: string;
    let escalatedToId = ticket.escalatedToId;
    if (args.toLevel === 1) {
      if (!(ESCALATES_TO_HEAD as readonly string[]).includes(ticket.status)) throw new Rejection('illegal_transition', `A ${label(ticket.status)} ticket is not escalated to the head.`);
      if (ticket.dueAt > ctx.now) throw new Rejection('illegal_transition', 'The ticket is not due yet.');
      const head = against.hodUserId ? await store.get('users', against.hodUserId) : undefined;
      if (head && head.active && !head.deletedAt) {
        notified = [head.id];
        escalatedToId = head.id;
        to = `the head of ${against.name}, ${head.displayName}`;
      } else {
        notified = managers;
        to = `the managers (${against.name} has no head of department)`;
      }
    } else {
      if (!(ESCALATES_TO_MANAGERS as readonly string[]).includes(ticket.status)) throw new Rejection('illegal_transition', `A ${label(ticket.status)} ticket is not escalated to the managers.`);
      const ncrIn = (await store.find('ncrReports', 'sourceId', ticket.id)).some((n) => n.sourceType === 'sop' && (n.status === 'submitted' || n.status === 'approved'));
      if (ncrIn) throw new Rejection('illegal_transition', 'The ticket has an NCR.');
      const after = await escalateAfterMinutes(store);
      if (!ticket.escalatedAt || addMinutes(ticket.escalatedAt, after) > ctx.now) throw new Rejection('illegal_transition', 'The ticket is not due for the managers yet.');
      notified = managers;
      to = 'the managers';
    }
    const note = `Escalated by the system to ${to}: ${args.toLevel === 1 ? 'not answered by its due time' : `no NCR ${await escalateAfterMinutes(store)} minutes after the escalation to the head`}.`;
    await store.update('sopTickets', ticket.id, {
      escalationLevel: args.toLevel, escalatedAt: ctx.now, escalatedToId,
      history: [...ticket.history, { at: ctx.now, userId: ctx.actor.id, kind: 'escalated', from: String(args.fromLevel), to: String(args.toLevel), note }],
    });
    const sop = await store.get('sops', ticket.sopId);
    await notifyAll(store, ctx, notified, {
      kind: 'sop_escalated',
      title: `Escalated: SOP ticket ${ticket.number ?? ''} against ${against.name}${sop ? ` (${sop.code})` : ''}`,
      body: ticket.description, entity: 'sopTickets', entityId: ticket.id,
    });
    return { table: 'sopTickets', id: ticket.id };
  },
});
