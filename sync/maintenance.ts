// Maintenance: requests on machines, their SLA due times, assignment, work and history (DOMAIN.md §4).
import * as v from 'valibot';
import { MAINTENANCE } from './state-machines';
import { mergeFields } from './merge';
import { Uuid } from './protocol';
import { ALL_ROLES } from './roles';
import { Rejection, type MutationContext, type MutationStore } from './store';
import { fieldLabel } from './labels';
import { mayAssignTo, mayMoveTicketTo, mayRaiseMaintenance, MAINTENANCE_DEPARTMENT_CODE } from './permissions';
import { dueTimes, HOLD_REASONS, HOLD_REASON_LABELS, pausesClock, type SlaTargets } from './sla';
import type { ChecklistTick, MaintenanceTicket, Machine, PreventivePlan } from './tables';
import { actionTime, define, editArgs, mustBeActive, mustGet, RequiredText, Text, transition, transitionArgs } from './mutation-kit';

/** The SLA targets in force: config `sla` where it names a priority, the defaults elsewhere. */
export async function slaTargets(store: MutationStore): Promise<SlaTargets> {
  return { ...DEFAULT_SLA, ...((await store.config<SlaTargets>('sla')) ?? {}) };
}

export const NEW_TICKET_EXTRAS = { holdReason: null, pausedSeconds: 0, pausedSince: null, planId: null, planDueAt: null, checklist: [] as ChecklistTick[] };

/** SLA targets in hours per priority (1 urgent … 4 low); config key `sla` overrides. */
export const DEFAULT_SLA: Record<string, { responseHours: number; resolutionHours: number }> = {
  '1': { responseHours: 1, resolutionHours: 8 },
  '2': { responseHours: 4, resolutionHours: 24 },
  '3': { responseHours: 8, resolutionHours: 72 },
  '4': { responseHours: 24, resolutionHours: 168 },
};


// ── maintenance ────────────────────────────────────────────────────────────

const MaintenanceCreateArgs = v.strictObject({
  id: Uuid,
  machineId: Uuid,
  type: v.picklist(['corrective', 'preventive'], 'is not one of the choices'),
  priority: v.pipe(v.number('must be a number'), v.integer('must be a whole number'), v.minValue(1, 'is at least 1'), v.maxValue(4, 'is at most 4')),
  description: RequiredText(2000),
}, 'has a field that is not allowed');

export async function maintenanceEvent(store: MutationStore, ctx: MutationContext, ticket: { id: string; machineId: string; departmentId: string }, kind: string, fields: { fromStatus?: string; toStatus?: string; note?: string | null; reason?: string | null }) {
  // Derived from the mutation's id: the device's optimistic event and the server's are one row.
  await store.insert('maintenanceEvents', {
    id: ctx.newId(), ticketId: ticket.id, machineId: ticket.machineId, departmentId: ticket.departmentId, kind,
    fromStatus: fields.fromStatus ?? null, toStatus: fields.toStatus ?? null, note: fields.note ?? null,
    userId: ctx.actor.id, at: actionTime(ctx), reason: fields.reason ?? null, item: null, reading: null,
  });
}

export const maintenanceCreate = define({
  name: 'maintenance.create',
  kind: 'create',
  table: 'maintenanceTickets',
  roles: ALL_ROLES,
  args: MaintenanceCreateArgs,
  async apply(store, args, ctx) {
    const machine = await mustGet(store, 'machines', args.machineId);
    mustBeActive(machine, `Machine ${machine.code}`, 'machineId');
    if (!mayRaiseMaintenance(ctx.actor, machine.departmentId)) throw new Rejection('forbidden', `A ${ctx.actor.role} may not raise a request on ${machine.code}.`);
    const raised = actionTime(ctx);
    const ticket = {
      id: args.id, number: await store.nextNumber('MT'), machineId: machine.id, departmentId: machine.departmentId,
      type: args.type, priority: args.priority, description: args.description, reportedBy: ctx.actor.id,
      assigneeId: null, status: 'open' as const, ...dueTimes(raised, args.priority, await slaTargets(store)),
      respondedAt: null, completedAt: null, verifiedAt: null, downtimeMinutes: 0, workDone: '', partsUsed: '',
      ...NEW_TICKET_EXTRAS, raisedAt: raised,
    };
    await store.insert('maintenanceTickets', ticket);
    await maintenanceEvent(store, ctx, ticket, 'created', { toStatus: 'open', note: args.description });
    return { table: 'maintenanceTickets', id: args.id };
  },
});

export const MAINTENANCE_EDIT_FIELDS = {
  description: RequiredText(2000),
  priority: v.pipe(v.number('must be a number'), v.integer('must be a whole number'), v.minValue(1, 'is at least 1'), v.maxValue(4, 'is at most 4')),
  workDone: Text(2000),
  partsUsed: Text(2000),
  downtimeMinutes: v.pipe(v.number('must be a number'), v.integer('must be a whole number'), v.minValue(0, 'cannot be negative'), v.maxValue(525_600, 'is at most 525,600 minutes (a year)')),
  machineId: Uuid,
};
const MaintenanceUpdateArgs = editArgs(MAINTENANCE_EDIT_FIELDS);

export const maintenanceUpdate = define({
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
    const { apply, conflicts } = mergeFields(ticket, args.base, args.changes);
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
      await maintenanceEvent(store, ctx, moved, 'update', { note: `Changed: ${Object.keys(apply).filter((k) => k !== 'departmentId').map(fieldLabel).join(', ').toLowerCase()}` });
    }
    return { table: 'maintenanceTickets', id: ticket.id, conflicts };
  },
});

const MaintenanceTransitionArgs = transitionArgs(MAINTENANCE, {
  assigneeId: v.optional(Uuid),
  note: v.optional(Text(2000)),
  /** Required to put a ticket on hold: waiting for parts or production pause the resolution clock. */
  reason: v.optional(v.picklist(HOLD_REASONS, 'is not one of the choices')),
});

export const maintenanceTransition = define({
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
    // A device clock behind the ticket's raise (or its last move) cannot put an action before it.
    const floor = ticket.raisedAt ?? ticket.createdAt;
    const at = when < floor ? floor : when;
    const changes: Partial<MaintenanceTicket> = { status: args.to };
    if (args.to === 'assigned') {
      const assigneeId = ctx.actor.role === 'technician' ? ctx.actor.id : args.assigneeId;
      if (!assigneeId) throw new Rejection('validation_failed', 'Assigning needs a technician.', [{ field: 'assigneeId', message: 'is required' }]);
      if (ctx.actor.role === 'technician' && args.assigneeId && args.assigneeId !== ctx.actor.id) {
        throw new Rejection('forbidden', 'A technician may only take a ticket for themselves.');
      }
      const assignee = await mustGet(store, 'users', assigneeId);
      if (assignee.role !== 'technician' || !assignee.active) throw new Rejection('validation_failed', `${assignee.displayName} is not an active technician: only technicians take maintenance tickets.`, [{ field: 'assigneeId', message: 'must be an active technician' }]);
      const maintenance = await maintenanceDepartmentId(store);
      if (!mayAssignTo(assignee, ticket.departmentId, maintenance)) {
        throw new Rejection('validation_failed', `${assignee.displayName} is a technician of another department: assign a technician of maintenance or of the machine's department.`, [{ field: 'assigneeId', message: "must be of maintenance or the machine's department" }]);
      }
      changes.assigneeId = assigneeId;
    }
    if (args.to === 'on_hold') {
      if (!args.reason) throw new Rejection('validation_failed', 'Putting a ticket on hold needs a reason.', [{ field: 'reason', message: 'is required' }]);
      changes.holdReason = args.reason;
      changes.pausedSince = pausesClock(args.reason) ? at : null;
    }
    if (ticket.status === 'on_hold') {
      // Leaving the hold closes its pause: the seconds join the sum the events prove.
      if (ticket.pausedSince) changes.pausedSeconds = (ticket.pausedSeconds ?? 0) + Math.max(0, Math.round((Date.parse(at) - Date.parse(ticket.pausedSince)) / 1000));
      changes.pausedSince = null;
      changes.holdReason = null;
    }
    if (args.to === 'in_progress' && !ticket.respondedAt) changes.respondedAt = at;
    if (args.to === 'completed') {
      const missing = (ticket.checklist ?? []).filter((c) => c.required && !c.done);
      if (missing.length) {
        throw new Rejection('validation_failed', `Tick every required checklist item first: ${missing.map((c) => c.text).join('; ')}.`, [{ field: 'checklist', message: `${missing.length} required item(s) not ticked` }]);
      }
      changes.completedAt = at;
      // The machine was down from the first start of work to now, unless the technician wrote it down.
      if (!ticket.downtimeMinutes && ticket.type === 'corrective') {
        const start = ticket.respondedAt ?? changes.respondedAt ?? at;
        changes.downtimeMinutes = Math.max(0, Math.round((Date.parse(at) - Date.parse(start)) / 60_000));
      }
    }
    if (args.to === 'verified') changes.verifiedAt = when;
    await store.update('maintenanceTickets', ticket.id, changes);
    const label = args.to === 'on_hold' && args.reason ? HOLD_REASON_LABELS[args.reason] : null;
    await maintenanceEvent(store, ctx, ticket, 'transition', { fromStatus: ticket.status, toStatus: args.to, note: args.note ?? label, reason: args.reason ?? null });
    if (args.to === 'completed' && ticket.planId) await planDone(store, ticket.planId, at);
    await followWork(store, ticket.machineId);
    return { table: 'maintenanceTickets', id: ticket.id };
  },
});

/** The maintenance department's id (code MNT), or null in a plant without one. */
async function maintenanceDepartmentId(store: MutationStore): Promise<string | null> {
  return (await store.find('departments', 'code', MAINTENANCE_DEPARTMENT_CODE))[0]?.id ?? null;
}

/** Tickets whose work has started and not finished: they hold their machine. */
const WORKING = ['in_progress', 'on_hold'];

/**
 * The machine's status from the work on it: down while a corrective ticket is worked (or held),
 * in maintenance while only preventive work is, and back to running (a stage runs on it) or idle
 * when the last one is done. Run by the ticket mutators, so a device shows it offline at once.
 */
export function machineStatusFor(tickets: readonly Pick<MaintenanceTicket, 'type' | 'status'>[], stageRunning: boolean): Machine['status'] {
  const working = tickets.filter((t) => WORKING.includes(t.status));
  if (working.some((t) => t.type === 'corrective')) return 'down';
  if (working.length) return 'maintenance';
  return stageRunning ? 'running' : 'idle';
}

async function followWork(store: MutationStore, machineId: string) {
  const machine = await store.get('machines', machineId);
  if (!machine) return;
  const tickets = await store.find('maintenanceTickets', 'machineId', machineId);
  const stageRunning = (await store.find('stages', 'machineId', machineId)).some((s) => s.status === 'running');
  const status = machineStatusFor(tickets, stageRunning);
  if (machine.status !== status) await store.update('machines', machineId, { status });
}

/** Completing a plan's ticket: the next one is due an interval after the completion. */
async function planDone(store: MutationStore, planId: string, completedAt: string) {
  const plan = await store.get('preventivePlans', planId);
  if (!plan || plan.deletedAt) return;
  const machine = await store.get('machines', plan.machineId);
  await store.update('preventivePlans', plan.id, { lastDoneAt: completedAt, nextDueAt: nextDue(plan, completedAt, machine?.hoursPerDay ?? 8) });
}

/**
 * The next due time of a plan done at `from`: its interval in days, or its interval of run hours
 * spread over the machine's hours per day (decision 0024: no meter readings yet).
 */
export function nextDue(plan: Pick<PreventivePlan, 'intervalDays' | 'intervalHours'>, from: string, hoursPerDay: number): string {
  const days = plan.intervalDays ?? Math.max(1, Math.ceil((plan.intervalHours ?? 24) / Math.max(1, hoursPerDay)));
  return new Date(Date.parse(from) + days * 86_400_000).toISOString();
}

const MaintenanceCommentArgs = v.strictObject({ id: Uuid, ticketId: Uuid, note: RequiredText(2000) }, 'has a field that is not allowed');

export const maintenanceComment = define({
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
      fromStatus: null, toStatus: null, note: args.note, userId: ctx.actor.id, at: actionTime(ctx), reason: null, item: null, reading: null,
    });
    return { table: 'maintenanceEvents', id: args.id };
  },
});

// ── checklist ticks (issue 13) ───────────────────────────────────────────────

const MaintenanceTickArgs = v.strictObject({
  id: Uuid,
  ticketId: Uuid,
  /** The item's position in the ticket's checklist (0-based). */
  item: v.pipe(v.number('must be a number'), v.integer('must be a whole number'), v.minValue(0, 'must be 0 or more'), v.maxValue(199, 'is at most 199')),
  /** False unticks (ticked by mistake). */
  done: v.optional(v.boolean('must be true or false'), true),
  note: v.optional(Text(500)),
  reading: v.optional(Text(100)),
}, 'has a field that is not allowed');

/**
 * One checklist item ticked (or unticked): an event, and the item on the ticket set from it. Each tick
 * changes only its own item of the ticket as it is when applied, so two technicians ticking different
 * items offline both count, whatever order their devices sync in.
 */
export const maintenanceTick = define({
  name: 'maintenance.tick',
  scope: { table: 'maintenanceTickets', arg: 'ticketId' },
  kind: 'event',
  table: 'maintenanceEvents',
  roles: ['admin', 'manager', 'supervisor', 'technician'],
  args: MaintenanceTickArgs,
  async apply(store, args, ctx) {
    const ticket = await mustGet(store, 'maintenanceTickets', args.ticketId);
    const list = ticket.checklist ?? [];
    if (args.item >= list.length) throw new Rejection('validation_failed', `This ticket's checklist has ${list.length} item(s).`, [{ field: 'item', message: 'is not an item of the checklist' }]);
    if (['completed', 'verified', 'cancelled'].includes(ticket.status)) {
      throw new Rejection('illegal_transition', `The ticket is ${ticket.status}: its checklist can no longer change.`);
    }
    const at = actionTime(ctx);
    const next = list.map((c, i) => (i === args.item
      ? { ...c, done: args.done, by: args.done ? ctx.actor.id : null, at: args.done ? at : null, note: args.note || null, reading: args.reading || null }
      : c));
    await store.update('maintenanceTickets', ticket.id, { checklist: next });
    await store.insert('maintenanceEvents', {
      id: args.id, ticketId: ticket.id, machineId: ticket.machineId, departmentId: ticket.departmentId, kind: args.done ? 'tick' : 'untick',
      fromStatus: null, toStatus: null, note: args.note || list[args.item].text, userId: ctx.actor.id, at, reason: null, item: args.item, reading: args.reading || null,
    });
    return { table: 'maintenanceEvents', id: args.id };
  },
});
