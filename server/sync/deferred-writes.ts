// The writes of a push transaction's mutations, kept in memory and written at its end in one statement
// per table and shape (server/sync/push.ts). A mutation's writes are its ServerStore's own until it
// stays (settle); one that is refused is dropped with its store and writes nothing, so a mutation
// needs no savepoint and no round trip of its own. The rows themselves are in the transaction's row
// cache (SharedWrite.rows), which every read of the transaction consults first.
import { Rejection } from '../../sync/store';
import type { StampedTable } from '../db/schema';
import * as repo from './sync.repository';
import type { Db } from '../db/db';

/** A new row whose id is taken: the device's mistake (a resend would hit it again), refused. */
export function rowExists() {
  return new Rejection('already_exists', 'A row this change creates exists already: a new row needs a new id.');
}

interface Pending {
  table: StampedTable;
  id: string;
  /** A new row: written whole (as the row cache has it at the end). */
  insert: boolean;
  /** The columns an update set, with their latest values (an insert's later updates are in its row). */
  changes: Record<string, unknown>;
}

export class DeferredWrites {
  /** By `table:id`, in the order the rows were first written (a parent before the rows naming it). */
  private readonly pending = new Map<string, Pending>();

  has(key: string) {
    return this.pending.has(key);
  }

  /** The keys of the rows of `table` written here. */
  *keys(table: StampedTable): Iterable<string> {
    for (const [key, p] of this.pending) if (p.table === table) yield key;
  }

  insert(table: StampedTable, id: string) {
    this.pending.set(`${table}:${id}`, { table, id, insert: true, changes: {} });
  }

  update(table: StampedTable, id: string, changes: Record<string, unknown>) {
    const key = `${table}:${id}`;
    const p = this.pending.get(key);
    if (p) Object.assign(p.changes, changes);
    else this.pending.set(key, { table, id, insert: false, changes: { ...changes } });
  }

  /** Takes over the writes of a mutation that stays. */
  absorb(other: DeferredWrites) {
    for (const [key, p] of other.pending) {
      const mine = this.pending.get(key);
      if (mine) Object.assign(mine.changes, p.changes);
      else this.pending.set(key, { ...p, changes: { ...p.changes } });
    }
  }

  /**
   * Writes everything: the new rows first, one multi-row insert per table and set of columns (in the
   * order their first row was written), then the updates, one statement per table and set of columns. `rowOf`
   * gives a row as the transaction has it now. A statement that fails fails the transaction.
   */
  async flush(trx: Db, rowOf: (key: string) => Record<string, unknown> | undefined) {
    const inserts = new Map<string, { table: StampedTable; rows: Record<string, unknown>[] }>();
    const updates = new Map<string, { table: StampedTable; cols: string[]; rows: { id: string; values: Record<string, unknown> }[] }>();
    for (const [key, p] of this.pending) {
      const row = rowOf(key);
      if (!row) throw new Error(`deferred write of ${key} has no row`);
      if (p.insert) {
        // Rows of one statement have the same columns (a row without an optional field names none).
        const shape = `${p.table}|${Object.keys(row).sort().join(',')}`;
        if (!inserts.has(shape)) inserts.set(shape, { table: p.table, rows: [] });
        inserts.get(shape)!.rows.push(row);
        continue;
      }
      const cols = Object.keys(p.changes).sort();
      const shape = `${p.table}|${cols.join(',')}`;
      if (!updates.has(shape)) updates.set(shape, { table: p.table, cols, rows: [] });
      updates.get(shape)!.rows.push({ id: p.id, values: Object.fromEntries(cols.map((c) => [c, row[c]])) });
    }
    for (const i of inserts.values()) await repo.insertRows(trx, i.table, i.rows);
    for (const u of updates.values()) await repo.updateRows(trx, u.table, u.cols, u.rows);
    this.pending.clear();
  }
}
