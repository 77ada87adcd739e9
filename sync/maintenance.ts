// Maintenance: requests on machines, their SLA due times, assignment, work and history (DOMAIN.md §4).
import * as v from 'valibot';
import { MAINTENANCE } from './state-machines';
import { mergeFields } from './merge';
import { Uuid } from './protocol';
import { ALL_ROLES } from './roles';
import { Rejection, type MutationContext, type MutationStore } from './store';
import { fieldLabel } from './labels';
import { mayMoveTicketTo, mayRaiseMaintenance } from './permissions';
import { actionTime, define, editArgs, mustBeActive, mustGet, RequiredText, Text, transition } from './mutation-kit';

function addHours(iso: string, hours: number): string {
  return new Date(Date.parse(iso) + hours * 3_600_000).toISOString();
}

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

async function maintenanceEvent(store: MutationStore, ctx: MutationContext, ticket: { id: string; machineId: string; departmentId: string }, kind: string, fields: { fromStatus?: string; toStatus?: string; note?: string | null }) {
  // Derived from the mutation's id: the device's optimistic event and the server's are one row.
  await store.insert('maintenanceEvents', {
    id: ctx.newId(), ticketId: ticket.id, machineId: ticket.machineId, departmentId: ticket.departmentId, kind,
    fromStatus: fields.fromStatus ?? null, toStatus: fields.toStatus ?? null, note: fields.note ?? null,
    userId: ctx.actor.id, at: actionTime(ctx),
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
    const sla = (await store.config<typeof DEFAULT_SLA>('sla')) ?? DEFAULT_SLA;
    const target = sla[String(args.priority)] ?? DEFAULT_SLA[String(args.priority)];
    const raised = actionTime(ctx);
    const ticket = {
      id: args.id, number: await store.nextNumber('MT'), machineId: machine.id, departmentId: machine.departmentId,
      type: args.type, priority: args.priority, description: args.description, reportedBy: ctx.actor.id,
      assigneeId: null, status: 'open' as const, responseDueAt: addHours(raised, target.responseHours),
      resolutionDueAt: addHours(raised, target.resolutionHours), respondedAt: null, completedAt: null, verifiedAt: null,
      downtimeMinutes: 0, workDone: '', partsUsed: '',
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

const MaintenanceTransitionArgs = v.strictObject({
  id: Uuid,
  from: v.picklist(MAINTENANCE.states, 'is not one of the choices'),
  to: v.picklist(MAINTENANCE.states, 'is not one of the choices'),
  assigneeId: v.optional(Uuid),
  note: v.optional(Text(2000)),
}, 'has a field that is not allowed');

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
    const changes: Record<string, unknown> = { status: args.to };
    if (args.to === 'assigned') {
      const assigneeId = ctx.actor.role === 'technician' ? ctx.actor.id : args.assigneeId;
      if (!assigneeId) throw new Rejection('validation_failed', 'Assigning needs a technician.', [{ field: 'assigneeId', message: 'is required' }]);
      if (ctx.actor.role === 'technician' && args.assigneeId && args.assigneeId !== ctx.actor.id) {
        throw new Rejection('forbidden', 'A technician may only take a ticket for themselves.');
      }
      const assignee = await mustGet(store, 'users', assigneeId);
      if (assignee.role !== 'technician' || !assignee.active) throw new Rejection('validation_failed', `${assignee.displayName} is not an active technician.`, [{ field: 'assigneeId', message: 'must be an active technician' }]);
      changes.assigneeId = assigneeId;
    }
    if (args.to === 'in_progress' && !ticket.respondedAt) changes.respondedAt = when < ticket.createdAt ? ticket.createdAt : when;
    if (args.to === 'completed') changes.completedAt = when < ticket.createdAt ? ticket.createdAt : when;
    if (args.to === 'verified') changes.verifiedAt = when;
    await store.update('maintenanceTickets', ticket.id, changes);
    await maintenanceEvent(store, ctx, ticket, 'transition', { fromStatus: ticket.status, toStatus: args.to, note: args.note ?? null });
    return { table: 'maintenanceTickets', id: ticket.id };
  },
});

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
      fromStatus: null, toStatus: null, note: args.note, userId: ctx.actor.id, at: actionTime(ctx),
    });
    return { table: 'maintenanceEvents', id: args.id };
  },
});
