// A push transaction's prefetch (server/sync/push.ts): the rows its mutations will read, fetched in one
// query per table and level before the first mutation, so each mutation's find() is answered from memory.
import { MUTATIONS } from '../../sync/mutations';
import { UUID_RE } from '../../sync/ids';
import type { TableName } from '../../sync/tables';
import type { Db, Dialect } from '../db/db';
import * as repo from './sync.repository';
import type { SharedWrite } from './server-store';

/**
 * The rows the mutations of a part will ask for by id — the rows they act on and the rows their
 * args name, then those rows' parents (a stage's item and order) — in one query per table and level.
 */
const REFERENCES: Record<string, TableName> = {
  stageId: 'stages', machineId: 'machines', defectCodeId: 'defectCodes', orderId: 'orders', orderItemId: 'orderItems',
  productId: 'products', ticketId: 'maintenanceTickets', departmentId: 'departments',
};

export async function prefetch(trx: Db, dialect: Dialect, shared: SharedWrite, part: Record<string, unknown>[]) {
  let wanted = new Map<TableName, Set<string>>();
  const want = (table: TableName, id: unknown) => {
    if (typeof id !== 'string' || !UUID_RE.test(id) || shared.rows.has(`${table}:${id}`)) return;
    if (!wanted.has(table)) wanted.set(table, new Set());
    wanted.get(table)!.add(id);
  };
  const refs = (row: Record<string, unknown>) => {
    for (const [field, table] of Object.entries(REFERENCES)) want(table, row[field]);
  };
  for (const raw of part) {
    const def = typeof raw.name === 'string' ? MUTATIONS.get(raw.name) : undefined;
    const args = raw.args;
    if (!def || !args || typeof args !== 'object' || Array.isArray(args)) continue;
    const a = args as Record<string, unknown>;
    want(def.table, a.id);
    if (def.scope) want(def.scope.table, a[def.scope.arg]);
    refs(a);
  }
  for (let level = 0; level < 2 && wanted.size; level++) {
    const now = wanted;
    wanted = new Map();
    // Every table of the level in one round trip on MySQL (one-trip.ts), 500 ids a statement.
    const reads: { table: TableName; ids: string[] }[] = [];
    for (const [table, ids] of now) {
      const list = [...ids];
      for (let i = 0; i < list.length; i += 500) reads.push({ table, ids: list.slice(i, i + 500) });
      for (const id of ids) shared.rows.set(`${table}:${id}`, undefined);
    }
    const sets = await repo.rowsByIdsInOneTrip(trx, dialect, reads);
    for (const [n, rows] of sets.entries()) {
      const table = reads[n].table;
      for (const row of rows) {
        shared.rows.set(`${table}:${row.id as string}`, row);
        if (level === 0) refs(row);
      }
    }
  }
  // The stages of those stages' items (progress asks whether its stage is its item's last), one
  // query: find('stages', 'orderItemId', …) is then answered from memory.
  const items = new Set<string>();
  for (const [key, row] of shared.rows) if (row && key.startsWith('stages:') && typeof row.orderItemId === 'string') items.add(row.orderItemId);
  if (items.size && shared.found && !shared.found.has('stages:orderItemId')) {
    const index = new Map<string, Set<string>>();
    for (const id of items) index.set(id, new Set());
    for (const row of await repo.rowsWhereIn(trx, 'stages', 'orderItemId', [...items])) {
      const key = `stages:${row.id as string}`;
      if (!shared.rows.get(key)) shared.rows.set(key, row);
      index.get(row.orderItemId as string)?.add(row.id as string);
    }
    shared.found.set('stages:orderItemId', index);
  }
}
