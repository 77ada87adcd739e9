// All SQL of the maintenance module: due plans for the preventive job, the report's tickets and
// machines, the SLA targets in config.
import type { Db } from '../db/db';
import { fromDb } from '../sync/codec';
import type { KpiMachine, KpiTicket } from '../../sync/maintenance-kpi';

/** Active plans due by `until` that have no ticket for their current due time yet. */
export async function duePlansWithoutTicket(db: Db, until: string): Promise<{ id: string; nextDueAt: string }[]> {
  return db.selectFrom('preventivePlans as p')
    .select(['p.id', 'p.nextDueAt'])
    .where('p.status', '=', 'active')
    .where('p.deletedAt', 'is', null)
    .where('p.nextDueAt', '<=', until)
    .where(({ not, exists, selectFrom }) => not(exists(
      selectFrom('maintenanceTickets as t').select('t.id').whereRef('t.planId', '=', 'p.id').whereRef('t.planDueAt', '=', 'p.nextDueAt'),
    )))
    .orderBy('p.nextDueAt')
    .execute();
}

export interface ReportFilter { departmentId?: string; machineId?: string }

/** Machines of the filter (active or not: history stays). */
export async function reportMachines(db: Db, f: ReportFilter): Promise<KpiMachine[]> {
  let q = db.selectFrom('machines').select(['id', 'code', 'name', 'departmentId', 'hoursPerDay']).where('deletedAt', 'is', null);
  if (f.departmentId) q = q.where('departmentId', '=', f.departmentId);
  if (f.machineId) q = q.where('id', '=', f.machineId);
  return q.orderBy('code').execute();
}

/**
 * Tickets that may count in [from, to): raised before `to`, and not closed before `from` (an open
 * ticket, or one completed, due or raised since `from`). The formulas pick from these.
 */
export async function reportTickets(db: Db, f: ReportFilter, from: string, to: string): Promise<KpiTicket[]> {
  let q = db.selectFrom('maintenanceTickets').select([
    'id', 'number', 'machineId', 'departmentId', 'type', 'priority', 'status', 'raisedAt', 'createdAt', 'responseDueAt', 'resolutionDueAt',
    'respondedAt', 'completedAt', 'pausedSeconds', 'pausedSince', 'downtimeMinutes', 'planDueAt', 'assigneeId',
  ]).where('deletedAt', 'is', null).where('createdAt', '<', to);
  if (f.departmentId) q = q.where('departmentId', '=', f.departmentId);
  if (f.machineId) q = q.where('machineId', '=', f.machineId);
  // Resolution may be due (after pauses) later than stored: keep tickets open at `from` or touched since.
  q = q.where((eb) => eb.or([eb('completedAt', 'is', null), eb('completedAt', '>=', from), eb('resolutionDueAt', '>=', from), eb('responseDueAt', '>=', from)]));
  const rows = await q.execute();
  return rows.map((r) => ({ ...r, pausedSeconds: Number(r.pausedSeconds ?? 0), downtimeMinutes: Number(r.downtimeMinutes ?? 0), priority: Number(r.priority) }));
}

export async function departmentNames(db: Db): Promise<Map<string, string>> {
  const rows = await db.selectFrom('departments').select(['id', 'name']).execute();
  return new Map(rows.map((r) => [r.id, r.name]));
}

export async function readSla(db: Db): Promise<unknown> {
  const r = await db.selectFrom('config').select('value').where('key', '=', 'sla').executeTakeFirst();
  return r ? JSON.parse(r.value) : undefined;
}

export async function writeSla(trx: Db, value: unknown, now: string, userId: string) {
  const text = JSON.stringify(value);
  const done = await trx.updateTable('config').set({ value: text, updatedAt: now, updatedBy: userId }).where('key', '=', 'sla').executeTakeFirst();
  if (Number(done.numUpdatedRows) === 0) await trx.insertInto('config').values({ key: 'sla', value: text, updatedAt: now, updatedBy: userId }).execute();
}

/** A machine's history for its page, online: every ticket on it (not only the device's window), newest first. */
export async function machineTickets(db: Db, machineId: string) {
  const rows = await db.selectFrom('maintenanceTickets').selectAll().where('machineId', '=', machineId).where('deletedAt', 'is', null).orderBy('createdAt', 'desc').limit(500).execute();
  return rows.map((r) => fromDb('maintenanceTickets', r));
}
