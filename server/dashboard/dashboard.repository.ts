// The dashboard's SQL (issue 15 §2): one query per figure, each one aggregate or bounded by the
// period (never one query per order, machine or ticket), so the number of queries a dashboard costs is
// the same for a plant of ten orders or ten thousand (server/dashboard/dashboard.test.ts counts them).
// `dept` narrows every query to one department; null is the whole plant.
import type { Db } from '../db/db';
import { ALERT_ITEMS } from '../../sync/dashboard';

type Dept = string | null;
const n = (x: unknown) => Number(x ?? 0);
/** An order's departments are a JSON array of ids kept as text: match the quoted id (ids hold no quotes or wildcards). */
const inArray = (id: string) => `%"${id.replace(/[%_"\\]/g, '')}"%`;

export const OPEN_MAINTENANCE = ['open', 'assigned', 'in_progress', 'on_hold'] as const;

/** The config values the dashboard reads (the shift calendar), parsed. */
export async function readConfigs(db: Db, keys: string[]): Promise<Map<string, unknown>> {
  const rows = await db.selectFrom('config').select(['key', 'value']).where('key', 'in', keys).execute();
  return new Map(rows.map((r) => [r.key, JSON.parse(r.value)]));
}

export async function departments(db: Db) {
  return db.selectFrom('departments').select(['id', 'code', 'name']).where('deletedAt', 'is', null).orderBy('code').execute();
}

/** Machines in use (of one department), with what capacity and OEE need. */
export async function machines(db: Db, dept: Dept) {
  let q = db.selectFrom('machines').select(['id', 'code', 'name', 'departmentId', 'hoursPerDay', 'idealCycleSeconds'])
    .where('deletedAt', 'is', null).where('active', '=', 1);
  if (dept) q = q.where('departmentId', '=', dept);
  const rows = await q.orderBy('code').execute();
  return rows.map((m) => ({ ...m, hoursPerDay: n(m.hoursPerDay), idealCycleSeconds: n(m.idealCycleSeconds) }));
}

/** Orders per status, and of the open ones how many are due in the week and how many are late. */
export async function orderCounts(db: Db, dept: Dept, week: { from: string; to: string }, today: string) {
  let q = db.selectFrom('orders').where('deletedAt', 'is', null);
  if (dept) q = q.where('departmentIds', 'like', inArray(dept));
  const rows = await q.select((eb) => {
    const open = eb('status', 'not in', ['completed', 'cancelled']);
    return [
      'status',
      eb.fn.countAll().as('orders'),
      eb.fn.sum(eb.case().when(eb.and([open, eb('dueDate', '>=', week.from), eb('dueDate', '<=', week.to)])).then(1).else(0).end()).as('dueThisWeek'),
      eb.fn.sum(eb.case().when(eb.and([open, eb('dueDate', '<', today)])).then(1).else(0).end()).as('late'),
    ];
  }).groupBy('status').execute();
  return rows.map((r) => ({ status: r.status, orders: n(r.orders), dueThisWeek: n(r.dueThisWeek), late: n(r.late) }));
}

/**
 * The order lines due from `from` to `to` (orders not cancelled), each with when it was finished: its
 * stages all done → the last stage's completion; else its order's completion (an order completed by a
 * planner); else null. One row per line of the period, grouped in SQL.
 */
export async function deliveryLines(db: Db, dept: Dept, from: string, to: string) {
  let q = db.selectFrom('orderItems')
    .innerJoin('orders', 'orders.id', 'orderItems.orderId')
    .leftJoin('stages', (j) => j.onRef('stages.orderItemId', '=', 'orderItems.id').on('stages.deletedAt', 'is', null))
    .where('orderItems.deletedAt', 'is', null)
    .where('orders.deletedAt', 'is', null)
    .where('orders.status', '!=', 'cancelled')
    .where('orders.dueDate', '>=', from)
    .where('orders.dueDate', '<=', to);
  if (dept) q = q.where('orders.departmentIds', 'like', inArray(dept));
  const rows = await q.select((eb) => [
    'orderItems.id', 'orders.dueDate', 'orders.completedAt as orderCompletedAt',
    eb.fn.count('stages.id').as('stages'),
    eb.fn.sum(eb.case().when('stages.status', '=', 'done').then(1).else(0).end()).as('done'),
    eb.fn.max('stages.completedAt').as('lastDoneAt'),
  ]).groupBy(['orderItems.id', 'orders.dueDate', 'orders.completedAt']).execute();
  return rows.map((r) => {
    const allDone = n(r.stages) > 0 && n(r.done) === n(r.stages);
    return { dueDate: r.dueDate, completedAt: (allDone ? (r.lastDoneAt as string | null) : null) ?? r.orderCompletedAt ?? null };
  });
}

/** Stages on a machine whose slot starts from `fromAt` (inclusive) to `toAt` (exclusive), not done. */
export async function scheduledStages(db: Db, dept: Dept, fromAt: string, toAt: string) {
  let q = db.selectFrom('stages')
    .select(['id', 'machineId', 'scheduledStart', 'plannedMinutes', 'status', 'deletedAt'])
    .where('deletedAt', 'is', null)
    .where('machineId', 'is not', null)
    .where('status', '!=', 'done')
    .where('scheduledStart', '>=', fromAt)
    .where('scheduledStart', '<', toAt);
  if (dept) q = q.where('departmentId', '=', dept);
  const rows = await q.execute();
  return rows.map((s) => ({ ...s, plannedMinutes: n(s.plannedMinutes) }));
}

/**
 * Per machine (of the stage the event is on): good and rejected parts counted (progress and
 * corrections) and downtime minutes logged (downtime events), from `fromAt` to `toAt`, and the same
 * from `todayAt` on (today's share).
 */
export async function production(db: Db, dept: Dept, fromAt: string, todayAt: string, toAt: string) {
  let q = db.selectFrom('jobEvents')
    .innerJoin('stages', 'stages.id', 'jobEvents.stageId')
    .where('jobEvents.deletedAt', 'is', null)
    .where('stages.machineId', 'is not', null)
    .where('jobEvents.kind', 'in', ['progress', 'correction', 'downtime'])
    .where('jobEvents.at', '>=', fromAt)
    .where('jobEvents.at', '<', toAt);
  if (dept) q = q.where('jobEvents.departmentId', '=', dept);
  const rows = await q.select((eb) => {
    const counted = eb('jobEvents.kind', 'in', ['progress', 'correction']);
    const down = eb('jobEvents.kind', '=', 'downtime');
    const today = eb('jobEvents.at', '>=', todayAt);
    const sum = (when: ReturnType<typeof eb.and> | typeof counted, col: 'jobEvents.goodQty' | 'jobEvents.rejectQty' | 'jobEvents.minutes') =>
      eb.fn.sum(eb.case().when(when).then(eb.ref(col)).else(0).end());
    return [
      'stages.machineId',
      sum(counted, 'jobEvents.goodQty').as('good'),
      sum(counted, 'jobEvents.rejectQty').as('rejected'),
      sum(down, 'jobEvents.minutes').as('downtime'),
      sum(eb.and([counted, today]), 'jobEvents.goodQty').as('goodToday'),
      sum(eb.and([counted, today]), 'jobEvents.rejectQty').as('rejectedToday'),
      sum(eb.and([down, today]), 'jobEvents.minutes').as('downtimeToday'),
    ];
  }).groupBy('stages.machineId').execute();
  return rows.map((r) => ({
    machineId: r.machineId as string,
    week: { good: n(r.good), rejected: n(r.rejected), downtime: n(r.downtime) },
    today: { good: n(r.goodToday), rejected: n(r.rejectedToday), downtime: n(r.downtimeToday) },
  }));
}

/** Per machine: downtime minutes of corrective maintenance tickets completed in the period, and today. */
export async function repairDowntime(db: Db, dept: Dept, fromAt: string, todayAt: string, toAt: string) {
  let q = db.selectFrom('maintenanceTickets')
    .where('deletedAt', 'is', null)
    .where('type', '=', 'corrective')
    .where('completedAt', '>=', fromAt)
    .where('completedAt', '<', toAt);
  if (dept) q = q.where('departmentId', '=', dept);
  const rows = await q.select((eb) => [
    'machineId',
    eb.fn.sum('downtimeMinutes').as('week'),
    eb.fn.sum(eb.case().when('completedAt', '>=', todayAt).then(eb.ref('downtimeMinutes')).else(0).end()).as('today'),
  ]).groupBy('machineId').execute();
  return rows.map((r) => ({ machineId: r.machineId, week: n(r.week), today: n(r.today) }));
}

// ── alerts: the most urgent ALERT_ITEMS rows, each carrying the full count (a window count) ──

/** Rejects awaiting review (open or under review), oldest first. */
export async function rejectsAwaitingReview(db: Db, dept: Dept) {
  let q = db.selectFrom('rejects')
    .leftJoin('machines', 'machines.id', 'rejects.machineId')
    .leftJoin('defectCodes', 'defectCodes.id', 'rejects.defectCodeId')
    .where('rejects.deletedAt', 'is', null)
    .where('rejects.status', 'in', ['open', 'under_review']);
  if (dept) q = q.where('rejects.departmentId', '=', dept);
  const rows = await q.select((eb) => [
    'rejects.id', 'rejects.number', 'rejects.quantity', 'rejects.createdAt', 'machines.code as machineCode', 'defectCodes.code as defectCode',
    eb.fn.countAll().over().as('total'),
  ]).orderBy('rejects.createdAt').orderBy('rejects.id').limit(ALERT_ITEMS).execute();
  return {
    count: n(rows[0]?.total),
    items: rows.map((r) => ({ id: r.id, number: r.number ?? '', quantity: n(r.quantity), machineCode: r.machineCode ?? null, defectCode: r.defectCode ?? null, createdAt: r.createdAt })),
  };
}

/** Open maintenance tickets with their SLA clock fields (the clocks are computed in sync/sla.ts). */
export async function openTickets(db: Db, dept: Dept) {
  let q = db.selectFrom('maintenanceTickets')
    .innerJoin('machines', 'machines.id', 'maintenanceTickets.machineId')
    .where('maintenanceTickets.deletedAt', 'is', null)
    .where('maintenanceTickets.status', 'in', [...OPEN_MAINTENANCE]);
  if (dept) q = q.where('maintenanceTickets.departmentId', '=', dept);
  const rows = await q.select([
    'maintenanceTickets.id', 'maintenanceTickets.number', 'maintenanceTickets.priority', 'maintenanceTickets.status',
    'maintenanceTickets.responseDueAt', 'maintenanceTickets.resolutionDueAt', 'maintenanceTickets.respondedAt', 'maintenanceTickets.completedAt',
    'maintenanceTickets.pausedSeconds', 'maintenanceTickets.pausedSince', 'maintenanceTickets.raisedAt', 'maintenanceTickets.createdAt', 'machines.code as machineCode',
  ]).execute();
  return rows.map((r) => ({ ...r, priority: n(r.priority), pausedSeconds: n(r.pausedSeconds) }));
}

/** SOP tickets open or acknowledged past their due time (against the department), the longest overdue first. */
export async function sopOverdue(db: Db, dept: Dept, now: string) {
  let q = db.selectFrom('sopTickets')
    .innerJoin('departments', 'departments.id', 'sopTickets.againstDepartmentId')
    .where('sopTickets.deletedAt', 'is', null)
    .where('sopTickets.status', 'in', ['open', 'acknowledged'])
    .where('sopTickets.dueAt', '<', now);
  if (dept) q = q.where('sopTickets.againstDepartmentId', '=', dept);
  const rows = await q.select((eb) => [
    'sopTickets.id', 'sopTickets.number', 'sopTickets.status', 'sopTickets.dueAt', 'sopTickets.escalationLevel', 'departments.code as againstDepartmentCode',
    eb.fn.countAll().over().as('total'),
    eb.fn.sum(eb.case().when('sopTickets.escalationLevel', '>', 0).then(1).else(0).end()).over().as('escalated'),
  ]).orderBy('sopTickets.dueAt').orderBy('sopTickets.id').limit(ALERT_ITEMS).execute();
  return {
    count: n(rows[0]?.total),
    escalated: n(rows[0]?.escalated),
    items: rows.map((r) => ({ id: r.id, number: r.number ?? '', againstDepartmentCode: r.againstDepartmentCode, status: r.status, dueAt: r.dueAt, escalationLevel: n(r.escalationLevel) })),
  };
}

/** Active preventive plans due before `untilAt` (overdue ones too), the earliest first. */
export async function preventiveDue(db: Db, dept: Dept, untilAt: string) {
  let q = db.selectFrom('preventivePlans')
    .innerJoin('machines', 'machines.id', 'preventivePlans.machineId')
    .where('preventivePlans.deletedAt', 'is', null)
    .where('preventivePlans.status', '=', 'active')
    .where('preventivePlans.nextDueAt', '<', untilAt);
  if (dept) q = q.where('preventivePlans.departmentId', '=', dept);
  const rows = await q.select((eb) => [
    'preventivePlans.id', 'preventivePlans.task', 'preventivePlans.nextDueAt', 'machines.code as machineCode', eb.fn.countAll().over().as('total'),
  ]).orderBy('preventivePlans.nextDueAt').orderBy('preventivePlans.id').limit(ALERT_ITEMS).execute();
  return { count: n(rows[0]?.total), items: rows.map((r) => ({ id: r.id, machineCode: r.machineCode, task: r.task, nextDueAt: r.nextDueAt })) };
}

/** Orders on hold with their reason, the earliest due first. */
export async function ordersOnHold(db: Db, dept: Dept) {
  let q = db.selectFrom('orders').where('deletedAt', 'is', null).where('status', '=', 'on_hold');
  if (dept) q = q.where('departmentIds', 'like', inArray(dept));
  const rows = await q.select((eb) => ['id', 'number', 'customerName', 'holdReason', eb.fn.countAll().over().as('total')])
    .orderBy('dueDate').orderBy('id').limit(ALERT_ITEMS).execute();
  return { count: n(rows[0]?.total), items: rows.map((r) => ({ id: r.id, number: r.number ?? '', customerName: r.customerName, holdReason: r.holdReason })) };
}
