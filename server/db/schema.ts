// The database's tables as Kysely sees them (camelCase: the CamelCasePlugin maps to snake_case).
// One interface per table, so a new migration adds or extends one here; migrations stay on Kysely<any>.
import type { ColumnType, InsertType } from 'kysely';
import type {
  Attachment, CorrectiveAction, CustomerReturn, DefectCode, Department, HoldRequest, PreventivePlan, JobEvent, Machine, MaintenanceEvent, MaintenanceTicket, Order, OrderItem, Product, Reject, RowMeta, Sop, Stage, UserRow,
  NcrReport, NotificationRow, SopTicket, TableName,
} from '../../sync/tables';

/** A `bigint` column: mysql2 may answer a string for it, so reads go through Number(). */
export type BigIntColumn = ColumnType<number | string, number, number>;
/** A column written as 0/1 (the booleans of sync/tables.ts, see server/sync/codec.ts). */
export type Flag = ColumnType<number, number, number>;
/** A column the database fills when an insert leaves it out (its migration's default). */
export type Defaulted<T> = ColumnType<T, T | undefined, T>;

/**
 * A synced table's stored row from its wire shape: booleans as 0/1, arrays and objects as JSON text,
 * plus the sequence stamp a device never sees.
 */
export type Stored<R extends RowMeta> = {
  [K in keyof R]: R[K] extends boolean ? Flag : R[K] extends object ? string : R[K];
} & { seq: BigIntColumn };

export interface DepartmentsTable extends Stored<Department> {}
export interface UsersTable extends Stored<UserRow> { passwordHash: string }
export interface MachinesTable extends Stored<Machine> {}
export interface ProductsTable extends Stored<Product> {}
export interface DefectCodesTable extends Stored<DefectCode> {}
export interface SopsTable extends Stored<Sop> {}
export interface OrdersTable extends Stored<Order> {}
export interface OrderItemsTable extends Stored<OrderItem> {}
export interface StagesTable extends Stored<Stage> {}
export interface JobEventsTable extends Stored<JobEvent> {}
export interface RejectsTable extends Stored<Reject> {}
export interface MaintenanceTicketsTable extends Stored<MaintenanceTicket> {}
export interface MaintenanceEventsTable extends Stored<MaintenanceEvent> {}
export interface HoldRequestsTable extends Stored<HoldRequest> {}
// quality (CAPA)
export interface CorrectiveActionsTable extends Stored<CorrectiveAction> {}
// quality (returns)
export interface CustomerReturnsTable extends Stored<CustomerReturn> {}
export interface AttachmentsTable extends Stored<Attachment> {}
// SOP compliance (issue 12)
export interface SopTicketsTable extends Stored<SopTicket> {}
export interface NcrReportsTable extends Stored<NcrReport> {}
export interface NotificationsTable extends Stored<NotificationRow> {}
// maintenance (issue 13)
export interface PreventivePlansTable extends Stored<PreventivePlan> {}

/** Master data kept on the server only (admin screens), stamped like a synced row. */
export interface SuppliersTable extends RowMeta {
  name: string; contact: string; email: string; leadTimeDays: number; active: Flag; seq: BigIntColumn;
  // finance (issue 14)
  phone: Defaulted<string>; currency: Defaulted<string>; notes: Defaulted<string>;
}

// finance (issue 14): server-only, never synced (server/finance/). Money in cents, quantities in thousandths.
export interface BomsTable extends RowMeta {
  productId: string; revision: string; active: Flag; activeProductId: string | null; notes: string; seq: BigIntColumn;
}
export interface BomLinesTable extends RowMeta {
  bomId: string; lineNo: number; childProductId: string | null; componentName: string | null; supplierId: string | null;
  quantityMilli: BigIntColumn; unit: string; unitCost: BigIntColumn; scrapBp: number; seq: BigIntColumn;
}
export interface BomLineCostsTable extends RowMeta {
  lineId: string; unitCost: BigIntColumn; validFrom: string; validTo: string | null; seq: BigIntColumn;
}

/**
 * A stored row in the form a ServerStore reads and writes it (the inverse of `Stored`, through
 * server/sync/codec.ts): flags as booleans, bigints as numbers, no sequence stamp.
 */
export type Unstored<S> = {
  [K in Exclude<keyof S, 'seq'>]: S[K] extends Flag ? boolean : S[K] extends BigIntColumn ? number : S[K] extends Defaulted<infer V> ? V : S[K];
};
/** The columns of `S` an insert may leave to the database. */
type DefaultedKeys<S> = { [K in keyof S]: undefined extends InsertType<S[K]> ? K : never }[keyof S];

/** The server-only tables stamped like synced rows (version, times, author, sequence, change log) and written through a ServerStore. */
export interface StampedServerTables {
  suppliers: SuppliersTable;
  // finance (issue 14)
  boms: BomsTable; bomLines: BomLinesTable; bomLineCosts: BomLineCostsTable;
}
export type StampedServerTable = keyof StampedServerTables;
/** Every table a ServerStore writes: the synced ones and the stamped server-only ones. */
export type StampedTable = TableName | StampedServerTable;
/** A stamped server-only row as a ServerStore holds it. */
export type StampedServerRow<T extends StampedServerTable> = Unstored<StampedServerTables[T]>;
/** A new stamped server-only row as a ServerStore's insert takes it: no metadata (the store stamps it), defaulted columns optional. */
export type NewStampedServerRow<T extends StampedServerTable> =
  Omit<StampedServerRow<T>, keyof RowMeta | DefaultedKeys<StampedServerTables[T]>> & Partial<StampedServerRow<T>> & { id: string };

export interface ConfigTable { key: string; value: string; updatedAt: string; updatedBy: string | null }

export interface AuditLogTable {
  id: string; at: string; userId: string | null; username: string | null; clientId: string | null; mutationId: string | null;
  mutationName: string; entity: string | null; entityId: string | null; baseVersion: number | null; resultVersion: number | null;
  outcome: string; code: string | null; message: string | null;
  /** JSON text. */
  before: string | null;
  after: string | null;
  conflicts: string | null;
  clientAt: string | null; ip: string | null;
}

export interface RefreshTokensTable {
  id: string; userId: string; familyId: string; tokenHash: string; createdAt: string; expiresAt: string;
  spentAt: string | null; revokedAt: string | null;
}

/** One row per throttle bucket: `pair:<user> <address>`, `address:<address>` or `user:<user>` (server/auth/throttle.ts). */
export interface LoginThrottleTable {
  bucket: string; username: string | null; attempts: number; lastAt: string; blockedUntil: string | null; succeededAt: string | null;
}

export interface CountersTable { name: string; value: BigIntColumn }

export interface SyncClientsTable { id: string; userId: string; lastSeq: number; createdAt: string; lastSeenAt: string }

export interface SyncMutationsTable {
  clientId: string; seq: number; mutationId: string; name: string;
  /** The MutationResult as JSON text. */
  result: string;
  createdAt: string;
  /** Null for mutations stored before migration 0003. */
  commitSeq: ColumnType<number | string | null, number | null | undefined, number | null>;
}

export interface ChangeLogTable { seq: BigIntColumn; tableName: string; rowId: string; evict: Flag; at: string }

/** Every table, by its camelCase name. */
export interface Database {
  departments: DepartmentsTable;
  users: UsersTable;
  machines: MachinesTable;
  products: ProductsTable;
  defectCodes: DefectCodesTable;
  sops: SopsTable;
  orders: OrdersTable;
  orderItems: OrderItemsTable;
  stages: StagesTable;
  jobEvents: JobEventsTable;
  rejects: RejectsTable;
  maintenanceTickets: MaintenanceTicketsTable;
  maintenanceEvents: MaintenanceEventsTable;
  holdRequests: HoldRequestsTable;
  // quality (CAPA)
  correctiveActions: CorrectiveActionsTable;
  // quality (returns)
  customerReturns: CustomerReturnsTable;
  attachments: AttachmentsTable;
  // maintenance (issue 13)
  preventivePlans: PreventivePlansTable;
  suppliers: SuppliersTable;
  config: ConfigTable;
  auditLog: AuditLogTable;
  refreshTokens: RefreshTokensTable;
  loginThrottle: LoginThrottleTable;
  counters: CountersTable;
  syncClients: SyncClientsTable;
  syncMutations: SyncMutationsTable;
  changeLog: ChangeLogTable;
  // SOP compliance (issue 12)
  sopTickets: SopTicketsTable;
  ncrReports: NcrReportsTable;
  notifications: NotificationsTable;
  // finance (issue 14)
  boms: BomsTable;
  bomLines: BomLinesTable;
  bomLineCosts: BomLineCostsTable;
}
