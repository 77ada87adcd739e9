// The device's IndexedDB, one database per signed-in user: synced tables, the outbox, sync issues,
// shadows (server state of rows with pending local changes, for rebase) and sync metadata.
import Dexie, { type Table } from 'dexie';
import type { MutationResult, FieldConflict } from '../../sync/protocol';
import { SYNCED_TABLES, type Row, type RowTypes, type TableName } from '../../sync/tables';

export interface OutboxEntry {
  seq: number;
  id: string;
  name: string;
  args: unknown;
  at: string;
  userId: string;
  /** Set when the server answered this seq; the entry stays until a pull carries its effects. */
  result?: MutationResult;
}

export interface SyncIssue {
  /** The mutation id. */
  id: string;
  seq: number;
  name: string;
  args: unknown;
  at: string;
  status: 'rejected' | 'conflict';
  code?: string;
  message?: string;
  conflicts?: FieldConflict[];
  entity?: { table: TableName; id: string } | null;
  /** The server's row when the issue was recorded (for showing "theirs"). */
  serverRow?: Record<string, unknown> | null;
  createdAt: string;
  resolved: 0 | 1;
}

export interface Shadow {
  /** `table:id` */
  key: string;
  table: TableName;
  id: string;
  /** The server's version of the row, or null when the server has no such row yet. */
  row: Row | null;
}

export interface MetaEntry { key: string; value: unknown }

/**
 * A photo taken or picked on this device (never synced as a row): its compressed image, kept until
 * the server has it and a while after, so it shows offline. `state`: `pending` waits for its record's
 * create to be acknowledged and is uploaded with backoff; `refused` the server said no (Sync issues);
 * `uploaded` the server has it.
 */
export interface PhotoBlob {
  id: string;
  entity: string;
  entityId: string;
  blob: Blob;
  contentType: string;
  bytes: number;
  width: number;
  height: number;
  userId: string;
  createdAt: string;
  state: 'pending' | 'uploaded' | 'refused';
  attempts: number;
  /** Not before this time (backoff after a failed try). */
  nextAttemptAt: string;
  lastError?: string | null;
  code?: string | null;
  uploadedAt?: string | null;
}

/** The tables of schema version 1, as shipped; later versions add to them (a shipped schema never changes). */
const TABLE_INDEXES_V1: Record<Exclude<TableName, 'holdRequests' | 'correctiveActions' | 'customerReturns' | 'attachments' | keyof typeof TABLE_INDEXES_V5 | 'preventivePlans'>, string> = {
  departments: 'id, code',
  users: 'id, username',
  machines: 'id, code, departmentId',
  products: 'id, sku',
  defectCodes: 'id, code',
  sops: 'id, code',
  orders: 'id, status, dueDate',
  orderItems: 'id, orderId',
  stages: 'id, orderId, orderItemId, departmentId, status, machineId',
  jobEvents: 'id, stageId, at',
  rejects: 'id, status, departmentId, createdAt',
  maintenanceTickets: 'id, status, machineId, departmentId, createdAt',
  maintenanceEvents: 'id, ticketId, at',
};
const TABLE_INDEXES_V2 = { holdRequests: 'id, orderId, status' };
/** Quality: corrective actions (by source and by owner) and customer returns. */
const TABLE_INDEXES_V3 = { correctiveActions: 'id, sourceId, ownerId, status', customerReturns: 'id, status, receivedAt' };
/** Quality photos: the synced metadata, and the device's own photo files and upload queue. */
const TABLE_INDEXES_V4 = { attachments: 'id, entityId', photoBlobs: 'id, entityId, state' };
/** SOP compliance (issue 12): tickets, NCRs, the user's notifications. */
const TABLE_INDEXES_V5 = {
  sopTickets: 'id, status, againstDepartmentId, raisedByDepartmentId, createdAt',
  ncrReports: 'id, status, sourceId, departmentId',
  notifications: 'id, status, at',
};
/** maintenance (issue 13): preventive plans, and tickets found by plan and assignee. */
const TABLE_INDEXES_V6 = {
  preventivePlans: 'id, machineId, departmentId, status, nextDueAt',
  maintenanceTickets: 'id, status, machineId, departmentId, createdAt, assigneeId, planId',
  maintenanceEvents: 'id, ticketId, at, machineId',
};

/** The portal's shift counts (issue 16 §3): a user's own job events since a time, by index, not by reading every event of the day. */
const TABLE_INDEXES_V7 = { jobEvents: 'id, stageId, at, [userId+at]' };

export class BarronDB extends Dexie {
  outbox!: Table<OutboxEntry, number>;
  syncIssues!: Table<SyncIssue, string>;
  shadows!: Table<Shadow, string>;
  meta!: Table<MetaEntry, string>;
  photoBlobs!: Table<PhotoBlob, string>;

  constructor(name: string, options?: ConstructorParameters<typeof Dexie>[1]) {
    super(name, options);
    this.version(1).stores({
      ...TABLE_INDEXES_V1,
      outbox: 'seq, id',
      syncIssues: 'id, resolved, createdAt',
      shadows: 'key',
      meta: 'key',
    });
    // Hold requests from the floor: a new table only, no upgrade of existing rows needed.
    this.version(2).stores(TABLE_INDEXES_V2);
    // Quality: new tables only.
    this.version(3).stores(TABLE_INDEXES_V3);
    // Quality photos (issue 11 §4): new tables only.
    this.version(4).stores(TABLE_INDEXES_V4);
    // SOP tickets, NCRs and notifications (issue 12): new tables only.
    this.version(5).stores(TABLE_INDEXES_V5);
    // maintenance (issue 13): new table and indexes only; existing rows need no upgrade.
    this.version(6).stores(TABLE_INDEXES_V6);
    // client bench (issue 16 §3): a new index only; IndexedDB builds it from the stored rows.
    this.version(7).stores(TABLE_INDEXES_V7);
  }

  /** A synced table, typed by its row interface (sync/tables.ts `RowTypes`). */
  rows<T extends TableName>(table: T): Table<RowTypes[T], string> {
    return this.table(table) as Table<RowTypes[T], string>;
  }

  /** A synced table whose name is only known at run time (a pull page, a rebase): untyped rows. */
  anyRows(table: TableName): Table<Row, string> {
    return this.table(table) as Table<Row, string>;
  }

  /** Every table a mutation or a pull page may touch, for one transaction. */
  get writeScope() {
    return [...SYNCED_TABLES.map((t) => this.table(t)), this.outbox, this.shadows, this.meta, this.syncIssues];
  }

  async getMeta<T>(key: string): Promise<T | undefined> {
    return (await this.meta.get(key))?.value as T | undefined;
  }

  async setMeta(key: string, value: unknown) {
    await this.meta.put({ key, value });
  }
}

export function userDbName(userId: string) {
  return `barron-user-${userId}`;
}

/** Runs `fn` on another user's database when the device holds one (their queue stays theirs); `absent` otherwise. */
export async function withUserDb<T>(userId: string, absent: T, fn: (db: BarronDB) => Promise<T>): Promise<T> {
  if (!(await Dexie.exists(userDbName(userId)))) return absent;
  const db = new BarronDB(userDbName(userId));
  try {
    return await fn(db);
  } finally {
    db.close();
  }
}

/** Removes a signed-out user's database from the device. */
export function deleteUserDb(userId: string): Promise<void> {
  return Dexie.delete(userDbName(userId));
}
