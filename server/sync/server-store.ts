// The server side of MutationStore: writes rows inside one transaction, stamping each with the next
// sequence number and a change-log entry, and remembers what changed for the audit entry.
import type { MutationStore, NewRow } from '../../sync/store';
import { SCOPE_FIELDS, type RowTypes, type TableName } from '../../sync/tables';
import type { Db } from '../db/db';
import type { NewStampedServerRow, StampedServerRow, StampedServerTable, StampedTable } from '../db/schema';
import * as repo from './sync.repository';
import { DeferredWrites, rowExists } from './deferred-writes';

/** Columns only the server writes and never sends (SECRET_FIELDS): a user's password hash. */
export interface ServerFields { users: { passwordHash: string } }
/** A row of `T` as the server writes it: its wire fields plus any server-only ones. */
export type ServerRow<T extends TableName> = T extends keyof ServerFields ? RowTypes[T] & ServerFields[T] : RowTypes[T];

export interface Write {
  table: StampedTable;
  id: string;
  before: Record<string, unknown> | undefined;
  after: Record<string, unknown>;
}

export type Entry = { seq: number; tableName: StampedTable; rowId: string; evict: boolean };

/**
 * The counters one transaction holds under their row locks: the sequence (`sync`) and the
 * document numbers (`REJ`, `ORD`, …). Each is advanced in the database once, at its first use —
 * which takes the row lock, held to commit — then counted on in memory; `flush()` writes the
 * final values, one statement each. One `Counters` may serve several ServerStores in one
 * transaction (a push handles many mutations in one); `mark()`/`restore()` forget what a mutation
 * refused took, so numbers stay without gaps.
 */
export class Counters {
  /** The next value to hand out per counter; absent until its row lock is taken. */
  private readonly next = new Map<string, number>();
  /** The value each counter's lock handed out first (the database holds it from then on). */
  private readonly first = new Map<string, number>();
  private readonly used = new Set<string>();

  constructor(private readonly trx: Db) {}

  /** Takes the sequence counter's row lock (a no-op when held). */
  async lock(name = 'sync') {
    if (this.next.has(name)) return;
    const n = await repo.nextCounter(this.trx, name);
    this.next.set(name, n);
    this.first.set(name, n);
  }

  async take(name = 'sync'): Promise<number> {
    await this.lock(name);
    const n = this.next.get(name)!;
    this.next.set(name, n + 1);
    this.used.add(name);
    return n;
  }

  get locked() {
    return this.next.has('sync');
  }

  /** The sequence counter as this transaction leaves it; null when it never took the counter. */
  get position(): number | null {
    const n = this.next.get('sync');
    if (n === undefined) return null;
    return this.used.has('sync') ? n - 1 : n;
  }

  mark() {
    return { next: new Map(this.next), used: new Set(this.used) };
  }

  /**
   * Back to a mark, when the mutation since is refused. A counter first locked after the mark stays
   * locked, back at the value its lock handed out: the next use takes that number, and flush()
   * writes the counter back when nothing used it, so document numbers have no gaps.
   */
  restore(m: ReturnType<Counters['mark']>) {
    this.next.clear();
    for (const [k, v] of m.next) this.next.set(k, v);
    for (const [k, v] of this.first) if (!this.next.has(k)) this.next.set(k, v);
    this.used.clear();
    for (const k of m.used) this.used.add(k);
  }

  /**
   * Writes each counter's last value handed out. The sequence counter locked but never used keeps
   * its advance (a push of replays and refusals): the stored results name that position.
   */
  async flush(db: Db = this.trx) {
    for (const [name, n] of this.next) if (this.used.has(name) || name !== 'sync') await repo.setCounter(db, name, n - 1);
    this.used.clear();
  }
}

/** What the ServerStores of one transaction share (a push of many mutations): counters, the change log, rows read. */
export interface SharedWrite {
  counters: Counters;
  /** Change-log entries of the writes that stay, written by the owner of the transaction in one statement. */
  log: Entry[];
  /** Rows as this transaction has them (read, prefetched, or written by a mutation that stays); undefined: no such row. */
  rows: Map<string, Record<string, unknown> | undefined>;
  /** What find() found, kept true by the writes that stay: `table:field` → value → ids (their rows are in `rows`). */
  found?: Map<string, Map<string, Set<string>>>;
  /**
   * Given: the writes of the mutations that stay, written by the owner of the transaction at its end
   * (a mutation's own writes reach the database only then, so a refused one needs no savepoint).
   */
  deferred?: DeferredWrites;
}

/**
 * Call `flush()` before the transaction commits: the counters' final values and the change-log
 * entries are written then, in one statement each (or, with `shared`, left to the transaction's
 * owner). The sequence counter's row lock is taken at the first read or write and held to commit,
 * so writers are serialised and sequence numbers follow commit order.
 */
export class ServerStore implements MutationStore {
  /** Every row written, in order, with its state before and after. */
  readonly writes: Write[] = [];
  private readonly rows = new Map<string, Record<string, unknown> | undefined>();
  private readonly counters: Counters;
  readonly log: Entry[] = [];
  /** New rows not yet written, per table (bulk mode only); reads see them through the row cache and find(). */
  private readonly pending = new Map<StampedTable, Record<string, unknown>[]>();
  /** find() answered from memory: `table:field` → value → ids of the live rows (prefetchFind). */
  private readonly found = new Map<string, Map<string, Set<string>>>();
  /** This mutation's writes, when the transaction defers them (SharedWrite.deferred). */
  private readonly deferred: DeferredWrites | undefined;

  constructor(
    private readonly trx: Db,
    private readonly userId: string,
    private readonly now: string,
    private readonly opts: { bulkInserts?: boolean; shared?: SharedWrite } = {},
  ) {
    this.counters = opts.shared?.counters ?? new Counters(trx);
    this.deferred = opts.shared?.deferred && new DeferredWrites();
  }

  private async writePending() {
    for (const [table, rows] of this.pending) await repo.insertRows(this.trx, table, rows);
    this.pending.clear();
  }

  /**
   * Takes the sequence counter's row lock before the first read, so a mutator reads rows no other
   * writer can change until this transaction commits (on MySQL a plain read could otherwise see a
   * snapshot that a concurrent commit has made stale, and an increment would be lost).
   */
  private async lock() {
    await this.counters.lock();
  }

  private async nextSeq(): Promise<number> {
    return this.counters.take();
  }

  /** The sequence counter as this transaction leaves it; null when it never took the counter. */
  get position(): number | null {
    return this.counters.position;
  }

  /** Rows this store read or wrote, as they stand now (a push keeps them for the next mutation). */
  cachedRows() {
    return this.rows.entries();
  }

  /**
   * Hands what this store learnt to `shared`, for the next mutation of the transaction: call once
   * the mutation is to stay (applied). Its rows, its find() answers (kept true for the
   * rows it wrote) and its change-log entries.
   */
  settle() {
    const shared = this.opts.shared;
    if (!shared) return;
    for (const [key, row] of this.rows) shared.rows.set(key, row);
    if (shared.found) {
      for (const [tf, byValue] of this.found) {
        const into = shared.found.get(tf) ?? new Map<string, Set<string>>();
        shared.found.set(tf, into);
        for (const [value, ids] of byValue) into.set(value, new Set(ids));
      }
      for (const w of this.writes) {
        for (const [tf, byValue] of shared.found) {
          const [t, field] = tf.split(':');
          if (t === w.table) byValue.get(w.after[field] as string)?.add(w.id);
        }
      }
    }
    shared.log.push(...this.log);
    if (this.deferred) shared.deferred!.absorb(this.deferred);
  }

  /** Whether the row of `key` has a write not yet in the database (deferred). */
  private dirty(key: string) {
    return !!this.deferred?.has(key) || !!this.opts.shared?.deferred?.has(key);
  }

  /**
   * find()'s rows from the database as this transaction has them: a row it wrote as written (kept
   * if it still matches), and the rows it wrote that now match.
   */
  private withDeferred(table: StampedTable, field: string, value: string, rows: Record<string, unknown>[]) {
    const out = new Map<string, Record<string, unknown>>();
    const keep = (key: string, r: Record<string, unknown> | undefined) => {
      if (r && r[field] === value && !r.deletedAt) out.set(key, r);
    };
    for (const r of rows) {
      const key = `${table}:${r.id as string}`;
      keep(key, this.dirty(key) ? this.held(key) : r);
    }
    for (const writes of [this.deferred, this.opts.shared?.deferred]) {
      for (const key of writes?.keys(table) ?? []) if (!out.has(key)) keep(key, this.held(key));
    }
    return [...out.values()];
  }

  /** The ids of the live rows of `table` whose `field` is `value`, when known without a query. */
  private known(table: TableName, field: string, value: string): Set<string> | undefined {
    const tf = `${table}:${field}`;
    const own = this.found.get(tf)?.get(value);
    if (own) return own;
    const shared = this.opts.shared?.found?.get(tf)?.get(value);
    if (!shared) return undefined;
    const copy = new Set(shared);
    if (!this.found.has(tf)) this.found.set(tf, new Map());
    this.found.get(tf)!.set(value, copy);
    return copy;
  }

  /** A row as it stands in this transaction, without taking the lock: from memory when held, else read. */
  async current(table: StampedTable, id: string) {
    const key = `${table}:${id}`;
    if (this.rows.has(key) || this.opts.shared?.rows.has(key)) return this.held(key);
    return repo.getRow(this.trx, table, id);
  }

  /** A row as this store or its transaction holds it (no query). */
  private held(key: string) {
    if (this.rows.has(key)) return this.rows.get(key);
    // Row objects are never changed in place (a write stores a new one), so the store may hold the
    // transaction's object itself; callers of get() and find() receive copies.
    const row = this.opts.shared?.rows.get(key);
    if (row) this.rows.set(key, row);
    return row;
  }

  /**
   * Reads the rows of `table` with these ids in one query per 500, so that later `get`s of them
   * (found or not) are answered from memory: a write that knows the ids it will ask for (an import
   * checking that none of its new ids is taken) asks once.
   */
  async prefetch(table: TableName, ids: string[]) {
    this.notDeferred();
    await this.lock();
    const missing = ids.filter((id) => !this.rows.has(`${table}:${id}`));
    for (const id of missing) this.rows.set(`${table}:${id}`, undefined);
    for (const r of await repo.rowsByIds(this.trx, table, missing)) this.rows.set(`${table}:${r.id as string}`, r);
  }

  /**
   * Reads, in one query per 500 values, the live rows of `table` whose `field` is one of `values`,
   * so that later `find(table, field, value)` calls for those values are answered from memory (an
   * import checks thousands of external references). Call after the lock is taken (it is taken here).
   */
  async prefetchFind(table: TableName, field: string, values: string[]) {
    this.notDeferred();
    await this.lock();
    const index = this.found.get(`${table}:${field}`) ?? new Map<string, Set<string>>();
    this.found.set(`${table}:${field}`, index);
    for (const v of values) if (!index.has(v)) index.set(v, new Set());
    for (const r of await repo.rowsWhereIn(this.trx, table, field, values)) {
      this.rows.set(`${table}:${r.id}`, r);
      index.get(r[field] as string)?.add(r.id as string);
    }
  }

  /** The bulk reads above would take the database's rows over rows written and not yet stored. */
  private notDeferred() {
    if (this.deferred) throw new Error('prefetch and prefetchFind are for bulk writes (an import), not for deferred writes');
  }

  /** Keeps the prefetchFind indexes of `table` true after a write of `row`. */
  private index(table: StampedTable, row: Record<string, unknown>) {
    for (const [key, byValue] of this.found) {
      const [t, field] = key.split(':');
      if (t === table) byValue.get(row[field] as string)?.add(row.id as string);
    }
  }

  async flush() {
    await this.writePending();
    if (this.opts.shared) return;
    await this.counters.flush();
    await repo.logChanges(this.trx, this.log, this.now);
    this.log.length = 0;
  }

  // Synced tables as MutationStore has them; the stamped server-only ones (finance) with their own row types.
  async get<T extends TableName>(table: T, id: string): Promise<RowTypes[T] | undefined>;
  async get<T extends StampedServerTable>(table: T, id: string): Promise<StampedServerRow<T> | undefined>;
  async get(table: StampedTable, id: string): Promise<Record<string, unknown> | undefined>;
  async get(table: StampedTable, id: string): Promise<object | undefined> {
    await this.lock();
    const key = `${table}:${id}`;
    if (!this.rows.has(key)) {
      const shared = this.opts.shared?.rows;
      this.rows.set(key, shared?.has(key) ? shared.get(key) : await repo.getRow(this.trx, table, id));
    }
    const row = this.rows.get(key);
    return row && { ...row };
  }

  async find<T extends TableName>(table: T, field: string, value: string): Promise<RowTypes[T][]>;
  async find(table: TableName, field: string, value: string): Promise<object[]> {
    await this.lock();
    const known = this.known(table, field, value);
    if (known) {
      // Answered from memory (the lock is held: no other writer changed these rows): the rows found
      // before as they stand now, plus the rows written since with this value.
      const rows = [...known].map((id) => this.held(`${table}:${id}`)).filter((r): r is Record<string, unknown> => !!r && r[field] === value && !r.deletedAt);
      return rows.map((r) => ({ ...r }));
    }
    const stored = await repo.findRows(this.trx, table, field, value);
    const found = this.deferred
      ? this.withDeferred(table, field, value, stored)
      : [...stored, ...(this.pending.get(table) ?? []).filter((r) => r[field] === value && !r.deletedAt)];
    for (const r of found) this.rows.set(`${table}:${r.id}`, r);
    const tf = `${table}:${field}`;
    if (!this.found.has(tf)) this.found.set(tf, new Map());
    this.found.get(tf)!.set(value, new Set(found.map((r) => r.id as string)));
    return found.map((r) => ({ ...r }));
  }

  async insert<T extends TableName>(table: T, row: NewRow<T> & Partial<ServerRow<T>>): Promise<void>;
  async insert<T extends StampedServerTable>(table: T, row: NewStampedServerRow<T>): Promise<void>;
  async insert(table: StampedTable, row: { id: string }) {
    await this.insertAny(table, row);
  }

  /**
   * Writes to a table named at run time, the rows checked by the caller's own schema (the admin's
   * generic resources): the store's one untyped door, as db.ts `byName` is Kysely's.
   */
  byName() {
    return {
      insert: (table: StampedTable, row: { id: string } & Record<string, unknown>) => this.insertAny(table, row),
      update: (table: StampedTable, id: string, changes: Record<string, unknown>) => this.updateAny(table, id, changes),
    };
  }

  private async insertAny(table: StampedTable, row: { id: string }) {
    // With deferred writes the database's key would refuse a taken id only at the transaction's end.
    if (this.deferred && this.held(`${table}:${row.id}`)) throw rowExists();
    const seq = await this.nextSeq();
    const full = { ...row, version: 1, createdAt: this.now, updatedAt: this.now, updatedBy: this.userId, deletedAt: null, seq } as Record<string, unknown>;
    if (this.deferred) this.deferred.insert(table, row.id);
    else if (this.opts.bulkInserts) {
      if (!this.pending.has(table)) this.pending.set(table, []);
      this.pending.get(table)!.push(full);
    }
    else await repo.insertRow(this.trx, table, full);
    this.rows.set(`${table}:${row.id}`, full);
    this.index(table, full);
    this.log.push({ seq, tableName: table, rowId: row.id, evict: false });
    this.writes.push({ table, id: row.id, before: undefined, after: full });
  }

  async update<T extends TableName>(table: T, id: string, changes: Partial<ServerRow<T>>): Promise<void>;
  async update<T extends StampedServerTable>(table: T, id: string, changes: Partial<StampedServerRow<T>>): Promise<void>;
  async update(table: StampedTable, id: string, changes: object) {
    await this.updateAny(table, id, changes);
  }

  private async updateAny(table: StampedTable, id: string, changes: object) {
    const before = await this.get(table, id);
    if (!before) throw new Error(`update of missing ${table} ${id}`);
    if (this.pending.get(table)?.some((r) => r.id === id)) await this.writePending();
    const was = before;
    const seq = await this.nextSeq();
    const stamped: Record<string, unknown> = { ...(changes as Record<string, unknown>), version: Number(was.version) + 1, updatedAt: this.now, updatedBy: this.userId, seq };
    if (this.deferred) this.deferred.update(table, id, stamped);
    else await repo.updateRow(this.trx, table, id, stamped);
    const after = { ...was, ...stamped };
    this.rows.set(`${table}:${id}`, after);
    this.index(table, after);
    const evict = SCOPE_FIELDS.some((f) => f in stamped && JSON.stringify(stamped[f]) !== JSON.stringify(was[f]));
    this.log.push({ seq, tableName: table, rowId: id, evict });
    this.writes.push({ table, id, before: was, after });
  }

  async nextNumber(prefix: string) {
    const n = await this.counters.take(prefix);
    return `${prefix}-${String(n).padStart(6, '0')}`;
  }

  async config<T>(key: string) {
    return (await repo.readConfig(this.trx, key)) as T | undefined;
  }
}
