// Who may act where: the department rules a screen asks before offering an action and the mutator
// checks again (a rule only on the device is a hole, a rule only on the server a surprise).
import { LEADS, type Actor, type Role } from './roles';
import type { Stage } from './tables';

/** Roles that work across every department (planners, the plant's management). */
const PLANT_WIDE: readonly Role[] = ['admin', 'manager'];

/**
 * Whether the actor works in a department: logs rejects on its machines, plans its stages.
 * Admins and managers work everywhere; supervisors and operators in their own department only.
 */
export function worksIn(actor: Actor, departmentId: string): boolean {
  if (PLANT_WIDE.includes(actor.role)) return true;
  if (actor.role === 'technician') return false;
  return actor.departmentId === departmentId;
}

/**
 * Whether the actor may raise a maintenance request on a machine of this department: anyone, on any
 * machine. A breakdown is reported by whoever sees it; the ticket belongs to the machine's department
 * and the reporter keeps seeing it (decision 0005).
 */
export function mayRaiseMaintenance(_actor: Actor, _departmentId: string): boolean {
  return true;
}

/**
 * Whether the actor may move a maintenance ticket to a machine of this department. Maintenance staff
 * and planners may move it anywhere; a supervisor only within their own department (moving it to
 * another department hands it to people who did not ask for it); an operator never.
 */
export function mayMoveTicketTo(actor: Actor, departmentId: string): boolean {
  if (actor.role === 'operator') return false;
  if (actor.role === 'supervisor') return actor.departmentId === departmentId;
  return true;
}

/**
 * Whether the actor may edit or schedule a stage: planners any, a supervisor their own department's;
 * a finished stage is history and stays as it was worked.
 */
export function mayPlanStage(actor: Actor, stage: Pick<Stage, 'departmentId' | 'status'>): boolean {
  return LEADS.includes(actor.role) && worksIn(actor, stage.departmentId) && stage.status !== 'done';
}

/** Whether the role may read the audit trail (the server's GET /api/audit and the screens that show it). */
export function mayViewAudit(role: Role): boolean {
  return PLANT_WIDE.includes(role);
}

/** Whether the role may import orders from a spreadsheet (the Import screen and /api/import). */
export function mayImport(role: Role): boolean {
  return PLANT_WIDE.includes(role);
}

/**
 * Whether the screens offer the role CSV downloads of their lists. Operators work on a phone at the
 * machine and get none; the export routes still answer them their own scope's rows (the same rows
 * their device holds), so this is what the screens offer, not a guard of data.
 */
export function offersListExports(role: Role): boolean {
  return role !== 'operator';
}

/** Whether the role may maintain master data (the Admin screens and /api/admin). */
export function mayAdminister(role: Role): boolean {
  return role === 'admin';
}

// finance (issue 14)
/** Whether the role may see costs and maintain suppliers and BOMs (the Finance screens and /api/finance, /api/reports/profitability). */
export function mayManageFinance(role: Role): boolean {
  return PLANT_WIDE.includes(role);
}

// ── maintenance (issue 13) ──────────────────────────────────────────────────

/** The department whose technicians serve every machine (the demo plant's code, decision 0020). */
export const MAINTENANCE_DEPARTMENT_CODE = 'MNT';

/**
 * Whether a ticket of this department may be assigned to the user: an active technician of the
 * maintenance department or of the machine's own department (an operator never).
 */
export function mayAssignTo(user: { role: Role; active: boolean; departmentId: string | null }, ticketDepartmentId: string, maintenanceDepartmentId: string | null): boolean {
  if (user.role !== 'technician' || !user.active) return false;
  return user.departmentId === ticketDepartmentId || (maintenanceDepartmentId !== null && user.departmentId === maintenanceDepartmentId);
}

/** Whether the actor edits preventive plans: admins, managers and the maintenance department's supervisor. */
export function mayEditPlans(actor: Actor, actorDepartmentCode: string | null): boolean {
  if (PLANT_WIDE.includes(actor.role)) return true;
  return actor.role === 'supervisor' && actorDepartmentCode === MAINTENANCE_DEPARTMENT_CODE;
}

/** Whether the role may read the maintenance report and edit the SLA targets (the report screen, /api/reports/maintenance). */
export function mayReadMaintenanceReport(role: Role): boolean {
  return role !== 'operator';
}
export function mayEditSla(role: Role): boolean {
  return role === 'admin';
}

// ── dashboard (issue 15 §2) ────────────────────────────────────────────────
/** Whether the role may read the plant dashboard (GET /api/dashboard): managers and admins the plant, supervisors their department. */
export function mayReadDashboard(role: Role): boolean {
  return LEADS.includes(role);
}
