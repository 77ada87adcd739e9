// Preventive plans (issue 13 §3, DOMAIN.md §4): a task on a machine every N days (or N run hours),
// with a checklist; the server's job opens each due ticket once (`plan.due`), and completing it moves
// the plan's next due date.
import * as v from 'valibot';
import { PLAN } from './state-machines';
import { mergeFields } from './merge';
import { IsoTime, Uuid } from './protocol';
import { derivedId } from './ids';
import { Rejection, type MutationContext, type MutationStore } from './store';
import { mayEditPlans } from './permissions';
import { dueTimes } from './sla';
import type { ChecklistItem, PreventivePlan } from './tables';
import { LEADS, MANAGERS } from './roles';
import { define, editArgs, mustBeActive, mustGet, RequiredText, transition, transitionArgs } from './mutation-kit';
import { maintenanceEvent, NEW_TICKET_EXTRAS, nextDue, slaTargets } from './maintenance';

// ── preventive plans (issue 13) ─────────────────────────────────────────────

const Interval = v.nullable(v.pipe(v.number('must be a number'), v.integer('must be a whole number'), v.minValue(1, 'must be at least 1'), v.maxValue(100_000, 'is at most 100,000')));
const Checklist = v.pipe(
  v.array(v.strictObject({ text: RequiredText(300), required: v.optional(v.boolean('must be true or false'), true) }, 'has a field that is not allowed'), 'must be a list'),
  v.maxLength(100, 'has at most 100 items'),
);
const Priority = v.pipe(v.number('must be a number'), v.integer('must be a whole number'), v.minValue(1, 'is at least 1'), v.maxValue(4, 'is at most 4'));

export const PLAN_EDIT_FIELDS = {
  task: RequiredText(300),
  intervalDays: Interval,
  intervalHours: Interval,
  checklist: Checklist,
  priority: Priority,
  nextDueAt: IsoTime,
};

const PlanCreateArgs = v.strictObject({
  id: Uuid,
  machineId: Uuid,
  task: RequiredText(300),
  intervalDays: v.optional(Interval, null),
  intervalHours: v.optional(Interval, null),
  checklist: v.optional(Checklist, []),
  priority: v.optional(Priority, 3),
  /** The first due time; an interval from now when not given. */
  nextDueAt: v.optional(IsoTime),
}, 'has a field that is not allowed');

function checkInterval(p: { intervalDays: number | null; intervalHours: number | null }) {
  if ((p.intervalDays === null) === (p.intervalHours === null)) {
    throw new Rejection('validation_failed', 'A plan repeats every so many days or every so many run hours: give one of the two.', [{ field: 'intervalDays', message: 'give days or run hours, not both or neither' }]);
  }
}

async function mustEditPlans(store: MutationStore, ctx: MutationContext) {
  const dept = ctx.actor.departmentId ? await store.get('departments', ctx.actor.departmentId) : undefined;
  if (!mayEditPlans(ctx.actor, dept?.code ?? null)) throw new Rejection('forbidden', `Only the maintenance supervisor, a manager or an admin edits preventive plans.`);
}

export const planCreate = define({
  name: 'plan.create',
  kind: 'create',
  table: 'preventivePlans',
  roles: LEADS,
  args: PlanCreateArgs,
  async apply(store, args, ctx) {
    await mustEditPlans(store, ctx);
    checkInterval(args);
    const machine = await mustGet(store, 'machines', args.machineId);
    mustBeActive(machine, `Machine ${machine.code}`, 'machineId');
    const plan = {
      id: args.id, machineId: machine.id, departmentId: machine.departmentId, task: args.task, intervalDays: args.intervalDays,
      intervalHours: args.intervalHours, checklist: args.checklist.map((c) => ({ text: c.text, required: c.required })), priority: args.priority,
      nextDueAt: '', lastDoneAt: null, status: 'active' as const,
    };
    plan.nextDueAt = args.nextDueAt ? new Date(args.nextDueAt).toISOString() : nextDue(plan, ctx.now, machine.hoursPerDay);
    await store.insert('preventivePlans', plan);
    return { table: 'preventivePlans', id: args.id };
  },
});

export const planUpdate = define({
  name: 'plan.update',
  scope: { table: 'preventivePlans', arg: 'id' },
  kind: 'edit',
  table: 'preventivePlans',
  roles: LEADS,
  args: editArgs(PLAN_EDIT_FIELDS),
  async apply(store, args, ctx) {
    await mustEditPlans(store, ctx);
    const plan = await mustGet(store, 'preventivePlans', args.id);
    const { apply, conflicts } = mergeFields(plan, args.base, args.changes);
    if ('nextDueAt' in apply) apply.nextDueAt = new Date(apply.nextDueAt as string).toISOString();
    checkInterval({ ...plan, ...apply } as PreventivePlan);
    if (Object.keys(apply).length) await store.update('preventivePlans', plan.id, apply as Partial<PreventivePlan>);
    return { table: 'preventivePlans', id: plan.id, conflicts };
  },
});

export const planTransition = define({
  name: 'plan.transition',
  scope: { table: 'preventivePlans', arg: 'id' },
  kind: 'transition',
  table: 'preventivePlans',
  roles: LEADS,
  args: transitionArgs(PLAN, {}),
  async apply(store, args, ctx) {
    await mustEditPlans(store, ctx);
    const plan = await mustGet(store, 'preventivePlans', args.id);
    if (transition(PLAN, plan.status, args, ctx)) await store.update('preventivePlans', plan.id, { status: args.to });
    return { table: 'preventivePlans', id: plan.id };
  },
});

/** The id of the ticket a plan opens for a due time: the same in every server process, so a second pass finds it taken. */
export function planTicketId(planId: string, dueAt: string): string {
  return derivedId(`plan:${planId}`, Date.parse(dueAt));
}

/**
 * A plan's preventive ticket for its due time, opened by the server's job (or a planner, early):
 * at most one per plan and due time — the ticket's id comes from both, and a database unique key
 * on (plan, due time) stands behind it. The ticket carries the plan's checklist to tick.
 */
export const planDue = define({
  name: 'plan.due',
  kind: 'create',
  table: 'maintenanceTickets',
  roles: MANAGERS,
  args: v.strictObject({ id: Uuid, planId: Uuid, dueAt: IsoTime }, 'has a field that is not allowed'),
  async apply(store, args, ctx) {
    const plan = await mustGet(store, 'preventivePlans', args.planId);
    const dueAt = new Date(args.dueAt).toISOString();
    if (plan.status !== 'active') throw new Rejection('illegal_transition', `The plan "${plan.task}" is paused.`);
    if (plan.nextDueAt !== dueAt) throw new Rejection('illegal_transition', `The plan "${plan.task}" is next due ${plan.nextDueAt}, not ${dueAt}.`);
    const open = (await store.find('maintenanceTickets', 'planId', plan.id)).find((t) => t.planDueAt === dueAt);
    if (open) throw new Rejection('already_exists', `Ticket ${open.number ?? open.id} is already open for this plan and due date.`);
    const machine = await mustGet(store, 'machines', plan.machineId);
    // Raised now, due by the plan's date: the response clock runs from now, resolution ends at the due time or the SLA's, whichever is later.
    const raised = ctx.now;
    const sla = dueTimes(raised, plan.priority, await slaTargets(store));
    const ticket = {
      id: args.id, number: await store.nextNumber('MT'), machineId: machine.id, departmentId: machine.departmentId,
      type: 'preventive', priority: plan.priority, description: plan.task, reportedBy: ctx.actor.id, assigneeId: null,
      status: 'open' as const, responseDueAt: sla.responseDueAt, resolutionDueAt: sla.resolutionDueAt > dueAt ? sla.resolutionDueAt : dueAt,
      respondedAt: null, completedAt: null, verifiedAt: null, downtimeMinutes: 0, workDone: '', partsUsed: '',
      ...NEW_TICKET_EXTRAS, raisedAt: raised, planId: plan.id, planDueAt: dueAt,
      checklist: plan.checklist.map((c: ChecklistItem) => ({ text: c.text, required: c.required, done: false, by: null, at: null, note: null, reading: null })),
    };
    await store.insert('maintenanceTickets', ticket);
    await maintenanceEvent(store, ctx, ticket, 'created', { toStatus: 'open', note: `Preventive plan due ${dueAt.slice(0, 10)}: ${plan.task}` });
    return { table: 'maintenanceTickets', id: args.id };
  },
});

// issue 15: the Plans list's `?due=week` and the dashboard's "preventive maintenance due" share this rule.
/** The window of "due soon": 7 days ahead of now. */
export const DUE_SOON_DAYS = 7;
/** An active plan due within 7 days of `now` or overdue (paused plans open no tickets, so they are never due). */
export function isDueSoon(plan: { status: string; nextDueAt: string }, now: string): boolean {
  return plan.status === 'active' && Date.parse(plan.nextDueAt) <= Date.parse(now) + DUE_SOON_DAYS * 86_400_000;
}
