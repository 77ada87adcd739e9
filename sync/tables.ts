// The synced tables: their wire names, row shapes, JSON/boolean fields and who may see which rows.
import type { Actor, Role } from './roles';
import type { CorrectiveActionStatus, CustomerReturnStatus, HoldRequestStatus, MaintenanceStatus, NcrStatus, OrderStatus, RejectStatus, SopTicketStatus, StageStatus } from './state-machines';

export const MASTER_TABLES = ['departments', 'users', 'machines', 'products', 'defectCodes', 'sops'] as const;
export const WORK_TABLES = [
  'orders', 'orderItems', 'stages', 'jobEvents', 'rejects', 'maintenanceTickets', 'maintenanceEvents',
  // New tables go last: a snapshot cursor counts tables by position.
  'holdRequests',
  // quality (CAPA)
  'correctiveActions',
  // quality (returns)
  'customerReturns',
  // Quality photos (issue 11 §4): the metadata of photos on rejects and returns.
  'attachments',
  // SOP compliance (issue 12)
  'sopTickets', 'ncrReports', 'notifications',
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
  /** quality: why the review disputed it (migration 2026-12-02T0002; absent on rows written before). */
  reviewNote?: string | null;
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

// quality (CAPA)
/** A corrective action on a reject, a customer return or (later) an NCR: one owner, verified by someone else. */
export interface CorrectiveAction extends RowMeta {
  number: string | null; sourceType: 'reject' | 'return' | 'ncr'; sourceId: string;
  /** The departments whose people see the source (scope), kept in step with it. */
  departmentIds: string[];
  description: string; ownerId: string; dueDate: string; status: CorrectiveActionStatus;
  doneNote: string | null; doneAt: string | null;
  /** Why the last verification failed (done → open). */
  reopenNote: string | null;
  verifiedBy: string | null; verifiedAt: string | null;
}

// quality (returns)
/** Goods a customer sent back: investigated by Quality, made the responsible department's, credited. */
export interface CustomerReturn extends RowMeta {
  number: string | null; customerName: string; orderId: string | null; productId: string; quantity: number; reason: string;
  /** The day the goods came back (YYYY-MM-DD). */
  receivedAt: string;
  status: CustomerReturnStatus; rootCause: string | null; correctiveAction: string | null; creditValue: number | null;
  /** The department responsible, set during investigation. */
  departmentId: string | null;
  /** Quality's department and the responsible one: who sees the return (scope), kept by the mutators. */
  departmentIds: string[];
  reportedBy: string; resolvedAt: string | null; closedAt: string | null;
}

// quality photos
/** A photo's metadata (the image is fetched online: GET /api/attachments/:id). `departmentIds` are its record's, for scope. */
export interface Attachment extends RowMeta {
  entity: string; entityId: string; departmentIds: string[]; contentType: string; bytes: number; width: number; height: number; createdBy: string;
}

// ── SOP compliance (issue 12) ──────────────────────────────────────────────

/** One line of a ticket's or an NCR's timeline, kept on the row so a device shows it offline. */
export interface HistoryEntry { at: string; userId: string; kind: string; from?: string | null; to?: string | null; note?: string | null }

export type SopSeverity = 'low' | 'medium' | 'high' | 'critical';

/** A department raising a breach of a standard operating procedure against another department. */
export interface SopTicket extends RowMeta {
  number: string | null; sopId: string; raisedBy: string; raisedByDepartmentId: string; againstDepartmentId: string;
  severity: SopSeverity; description: string; machineId: string | null; orderId: string | null; status: SopTicketStatus;
  /** 0 the department, 1 its head (or the managers when it has none), 2 the managers. */
  escalationLevel: number; dueAt: string; escalatedAt: string | null;
  /** The head the ticket climbed to (level 1); they see it whatever their department. */
  escalatedToId: string | null;
  /** The first answer (acknowledged or rejected as no breach): what the on-time response % counts. */
  respondedAt: string | null; closedAt: string | null; history: HistoryEntry[];
}

/** A non-conformance report: what went wrong, why, and what stops it happening again. */
export interface NcrReport extends RowMeta {
  number: string | null; sourceType: 'sop' | 'reject' | 'return'; sourceId: string; what: string;
  departmentId: string;
  /** The department concerned and, for an SOP ticket, the one that raised it: both see the NCR. */
  departmentIds: string[];
  machineId: string | null; orderId: string | null; quantityAffected: number; containment: string; rootCause: string;
  correctiveAction: string; preventiveAction: string; ownerId: string | null; dueDate: string | null; status: NcrStatus;
  submittedBy: string | null; submittedAt: string | null; approvedBy: string | null; approvedAt: string | null;
  returnNote: string | null; createdBy: string; history: HistoryEntry[];
}

/** An in-app notification for one user (each user pulls only their own). */
export interface NotificationRow extends RowMeta {
  userId: string; kind: string; title: string; body: string | null; entity: string; entityId: string;
  status: 'unread' | 'read'; at: string; readAt: string | null;
}

export interface RowTypes {
  departments: Department; users: UserRow; machines: Machine; products: Product; defectCodes: DefectCode; sops: Sop;
  orders: Order; orderItems: OrderItem; stages: Stage; jobEvents: JobEvent; rejects: Reject;
  maintenanceTickets: MaintenanceTicket; maintenanceEvents: MaintenanceEvent; holdRequests: HoldRequest;
  // quality (CAPA)
  correctiveActions: CorrectiveAction;
  // quality (returns)
  customerReturns: CustomerReturn;
  // quality photos
  attachments: Attachment;
  // SOP compliance (issue 12)
  sopTickets: SopTicket; ncrReports: NcrReport; notifications: NotificationRow;
  // maintenance (issue 13)
  preventivePlans: PreventivePlan;
}

/** Fields stored as JSON text in the database and sent as JSON values on the wire. */
export const JSON_FIELDS: Partial<Record<TableName, string[]>> = {
  products: ['routing'],
  orders: ['departmentIds'],
  orderItems: ['departmentIds'],
  holdRequests: ['departmentIds'],
  // quality (CAPA)
  correctiveActions: ['departmentIds'],
  // quality (returns)
  customerReturns: ['departmentIds'],
  // quality photos
  attachments: ['departmentIds'],
  // SOP compliance (issue 12)
  sopTickets: ['history'],
  ncrReports: ['departmentIds', 'history'],
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
export const SCOPE_FIELDS = ['departmentId', 'departmentIds', 'reportedBy', 'assigneeId', 'userId', /* quality (CAPA) */ 'ownerId',
  /* SOP compliance (issue 12) */ 'escalatedToId'];

const OWN_FIELDS: Partial<Record<TableName, string[]>> = {
  stages: ['assigneeId'],
  jobEvents: ['userId'],
  rejects: ['reportedBy'],
  maintenanceTickets: ['reportedBy', 'assigneeId'],
  maintenanceEvents: ['userId'],
  holdRequests: ['requestedBy'],
  // quality (CAPA): the owner receives their actions wherever the source lives.
  correctiveActions: ['ownerId'],
  // quality (returns)
  customerReturns: ['reportedBy'],
  // quality photos: the record's departments (kept in step with it), plus the photos one took
  attachments: ['createdBy'],
  // SOP compliance (issue 12)
  ncrReports: ['ownerId', 'createdBy'],
};

export function scopeFor(user: Actor, table: TableName): ScopeRule {
  if ((MASTER_TABLES as readonly string[]).includes(table)) return { kind: 'all' };
  // SOP compliance (issue 12): a notification is its user's alone, whatever the role.
  if (table === 'notifications') return { kind: 'any', eq: [{ field: 'userId', value: user.id }], contains: [] };
  if (table === 'sopTickets' && user.role !== 'admin' && user.role !== 'manager') {
    // Both departments (raised by and against), whoever raised it, and the head it climbed to.
    const dept = user.departmentId ?? '';
    return { kind: 'any', eq: [
      { field: 'raisedByDepartmentId', value: dept }, { field: 'againstDepartmentId', value: dept },
      { field: 'raisedBy', value: user.id }, { field: 'escalatedToId', value: user.id },
    ], contains: [] };
  }
  if (table === 'ncrReports' && user.role !== 'admin' && user.role !== 'manager') {
    const eq = (OWN_FIELDS[table] ?? []).map((field) => ({ field, value: user.id }));
    return { kind: 'any', eq, contains: [{ field: 'departmentIds', value: user.departmentId ?? '' }] };
  }
  if (user.role === 'admin' || user.role === 'manager') return { kind: 'all' };
  // quality (CAPA): the owner of an action receives it, whatever their role or department.
  if (user.role === 'technician' && table === 'correctiveActions') return { kind: 'any', eq: [{ field: 'ownerId', value: user.id }], contains: [] };
  if (user.role === 'technician') {
    // The maintenance department serves every department: technicians see every ticket and no production data.
    return table === 'maintenanceTickets' || table === 'maintenanceEvents' || table === 'preventivePlans' ? { kind: 'all' } : { kind: 'none' };
  }
  // supervisor and operator: their department, plus what they raised or are assigned to.
  const dept = user.departmentId ?? '';
  const eq = (OWN_FIELDS[table] ?? []).map((field) => ({ field, value: user.id }));
  if (table === 'orders' || table === 'orderItems' || table === 'holdRequests' || /* quality */ table === 'correctiveActions' || table === 'customerReturns' || /* quality photos */ table === 'attachments') {
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
