// The server side of MutationStore: writes rows inside one transaction, stamping each with the next
// sequence number and a change-log entry, and remembers what changed for the audit entry.
import type { MutationStore, NewRow } from '../../sync/store';
import { SCOPE_FIELDS, type RowTypes, type TableName } from '../../sync/tables';
import type { Db } from '../db/db';
import * as repo from './sync.repository';

/** Columns only the server writes and never sends (SECRET_FIELDS): a user's password hash. */
export interface ServerFields { users: { passwordHash: string } }
/** A row of `T` as the server writes it: its wire fields plus any server-only ones. */
export type ServerRow<T extends TableName> = T extends keyof ServerFields ? RowTypes[T] & ServerFields[T] : RowTypes[T];

export interface Write {
  table: TableName;
  id: string;
  before: Record<string, unknown> | undefined;
  after: Record<string, unknown>;
}

type Entry = { seq: number; tableName: TableName; rowId: string; evict: boolean };

/**
 * Call `flush()` before the transaction commits: the sequence counter's final value and the
 * change-log entries are written then, in one statement each. The counter's row lock is taken at
 * the first read or write and held to commit, so writers are serialised and sequence numbers
 * follow commit order.
 */
export class ServerStore implements MutationStore {
  /** Every row written, in order, with its state before and after. */
  readonly writes: Write[] = [];
  private readonly rows = new Map<string, Record<string, unknown> | undefined>();
  /** The next sequence number to hand out; null until the counter's row lock is taken. */
  private seqNext: number | null = null;
  private seqUsed = false;
  private readonly log: Entry[] = [];
  /** New rows not yet written, per table (bulk mode only); reads see them through the row cache and find(). */
  private readonly pending = new Map<TableName, Record<string, unknown>[]>();

  constructor(
    private readonly trx: Db,
    private readonly userId: string,
    private readonly now: string,
    private readonly opts: { bulkInserts?: boolean } = {},
  ) {}

  private async writePending() {
    for (const [table, rows] of this.pending) {
      for (let i = 0; i < rows.length; i += 200) await repo.insertRows(this.trx, table, rows.slice(i, i + 200));
    }
    this.pending.clear();
  }

  /**
   * Takes the sequence counter's row lock before the first read, so a mutator reads rows no other
   * writer can change until this transaction commits (on MySQL a plain read could otherwise see a
   * snapshot that a concurrent commit has made stale, and an increment would be lost).
   */
  private async lock() {
    if (this.seqNext === null) this.seqNext = await repo.nextCounter(this.trx, 'sync');
  }

  private async nextSeq(): Promise<number> {
    await this.lock();
    this.seqUsed = true;
    return this.seqNext!++;
  }

  /** The sequence counter as this transaction leaves it; null when it never took the counter. */
  get position(): number | null {
    if (this.seqNext === null) return null;
    return this.seqUsed ? this.seqNext - 1 : this.seqNext;
  }

  async flush() {
    await this.writePending();
    if (!this.seqUsed) return;
    await repo.setCounter(this.trx, 'sync', this.seqNext! - 1);
    await repo.logChanges(this.trx, this.log, this.now);
    this.log.length = 0;
  }

  async get<T extends TableName>(table: T, id: string) {
    await this.lock();
    const key = `${table}:${id}`;
    if (!this.rows.has(key)) this.rows.set(key, await repo.getRow(this.trx, table, id));
    const row = this.rows.get(key);
    return (row && { ...row }) as RowTypes[T] | undefined;
  }

  async find<T extends TableName>(table: T, field: string, value: string) {
    await this.lock();
    const found = [
      ...(await repo.findRows(this.trx, table, field, value)),
      ...(this.pending.get(table) ?? []).filter((r) => r[field] === value && !r.deletedAt),
    ];
    for (const r of found) this.rows.set(`${table}:${r.id}`, r);
    return found.map((r) => ({ ...r })) as unknown as RowTypes[T][];
  }

  async insert<T extends TableName>(table: T, row: NewRow<T> & Partial<ServerRow<T>>) {
    const seq = await this.nextSeq();
    const full = { ...row, version: 1, createdAt: this.now, updatedAt: this.now, updatedBy: this.userId, deletedAt: null, seq } as Record<string, unknown>;
    if (this.opts.bulkInserts) {
      if (!this.pending.has(table)) this.pending.set(table, []);
      this.pending.get(table)!.push(full);
    }
    else await repo.insertRow(this.trx, table, full);
    this.rows.set(`${table}:${row.id}`, full);
    this.log.push({ seq, tableName: table, rowId: row.id, evict: false });
    this.writes.push({ table, id: row.id, before: undefined, after: full });
  }

  async update<T extends TableName>(table: T, id: string, changes: Partial<ServerRow<T>>) {
    const before = await this.get(table, id);
    if (!before) throw new Error(`update of missing ${table} ${id}`);
    if (this.pending.get(table)?.some((r) => r.id === id)) await this.writePending();
    const was = before as unknown as Record<string, unknown>;
    const seq = await this.nextSeq();
    const stamped: Record<string, unknown> = { ...(changes as Record<string, unknown>), version: Number(was.version) + 1, updatedAt: this.now, updatedBy: this.userId, seq };
    await repo.updateRow(this.trx, table, id, stamped);
    const after = { ...was, ...stamped };
    this.rows.set(`${table}:${id}`, after);
    const evict = SCOPE_FIELDS.some((f) => f in stamped && JSON.stringify(stamped[f]) !== JSON.stringify(was[f]));
    this.log.push({ seq, tableName: table, rowId: id, evict });
    this.writes.push({ table, id, before: was, after });
  }

  async nextNumber(prefix: string) {
    const n = await repo.nextCounter(this.trx, prefix);
    return `${prefix}-${String(n).padStart(6, '0')}`;
  }

  async config<T>(key: string) {
    return (await repo.readConfig(this.trx, key)) as T | undefined;
  }
}
