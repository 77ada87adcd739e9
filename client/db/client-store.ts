// The device side of MutationStore: applies a mutator optimistically to IndexedDB inside the
// caller's Dexie transaction, keeping the server's version of each touched row as a shadow.
import type { MutationStore, NewRow } from '../../sync/store';
import type { Row, RowTypes, TableName } from '../../sync/tables';
import type { BarronDB } from './db';

export class ClientStore implements MutationStore {
  /** Rows as they were before each write of this mutation, newest last, so a rejection can be undone. */
  private readonly undoLog: { table: TableName; id: string; row: Row | undefined }[] = [];

  constructor(
    private readonly db: BarronDB,
    private readonly userId: string,
    private readonly now: string,
  ) {}

  /** Before the first local change to a row, remember what the server last said about it. */
  private async keepShadow(table: TableName, id: string, current: Row | undefined) {
    const key = `${table}:${id}`;
    if (!(await this.db.shadows.get(key))) await this.db.shadows.put({ key, table, id, row: current ?? null });
  }

  async get<T extends TableName>(table: T, id: string) {
    return (await this.db.anyRows(table).get(id)) as RowTypes[T] | undefined;
  }

  async find<T extends TableName>(table: T, field: string, value: string): Promise<RowTypes[T][]>;
  async find(table: TableName, field: string, value: string): Promise<object[]> {
    const t = this.db.anyRows(table);
    const indexed = t.schema.indexes.some((i) => i.name === field);
    const rows = indexed ? await t.where(field).equals(value).toArray() : await t.filter((r) => r[field] === value).toArray();
    return rows.filter((r) => !r.deletedAt);
  }

  async insert<T extends TableName>(table: T, row: NewRow<T>) {
    const existing = await this.db.anyRows(table).get(row.id);
    await this.keepShadow(table, row.id, existing);
    this.undoLog.push({ table, id: row.id, row: existing });
    await this.db.anyRows(table).put({
      ...(row as Record<string, unknown>), id: row.id, version: 0, createdAt: this.now, updatedAt: this.now,
      updatedBy: this.userId, deletedAt: null,
    } as Row);
  }

  async update<T extends TableName>(table: T, id: string, changes: Partial<RowTypes[T]>) {
    const current = await this.db.anyRows(table).get(id);
    if (!current) return; // not on this device: the server will apply it
    await this.keepShadow(table, id, current);
    this.undoLog.push({ table, id, row: current });
    await this.db.anyRows(table).put({ ...current, ...(changes as Record<string, unknown>), updatedAt: this.now, updatedBy: this.userId });
  }

  async nextNumber() {
    return null; // human numbers come from the server
  }

  async config<T>(key: string) {
    return this.db.getMeta<T>(`config:${key}`);
  }

  /** Puts back every row this mutation wrote (a mutator that was refused half-way leaves nothing). */
  async undo() {
    for (const u of this.undoLog.reverse()) {
      if (u.row) await this.db.anyRows(u.table).put(u.row);
      else await this.db.anyRows(u.table).delete(u.id);
    }
    this.undoLog.length = 0;
  }
}
