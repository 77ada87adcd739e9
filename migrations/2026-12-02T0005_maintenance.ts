// Maintenance, complete (issue 13): SLA pauses and hold reasons on tickets, checklist ticks on events,
// preventive plans, and the unique key that opens a plan's ticket once per due time.
// Frozen: imports nothing from the app.
import { MysqlAdapter, sql, type Kysely } from 'kysely';

const TS = 'varchar(24)';
const ID = 'varchar(36)';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('maintenance_tickets').addColumn('raised_at', TS).execute();
  await db.schema.alterTable('maintenance_tickets').addColumn('hold_reason', 'varchar(32)').execute();
  await db.schema.alterTable('maintenance_tickets').addColumn('paused_seconds', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.alterTable('maintenance_tickets').addColumn('paused_since', TS).execute();
  await db.schema.alterTable('maintenance_tickets').addColumn('plan_id', ID).execute();
  await db.schema.alterTable('maintenance_tickets').addColumn('plan_due_at', TS).execute();
  await db.schema.alterTable('maintenance_tickets').addColumn('checklist', 'text').execute();
  // Tickets raised before this migration were raised when the server stored them.
  await sql`update maintenance_tickets set raised_at = created_at, checklist = '[]'`.execute(db);
  // A plan opens one ticket per due time, however many job passes run at once (NULLs never collide).
  await db.schema.createIndex('maintenance_tickets_plan_due').on('maintenance_tickets').columns(['plan_id', 'plan_due_at']).unique().execute();
  await db.schema.createIndex('maintenance_tickets_machine').on('maintenance_tickets').column('machine_id').execute();

  await db.schema.alterTable('maintenance_events').addColumn('reason', 'varchar(32)').execute();
  await db.schema.alterTable('maintenance_events').addColumn('item', 'integer').execute();
  await db.schema.alterTable('maintenance_events').addColumn('reading', 'varchar(100)').execute();
  await db.schema.createIndex('maintenance_events_machine').on('maintenance_events').columns(['machine_id', 'at']).execute();

  await db.schema
    .createTable('preventive_plans')
    .addColumn('id', ID, (c) => c.primaryKey())
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', TS, (c) => c.notNull())
    .addColumn('updated_at', TS, (c) => c.notNull())
    .addColumn('updated_by', ID)
    .addColumn('deleted_at', TS)
    .addColumn('seq', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('machine_id', ID, (c) => c.notNull())
    .addColumn('department_id', ID, (c) => c.notNull())
    .addColumn('task', 'varchar(300)', (c) => c.notNull())
    .addColumn('interval_days', 'integer')
    .addColumn('interval_hours', 'integer')
    .addColumn('checklist', 'text', (c) => c.notNull())
    .addColumn('priority', 'integer', (c) => c.notNull().defaultTo(3))
    .addColumn('next_due_at', TS, (c) => c.notNull())
    .addColumn('last_done_at', TS)
    .addColumn('status', 'varchar(16)', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('preventive_plans_due').on('preventive_plans').columns(['status', 'next_due_at']).execute();
  await db.schema.createIndex('preventive_plans_machine').on('preventive_plans').column('machine_id').execute();
}

/** MySQL names an index within its table (DROP INDEX … ON t); SQLite within the schema. */
function dropIndex(db: Kysely<any>, name: string, table: string) {
  const q = db.schema.dropIndex(name);
  return (db.getExecutor().adapter instanceof MysqlAdapter ? q.on(table) : q).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('preventive_plans').execute();
  await dropIndex(db, 'maintenance_events_machine', 'maintenance_events');
  for (const c of ['reading', 'item', 'reason']) await db.schema.alterTable('maintenance_events').dropColumn(c).execute();
  await dropIndex(db, 'maintenance_tickets_machine', 'maintenance_tickets');
  await dropIndex(db, 'maintenance_tickets_plan_due', 'maintenance_tickets');
  for (const c of ['checklist', 'plan_due_at', 'plan_id', 'paused_since', 'paused_seconds', 'hold_reason', 'raised_at']) {
    await db.schema.alterTable('maintenance_tickets').dropColumn(c).execute();
  }
}
