// The reads pages make of the synced tables, as named functions typed by table, so a component asks
// for rows (inside useLive) and never holds a Dexie query of its own.
import type { RowTypes, TableName } from '../../sync/tables';
import type { BarronDB } from './db';
import { isOverdue } from '../../sync/quality';

type Field<T extends TableName> = keyof RowTypes[T] & string;

/** Every row of a table on the device. */
export function allRows<T extends TableName>(db: BarronDB, table: T): Promise<RowTypes[T][]> {
  return db.rows(table).toArray();
}

/** One row, or null when the device does not hold it. */
export async function rowById<T extends TableName>(db: BarronDB, table: T, id: string): Promise<RowTypes[T] | null> {
  return (await db.rows(table).get(id)) ?? null;
}

/** The rows with these ids that the device holds, by id. */
export async function rowsByIds<T extends TableName>(db: BarronDB, table: T, ids: Iterable<string>): Promise<Map<string, RowTypes[T]>> {
  const rows = await db.rows(table).bulkGet([...new Set(ids)]);
  return new Map(rows.filter((r): r is RowTypes[T] => !!r).map((r) => [r.id, r]));
}

/** The rows whose indexed field equals the value (a ticket's events, a stage's progress). */
export function rowsWhere<T extends TableName>(db: BarronDB, table: T, field: Field<T>, value: string): Promise<RowTypes[T][]> {
  return db.rows(table).where(field).equals(value).toArray();
}

/** The rows whose indexed field is at or after the value (events since a time). */
export function rowsFrom<T extends TableName>(db: BarronDB, table: T, field: Field<T>, value: string): Promise<RowTypes[T][]> {
  return db.rows(table).where(field).aboveOrEqual(value).toArray();
}

/** A user's own job events at or after a time (the portal's shift counts), through the [userId+at] index. */
export function ownEventsFrom(db: BarronDB, userId: string, fromIso: string): Promise<RowTypes['jobEvents'][]> {
  return db.rows('jobEvents').where('[userId+at]').between([userId, fromIso], [userId, '\uffff'], true, true).toArray();
}

/** Every row, the latest by an indexed field first. */
export function newestFirst<T extends TableName>(db: BarronDB, table: T, field: Field<T>): Promise<RowTypes[T][]> {
  return db.rows(table).orderBy(field).reverse().toArray();
}

/** The hold requests a user sent, newest first (the requester watches for the planner's answer). */
export async function holdRequestsBy(db: BarronDB, userId: string): Promise<RowTypes['holdRequests'][]> {
  const rows = await db.rows('holdRequests').filter((r) => r.requestedBy === userId && !r.deletedAt).toArray();
  return rows.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
}

/** Hold requests waiting for a planner's answer (of one order when `orderId` is given), oldest first. */
export async function openHoldRequests(db: BarronDB, orderId?: string): Promise<RowTypes['holdRequests'][]> {
  const rows = await rowsWhere(db, 'holdRequests', 'status', 'open');
  return rows.filter((r) => !r.deletedAt && (!orderId || r.orderId === orderId)).sort((a, b) => a.createdAt.localeCompare(b.createdAt));
}

// ── quality ──

/** The device's local day as YYYY-MM-DD (due dates are days in the plant's time). */
export function localToday(now = new Date()): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

/** The corrective actions of one reject or return, oldest first. */
export async function actionsOf(db: BarronDB, sourceId: string): Promise<RowTypes['correctiveActions'][]> {
  const rows = await rowsWhere(db, 'correctiveActions', 'sourceId', sourceId);
  return rows.filter((r) => !r.deletedAt).sort((a, b) => a.createdAt.localeCompare(b.createdAt));
}

/** The actions a user owns, the soonest due first. */
export async function actionsOwnedBy(db: BarronDB, userId: string): Promise<RowTypes['correctiveActions'][]> {
  const rows = await rowsWhere(db, 'correctiveActions', 'ownerId', userId);
  return rows.filter((r) => !r.deletedAt).sort((a, b) => a.dueDate.localeCompare(b.dueDate) || a.createdAt.localeCompare(b.createdAt));
}

/** How many of a user's actions are open past their due day (the nav badge of "My actions"). */
export async function overdueActionCount(db: BarronDB, userId: string, today = localToday()): Promise<number> {
  return (await actionsOwnedBy(db, userId)).filter((a) => isOverdue(a, today)).length;
}
