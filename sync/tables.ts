// The synced tables: their wire names, row shapes, JSON/boolean fields and who may see which rows.
import type { Actor, Role } from './roles';
import type { HoldRequestStatus, MaintenanceStatus, OrderStatus, RejectStatus, StageStatus } from './state-machines';

export const MASTER_TABLES = ['departments', 'users', 'machines', 'products', 'defectCodes', 'sops'] as const;
export const WORK_TABLES = [
  'orders', 'orderItems', 'stages', 'jobEvents', 'rejects', 'maintenanceTickets', 'maintenanceEvents',
  // New tables go last: a snapshot cursor counts tables by position.
  'holdRequests',
  // maintenance (issue 13): preventive plans
  'preventivePlans',
] as const;
/** Every table a device receives in pull, in snapshot order (parents before children). */
export const SYNCED_TABLES = [...MASTER_TABLES, ...WORK_TABLES] as const;
export type TableName = (typeof SYNCED_TABLES)[number];

export function isSyncedTable(name: string): name is TableName {
  return (SYNCED_TABLES as readonly string[]).includes(name);
}

/** Row metadata (SYNC-PROTOCOL.md "Row metadata"). */
export interface RowMeta {
  id: string;
  version: number;
  createdAt: string;
  updatedAt: string;
  updatedBy: string | null;
  deletedAt: string | null;
}
export type Row = RowMeta & Record<string, unknown>;

export interface Department extends RowMeta { code: string; name: string; hodUserId: string | null; active: boolean }
export interface UserRow extends RowMeta { username: string; displayName: string; role: Role; departmentId: string | null; active: boolean }
export interface Machine extends RowMeta {
  code: string; name: string; departmentId: string; status: string; hoursPerDay: number; idealCycleSeconds: number; active: boolean;
  /** The plant runs several stages on this machine at once (a multi-cavity press, a paint line). */
  allowParallel: boolean;
}
export interface RoutingStep { name: string; departmentId: string; plannedMinutes: number }
export interface Product extends RowMeta {
  sku: string; name: string; revision: string; unit: string; sellPrice: number; standardMinutes: number; routing: RoutingStep[]; active: boolean;
}
export interface DefectCode extends RowMeta { code: string; name: string; category: string; active: boolean }
export interface Sop extends RowMeta { code: string; title: string; departmentId: string; revision: string; active: boolean }
export interface Order extends RowMeta {
  number: string | null; customerName: string; externalRef: string | null; dueDate: string; priority: number;
  status: OrderStatus; holdReason: string | null; statusBeforeHold: OrderStatus | null; source: string; notes: string | null;
  departmentIds: string[]; completedAt: string | null;
}
export interface OrderItem extends RowMeta {
  orderId: string; productId: string; quantity: number; goodQty: number; rejectQty: number; departmentIds: string[];
}
export interface Stage extends RowMeta {
  orderId: string; orderItemId: string; sequence: number; name: string; departmentId: string; machineId: string | null;
  plannedMinutes: number; scheduledStart: string | null; scheduledEnd: string | null; assigneeId: string | null;
  status: StageStatus; statusBeforeBlock: StageStatus | null; goodQty: number; rejectQty: number; downtimeMinutes: number;
  startedAt: string | null; completedAt: string | null;
}
export interface JobEvent extends RowMeta {
  stageId: string; orderId: string; departmentId: string; kind: string; goodQty: number; rejectQty: number;
  downtimeReason: string | null; minutes: number; note: string | null; userId: string; at: string;
}
export interface Reject extends RowMeta {
  number: string | null; stageId: string | null; orderId: string | null; productId: string | null; machineId: string;
  departmentId: string; defectCodeId: string; quantity: number; description: string | null; reportedBy: string;
  status: RejectStatus; disposition: string | null; rootCause: string | null; correctiveAction: string | null;
  approvedBy: string | null; approvedAt: string | null; closedAt: string | null;
}
export interface MaintenanceTicket extends RowMeta {
  number: string | null; machineId: string; departmentId: string; type: string; priority: number; description: string;
  reportedBy: string; assigneeId: string | null; status: MaintenanceStatus; responseDueAt: string | null; resolutionDueAt: string | null;
  respondedAt: string | null; completedAt: string | null; verifiedAt: string | null; downtimeMinutes: number;
  workDone: string; partsUsed: string;
  // maintenance (issue 13): the device's time it was raised, the hold and its pauses, the plan and checklist.
  raisedAt: string | null;
  /** Why it is on hold now (sync/sla.ts HOLD_REASONS), null when not on hold. */
  holdReason: string | null;
  /** Closed pauses of the resolution clock, summed (the events hold each one). */
  pausedSeconds: number;
  /** Start of the pause running now (on hold waiting for parts or production), else null. */
  pausedSince: string | null;
  planId: string | null;
  /** The plan's due time this preventive ticket was opened for (once per plan and due time). */
  planDueAt: string | null;
  checklist: ChecklistTick[];
}
/** A checklist item on a ticket: the plan's item and who ticked it, when, with a note and a reading. */
export interface ChecklistItem { text: string; required: boolean }
export interface ChecklistTick extends ChecklistItem { done: boolean; by: string | null; at: string | null; note: string | null; reading: string | null }
/** A preventive plan: a task on a machine every `intervalDays` (or `intervalHours` of run time). */
export interface PreventivePlan extends RowMeta {
  machineId: string; departmentId: string; task: string; intervalDays: number | null; intervalHours: number | null;
  checklist: ChecklistItem[]; priority: number; nextDueAt: string; lastDoneAt: string | null; status: 'active' | 'paused';
}
export interface MaintenanceEvent extends RowMeta {
  ticketId: string; machineId: string; departmentId: string; kind: string; fromStatus: string | null; toStatus: string | null;
  note: string | null; userId: string; at: string;
  /** maintenance (issue 13): a hold's reason; a tick's item index and reading. */
  reason: string | null; item: number | null; reading: string | null;
}

/** A request from the floor to put an order on hold (bad material, a drawing that is wrong), answered by a planner. */
export interface HoldRequest extends RowMeta {
  orderId: string; stageId: string | null; departmentIds: string[]; reason: string; requestedBy: string;
  status: HoldRequestStatus; answeredBy: string | null; answeredAt: string | null; answerNote: string | null;
}

export interface RowTypes {
  departments: Department; users: UserRow; machines: Machine; products: Product; defectCodes: DefectCode; sops: Sop;
  orders: Order; orderItems: OrderItem; stages: Stage; jobEvents: JobEvent; rejects: Reject;
  maintenanceTickets: MaintenanceTicket; maintenanceEvents: MaintenanceEvent; holdRequests: HoldRequest;
  // maintenance (issue 13)
  preventivePlans: PreventivePlan;
}

/** Fields stored as JSON text in the database and sent as JSON values on the wire. */
export const JSON_FIELDS: Partial<Record<TableName, string[]>> = {
  products: ['routing'],
  orders: ['departmentIds'],
  orderItems: ['departmentIds'],
  holdRequests: ['departmentIds'],
  // maintenance (issue 13)
  maintenanceTickets: ['checklist'],
  preventivePlans: ['checklist'],
};
/** Fields stored as 0/1 and sent as booleans. */
export const BOOL_FIELDS = ['active', 'allowParallel'];
/** Columns never sent to a device. */
export const SECRET_FIELDS: Partial<Record<TableName, string[]>> = { users: ['passwordHash'] };

/**
 * Which rows of a table a user may see, as data so that the server turns it into SQL and a
 * device or test into a predicate: `all`, `none`, or any of the listed field matches.
 */
export type ScopeRule =
  | { kind: 'all' }
  | { kind: 'none' }
  | { kind: 'any'; eq: { field: string; value: string }[]; contains: { field: string; value: string }[] };

/** Fields that decide visibility; a write that changes one may evict the row from some devices. */
export const SCOPE_FIELDS = ['departmentId', 'departmentIds', 'reportedBy', 'assigneeId', 'userId'];

const OWN_FIELDS: Partial<Record<TableName, string[]>> = {
  stages: ['assigneeId'],
  jobEvents: ['userId'],
  rejects: ['reportedBy'],
  maintenanceTickets: ['reportedBy', 'assigneeId'],
  maintenanceEvents: ['userId'],
  holdRequests: ['requestedBy'],
};

export function scopeFor(user: Actor, table: TableName): ScopeRule {
  if ((MASTER_TABLES as readonly string[]).includes(table)) return { kind: 'all' };
  if (user.role === 'admin' || user.role === 'manager') return { kind: 'all' };
  if (user.role === 'technician') {
    // The maintenance department serves every department: technicians see every ticket and no production data.
    return table === 'maintenanceTickets' || table === 'maintenanceEvents' || table === 'preventivePlans' ? { kind: 'all' } : { kind: 'none' };
  }
  // supervisor and operator: their department, plus what they raised or are assigned to.
  const dept = user.departmentId ?? '';
  const eq = (OWN_FIELDS[table] ?? []).map((field) => ({ field, value: user.id }));
  if (table === 'orders' || table === 'orderItems' || table === 'holdRequests') {
    return { kind: 'any', eq, contains: [{ field: 'departmentIds', value: dept }] };
  }
  return { kind: 'any', eq: [{ field: 'departmentId', value: dept }, ...eq], contains: [] };
}

export function inScope(rule: ScopeRule, row: object): boolean {
  const r = row as Readonly<Record<string, unknown>>; // the scope fields are read by name
  if (rule.kind === 'all') return true;
  if (rule.kind === 'none') return false;
  return (
    rule.eq.some((c) => r[c.field] === c.value) ||
    rule.contains.some((c) => { const v = r[c.field]; return Array.isArray(v) && v.includes(c.value); })
  );
}

/** Whether the user may see a row of the table: the device's copy of the server's scope rule. */
export function canSee<T extends TableName>(user: Actor, table: T, row: RowTypes[T] | Record<string, unknown>): boolean {
  return inScope(scopeFor(user, table), row);
}
