// The server side of MutationStore: writes rows inside one transaction, stamping each with the next
// sequence number and a change-log entry, and remembers what changed for the audit entry.
import type { MutationStore, NewRow } from '../../sync/store';
import { SCOPE_FIELDS, type RowTypes, type TableName } from '../../sync/tables';
import type { Db } from '../db/db';
import * as repo from './sync.repository';

export interface Write {
  table: TableName;
  id: string;
  before: Record<string, unknown> | undefined;
  after: Record<string, unknown>;
}

export class ServerStore implements MutationStore {
  /** Every row written, in order, with its state before and after. */
  readonly writes: Write[] = [];

  constructor(
    private readonly trx: Db,
    private readonly userId: string,
    private readonly now: string,
  ) {}

  async get<T extends TableName>(table: T, id: string) {
    return (await repo.getRow(this.trx, table, id)) as RowTypes[T] | undefined;
  }

  async find<T extends TableName>(table: T, field: string, value: string) {
    return (await repo.findRows(this.trx, table, field, value)) as unknown as RowTypes[T][];
  }

  async insert<T extends TableName>(table: T, row: NewRow<T>) {
    const seq = await repo.nextCounter(this.trx, 'sync');
    const full = { ...row, version: 1, createdAt: this.now, updatedAt: this.now, updatedBy: this.userId, deletedAt: null, seq } as Record<string, unknown>;
    await repo.insertRow(this.trx, table, full);
    await repo.logChange(this.trx, seq, table, row.id, false, this.now);
    this.writes.push({ table, id: row.id, before: undefined, after: full });
  }

  async update<T extends TableName>(table: T, id: string, changes: Partial<RowTypes[T]>) {
    const before = await repo.getRow(this.trx, table, id);
    if (!before) throw new Error(`update of missing ${table} ${id}`);
    const seq = await repo.nextCounter(this.trx, 'sync');
    const stamped: Record<string, unknown> = { ...(changes as Record<string, unknown>), version: Number(before.version) + 1, updatedAt: this.now, updatedBy: this.userId, seq };
    await repo.updateRow(this.trx, table, id, stamped);
    const evict = SCOPE_FIELDS.some((f) => f in stamped && JSON.stringify(stamped[f]) !== JSON.stringify(before[f]));
    await repo.logChange(this.trx, seq, table, id, evict, this.now);
    this.writes.push({ table, id, before, after: { ...before, ...stamped } });
  }

  async nextNumber(prefix: string) {
    const n = await repo.nextCounter(this.trx, prefix);
    return `${prefix}-${String(n).padStart(6, '0')}`;
  }

  async config<T>(key: string) {
    return (await repo.readConfig(this.trx, key)) as T | undefined;
  }
}
