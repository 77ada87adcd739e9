// SOP compliance (issue 12): tickets between departments, NCRs, per-user notifications, and the SOP
// and NCR counters. `departments.hod_user_id` and `sops` exist since the foundation migration.
// Frozen: imports nothing from the app.
import type { CreateTableBuilder, Kysely } from 'kysely';

const TS = 'varchar(24)';
const ID = 'varchar(36)';

function synced<T extends string>(t: CreateTableBuilder<T, never>) {
  return t
    .addColumn('id', ID, (c) => c.primaryKey())
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', TS, (c) => c.notNull())
    .addColumn('updated_at', TS, (c) => c.notNull())
    .addColumn('updated_by', ID)
    .addColumn('deleted_at', TS)
    .addColumn('seq', 'bigint', (c) => c.notNull().defaultTo(0));
}

export async function up(db: Kysely<any>): Promise<void> {
  await synced(db.schema.createTable('sop_tickets'))
    .addColumn('number', 'varchar(20)', (c) => c.unique())
    .addColumn('sop_id', ID, (c) => c.notNull())
    .addColumn('raised_by', ID, (c) => c.notNull())
    .addColumn('raised_by_department_id', ID, (c) => c.notNull())
    .addColumn('against_department_id', ID, (c) => c.notNull())
    .addColumn('severity', 'varchar(16)', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('machine_id', ID)
    .addColumn('order_id', ID)
    .addColumn('status', 'varchar(16)', (c) => c.notNull())
    .addColumn('escalation_level', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('due_at', TS, (c) => c.notNull())
    .addColumn('escalated_at', TS)
    .addColumn('escalated_to_id', ID)
    .addColumn('responded_at', TS)
    .addColumn('closed_at', TS)
    .addColumn('history', 'text', (c) => c.notNull()) // JSON: [{at, userId, kind, from, to, note}]
    .execute();
  await db.schema.createIndex('sop_tickets_due').on('sop_tickets').columns(['status', 'escalation_level', 'due_at']).execute();
  await db.schema.createIndex('sop_tickets_against').on('sop_tickets').column('against_department_id').execute();
  await db.schema.createIndex('sop_tickets_raised_by_dept').on('sop_tickets').column('raised_by_department_id').execute();

  await synced(db.schema.createTable('ncr_reports'))
    .addColumn('number', 'varchar(20)', (c) => c.unique())
    .addColumn('source_type', 'varchar(16)', (c) => c.notNull())
    .addColumn('source_id', ID, (c) => c.notNull())
    .addColumn('what', 'varchar(500)', (c) => c.notNull())
    .addColumn('department_id', ID, (c) => c.notNull())
    .addColumn('department_ids', 'text', (c) => c.notNull()) // JSON array (scope)
    .addColumn('machine_id', ID)
    .addColumn('order_id', ID)
    .addColumn('quantity_affected', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('containment', 'text', (c) => c.notNull())
    .addColumn('root_cause', 'text', (c) => c.notNull())
    .addColumn('corrective_action', 'text', (c) => c.notNull())
    .addColumn('preventive_action', 'text', (c) => c.notNull())
    .addColumn('owner_id', ID)
    .addColumn('due_date', 'varchar(10)')
    .addColumn('status', 'varchar(16)', (c) => c.notNull())
    .addColumn('submitted_by', ID)
    .addColumn('submitted_at', TS)
    .addColumn('approved_by', ID)
    .addColumn('approved_at', TS)
    .addColumn('return_note', 'varchar(2000)')
    .addColumn('created_by', ID, (c) => c.notNull())
    .addColumn('history', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('ncr_reports_source').on('ncr_reports').column('source_id').execute();

  await synced(db.schema.createTable('notifications'))
    .addColumn('user_id', ID, (c) => c.notNull())
    .addColumn('kind', 'varchar(32)', (c) => c.notNull())
    .addColumn('title', 'varchar(200)', (c) => c.notNull())
    .addColumn('body', 'varchar(1000)')
    .addColumn('entity', 'varchar(32)', (c) => c.notNull())
    .addColumn('entity_id', ID, (c) => c.notNull())
    .addColumn('status', 'varchar(16)', (c) => c.notNull())
    .addColumn('at', TS, (c) => c.notNull())
    .addColumn('read_at', TS)
    .execute();
  await db.schema.createIndex('notifications_user').on('notifications').columns(['user_id', 'status']).execute();

  for (const name of ['SOP', 'NCR']) await db.insertInto('counters').values({ name, value: 0 }).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.deleteFrom('counters').where('name', 'in', ['SOP', 'NCR']).execute();
  for (const t of ['notifications', 'ncr_reports', 'sop_tickets']) await db.schema.dropTable(t).execute();
}
