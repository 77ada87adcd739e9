// Workflow state machines (DOMAIN.md) with the roles allowed on each edge: one copy for server and client.
import { ALL_ROLES as ALL, FLOOR, LEADS as S, MANAGERS as M, MAINTAINERS as TECH, type Role } from './roles';
import type { TableName } from './tables';

export interface Edge<S extends string = string> { from: S; to: S; roles: readonly Role[] }
export interface StateMachine<S extends string = string> { name: string; states: readonly S[]; edges: readonly Edge<S>[] }
/** The states of a machine as a type (`StateOf<typeof ORDER>` is 'draft' | 'released' | …). */
export type StateOf<M> = M extends StateMachine<infer S> ? S : never;


function machine<const S extends string>(name: string, states: readonly S[], list: [S | S[], S, readonly Role[]][]): StateMachine<S> {
  const edges = list.flatMap(([from, to, roles]) => (Array.isArray(from) ? from : [from]).map((f) => ({ from: f, to, roles })));
  return { name, states, edges };
}

export const ORDER = machine('order', ['draft', 'released', 'in_progress', 'on_hold', 'completed', 'cancelled'], [
  ['draft', 'released', S],
  // Started and completed by the stage mutators (first stage running, last stage done). Sent by
  // hand only by a planner, and completion still needs every stage done (checked by the mutator).
  ['released', 'in_progress', M],
  ['in_progress', 'completed', M],
  [['released', 'in_progress'], 'on_hold', M],
  // Resume: back to the state it was held from (checked by the mutator).
  ['on_hold', 'released', M],
  ['on_hold', 'in_progress', M],
  [['draft', 'released', 'on_hold'], 'cancelled', M],
]);

export const STAGE = machine('stage', ['pending', 'ready', 'running', 'paused', 'done', 'blocked'], [
  ['pending', 'ready', S],
  ['ready', 'running', FLOOR],
  // Reopen a stage completed by mistake, while the next stage has not started (checked by the mutator).
  ['done', 'running', S],
  ['running', 'paused', FLOOR],
  ['paused', 'running', FLOOR],
  [['running', 'paused'], 'done', FLOOR],
  // `blocked` is entered and left only by the order's hold and resume, never by a device.
]);

export const REJECT = machine('reject', ['open', 'under_review', 'approved', 'disputed', 'closed'], [
  ['open', 'under_review', S],
  ['under_review', 'approved', M],
  ['under_review', 'disputed', S],
  ['disputed', 'under_review', S],
  [['approved', 'disputed'], 'closed', S],
]);

export const MAINTENANCE = machine('maintenance', ['open', 'assigned', 'in_progress', 'on_hold', 'completed', 'verified', 'cancelled'], [
  ['open', 'assigned', TECH],
  ['assigned', 'in_progress', TECH],
  ['in_progress', 'on_hold', TECH],
  ['on_hold', 'in_progress', TECH],
  ['in_progress', 'completed', TECH],
  ['completed', 'verified', S],
  [['open', 'assigned'], 'cancelled', S],
]);

export type TransitionCheck =
  | { ok: true; noop: boolean }
  | { ok: false; code: 'illegal_transition' | 'forbidden'; message: string };

/**
 * The transition rule of SYNC-PROTOCOL.md: the edge must exist and allow the role; the row must
 * be in `from` (already in `to` → applied with nothing to write).
 */
export function checkTransition(m: StateMachine, current: string, from: string, to: string, role: Role): TransitionCheck {
  const edge = m.edges.find((e) => e.from === from && e.to === to);
  if (!edge) return { ok: false, code: 'illegal_transition', message: `A ${m.name} cannot move from ${label(from)} to ${label(to)}.` };
  if (!edge.roles.includes(role)) {
    return { ok: false, code: 'forbidden', message: `A ${role} may not move a ${m.name} from ${label(from)} to ${label(to)}.` };
  }
  if (current === to) return { ok: true, noop: true };
  if (current !== from) {
    return { ok: false, code: 'illegal_transition', message: `The ${m.name} is ${label(current)} now, not ${label(from)}.` };
  }
  return { ok: true, noop: false };
}

/** The moves a role may make from a state: what the UI offers as buttons. */
export function allowedMoves<S extends string>(m: StateMachine<S>, current: string, role: Role): S[] {
  return m.edges.filter((e) => e.from === current && e.roles.includes(role)).map((e) => e.to);
}

export function label(state: string): string {
  return state.replace(/_/g, ' ');
}

/** A hold request from the floor: a planner grants it (the order goes on hold) or declines it with a note. */
export const HOLD_REQUEST = machine('hold request', ['open', 'granted', 'declined'], [
  ['open', 'granted', M],
  ['open', 'declined', M],
]);

// quality (CAPA)
/**
 * A corrective action: the owner (or a lead) marks it done; someone other than the owner verifies it
 * or sends it back open with a note (both checked by the mutator).
 */
export const CORRECTIVE_ACTION = machine('corrective action', ['open', 'done', 'verified'], [
  ['open', 'done', ALL],
  ['done', 'verified', S],
  ['done', 'open', S],
]);
export type CorrectiveActionStatus = StateOf<typeof CORRECTIVE_ACTION>;

// quality (returns): who may move one (admins, managers, Quality) is checked by the mutator.
export const CUSTOMER_RETURN = machine('customer return', ['received', 'investigating', 'resolved', 'closed'], [
  ['received', 'investigating', FLOOR],
  ['investigating', 'resolved', FLOOR],
  ['resolved', 'closed', FLOOR],
]);
export type CustomerReturnStatus = StateOf<typeof CUSTOMER_RETURN>;
// ── SOP compliance (issue 12) ──
// Who of these roles may answer or close a ticket, approve or return an NCR is narrowed further by
// department and head (sync/sop.ts); `ncr_required → ncr_submitted` is the NCR's approval's move, no one's by hand.
export const SOP_TICKET = machine('SOP ticket', ['open', 'acknowledged', 'ncr_required', 'ncr_submitted', 'closed', 'rejected'], [
  ['open', 'acknowledged', S],
  ['acknowledged', 'ncr_required', S],
  ['ncr_submitted', 'closed', S],
  [['open', 'acknowledged'], 'rejected', S],
]);

export const NCR = machine('NCR', ['draft', 'submitted', 'approved', 'returned'], [
  // Whoever may edit the NCR (its department's leads, its owner: sync/sop.ts mayEditNcr).
  ['draft', 'submitted', ['admin', 'manager', 'supervisor', 'operator', 'technician']],
  ['returned', 'submitted', ['admin', 'manager', 'supervisor', 'operator', 'technician']],
  ['submitted', 'approved', S],
  ['submitted', 'returned', S],
]);

export const NOTIFICATION = machine('notification', ['unread', 'read'], [
  ['unread', 'read', ['admin', 'manager', 'supervisor', 'operator', 'technician']],
]);

export type SopTicketStatus = StateOf<typeof SOP_TICKET>;
export type NcrStatus = StateOf<typeof NCR>;

export type OrderStatus = StateOf<typeof ORDER>;
export type HoldRequestStatus = StateOf<typeof HOLD_REQUEST>;
export type StageStatus = StateOf<typeof STAGE>;
export type RejectStatus = StateOf<typeof REJECT>;
export type MaintenanceStatus = StateOf<typeof MAINTENANCE>;

/** The state machine of each table whose rows move through states (a transition mutation names its table). */
export const STATE_MACHINE_OF: Partial<Record<TableName, StateMachine>> = { orders: ORDER, stages: STAGE, rejects: REJECT, maintenanceTickets: MAINTENANCE,
  // quality (CAPA)
  correctiveActions: CORRECTIVE_ACTION,
  // quality (returns)
  customerReturns: CUSTOMER_RETURN,
  // SOP compliance (issue 12)
  sopTickets: SOP_TICKET, ncrReports: NCR, notifications: NOTIFICATION,
};

// maintenance (issue 13): a preventive plan runs or is paused (a machine out of use, a season).
export const PLAN = machine('preventive plan', ['active', 'paused'], [
  ['active', 'paused', S],
  ['paused', 'active', S],
]);
export type PlanStatus = StateOf<typeof PLAN>;
STATE_MACHINE_OF.preventivePlans = PLAN;
