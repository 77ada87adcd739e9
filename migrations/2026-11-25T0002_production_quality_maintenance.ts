// The first synced workflows: orders/items/stages with job events, rejects, maintenance tickets.
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
  await synced(db.schema.createTable('orders'))
    .addColumn('number', 'varchar(20)', (c) => c.unique())
    .addColumn('customer_name', 'varchar(200)', (c) => c.notNull())
    .addColumn('external_ref', 'varchar(64)')
    .addColumn('due_date', 'varchar(10)', (c) => c.notNull())
    .addColumn('priority', 'integer', (c) => c.notNull().defaultTo(3))
    .addColumn('status', 'varchar(16)', (c) => c.notNull())
    .addColumn('hold_reason', 'varchar(500)')
    .addColumn('status_before_hold', 'varchar(16)')
    .addColumn('source', 'varchar(16)', (c) => c.notNull().defaultTo('manual'))
    .addColumn('notes', 'text')
    .addColumn('department_ids', 'text', (c) => c.notNull()) // JSON array: departments of its stages (scope)
    .addColumn('completed_at', TS)
    .execute();
  await db.schema.createIndex('orders_external_ref').on('orders').column('external_ref').execute();

  await synced(db.schema.createTable('order_items'))
    .addColumn('order_id', ID, (c) => c.notNull())
    .addColumn('product_id', ID, (c) => c.notNull())
    .addColumn('quantity', 'integer', (c) => c.notNull())
    .addColumn('good_qty', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('reject_qty', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('department_ids', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('order_items_order').on('order_items').column('order_id').execute();

  await synced(db.schema.createTable('stages'))
    .addColumn('order_id', ID, (c) => c.notNull())
    .addColumn('order_item_id', ID, (c) => c.notNull())
    .addColumn('sequence', 'integer', (c) => c.notNull())
    .addColumn('name', 'varchar(100)', (c) => c.notNull())
    .addColumn('department_id', ID, (c) => c.notNull())
    .addColumn('machine_id', ID)
    .addColumn('planned_minutes', 'double precision', (c) => c.notNull().defaultTo(0))
    .addColumn('scheduled_start', TS)
    .addColumn('scheduled_end', TS)
    .addColumn('assignee_id', ID)
    .addColumn('status', 'varchar(16)', (c) => c.notNull())
    .addColumn('status_before_block', 'varchar(16)')
    .addColumn('good_qty', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('reject_qty', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('downtime_minutes', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('started_at', TS)
    .addColumn('completed_at', TS)
    .execute();
  await db.schema.createIndex('stages_order').on('stages').column('order_id').execute();
  await db.schema.createIndex('stages_item').on('stages').column('order_item_id').execute();
  await db.schema.createIndex('stages_department').on('stages').columns(['department_id', 'status']).execute();

  await synced(db.schema.createTable('job_events'))
    .addColumn('stage_id', ID, (c) => c.notNull())
    .addColumn('order_id', ID, (c) => c.notNull())
    .addColumn('department_id', ID, (c) => c.notNull())
    .addColumn('kind', 'varchar(16)', (c) => c.notNull())
    .addColumn('good_qty', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('reject_qty', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('downtime_reason', 'varchar(32)')
    .addColumn('minutes', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('note', 'varchar(1000)')
    .addColumn('user_id', ID, (c) => c.notNull())
    .addColumn('at', TS, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('job_events_stage').on('job_events').column('stage_id').execute();

  await synced(db.schema.createTable('rejects'))
    .addColumn('number', 'varchar(20)', (c) => c.unique())
    .addColumn('stage_id', ID)
    .addColumn('order_id', ID)
    .addColumn('product_id', ID)
    .addColumn('machine_id', ID, (c) => c.notNull())
    .addColumn('department_id', ID, (c) => c.notNull())
    .addColumn('defect_code_id', ID, (c) => c.notNull())
    .addColumn('quantity', 'integer', (c) => c.notNull())
    .addColumn('description', 'varchar(2000)')
    .addColumn('reported_by', ID, (c) => c.notNull())
    .addColumn('status', 'varchar(16)', (c) => c.notNull())
    .addColumn('disposition', 'varchar(32)')
    .addColumn('root_cause', 'varchar(2000)')
    .addColumn('corrective_action', 'varchar(2000)')
    .addColumn('approved_by', ID)
    .addColumn('approved_at', TS)
    .addColumn('closed_at', TS)
    .execute();
  await db.schema.createIndex('rejects_department').on('rejects').columns(['department_id', 'status']).execute();

  await synced(db.schema.createTable('maintenance_tickets'))
    .addColumn('number', 'varchar(20)', (c) => c.unique())
    .addColumn('machine_id', ID, (c) => c.notNull())
    .addColumn('department_id', ID, (c) => c.notNull())
    .addColumn('type', 'varchar(16)', (c) => c.notNull())
    .addColumn('priority', 'integer', (c) => c.notNull())
    .addColumn('description', 'varchar(2000)', (c) => c.notNull())
    .addColumn('reported_by', ID, (c) => c.notNull())
    .addColumn('assignee_id', ID)
    .addColumn('status', 'varchar(16)', (c) => c.notNull())
    .addColumn('response_due_at', TS)
    .addColumn('resolution_due_at', TS)
    .addColumn('responded_at', TS)
    .addColumn('completed_at', TS)
    .addColumn('verified_at', TS)
    .addColumn('downtime_minutes', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('work_done', 'varchar(2000)', (c) => c.notNull().defaultTo(''))
    .addColumn('parts_used', 'varchar(2000)', (c) => c.notNull().defaultTo(''))
    .execute();
  await db.schema.createIndex('maintenance_department').on('maintenance_tickets').columns(['department_id', 'status']).execute();

  await synced(db.schema.createTable('maintenance_events'))
    .addColumn('ticket_id', ID, (c) => c.notNull())
    .addColumn('machine_id', ID, (c) => c.notNull())
    .addColumn('department_id', ID, (c) => c.notNull())
    .addColumn('kind', 'varchar(16)', (c) => c.notNull())
    .addColumn('from_status', 'varchar(16)')
    .addColumn('to_status', 'varchar(16)')
    .addColumn('note', 'varchar(2000)')
    .addColumn('user_id', ID, (c) => c.notNull())
    .addColumn('at', TS, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('maintenance_events_ticket').on('maintenance_events').column('ticket_id').execute();

  for (const name of ['ORD', 'REJ', 'MT']) await db.insertInto('counters').values({ name, value: 0 }).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.deleteFrom('counters').where('name', 'in', ['ORD', 'REJ', 'MT']).execute();
  for (const t of ['maintenance_events', 'maintenance_tickets', 'rejects', 'job_events', 'stages', 'order_items', 'orders']) {
    await db.schema.dropTable(t).execute();
  }
}
