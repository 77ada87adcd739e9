// Customer returns (RET-000001), and the note a reject review leaves when it disputes a reject.
// Frozen: imports nothing from the app.
import type { Kysely } from 'kysely';

const TS = 'varchar(24)';
const ID = 'varchar(36)';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('customer_returns')
    .addColumn('id', ID, (c) => c.primaryKey())
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', TS, (c) => c.notNull())
    .addColumn('updated_at', TS, (c) => c.notNull())
    .addColumn('updated_by', ID)
    .addColumn('deleted_at', TS)
    .addColumn('seq', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('number', 'varchar(20)', (c) => c.unique())
    .addColumn('customer_name', 'varchar(200)', (c) => c.notNull())
    .addColumn('order_id', ID)
    .addColumn('product_id', ID, (c) => c.notNull())
    .addColumn('quantity', 'integer', (c) => c.notNull())
    .addColumn('reason', 'varchar(2000)', (c) => c.notNull())
    .addColumn('received_at', 'varchar(10)', (c) => c.notNull())
    .addColumn('status', 'varchar(16)', (c) => c.notNull())
    .addColumn('root_cause', 'varchar(2000)')
    .addColumn('corrective_action', 'varchar(2000)')
    // Money as a double (mysql2 answers a decimal column as a string); mutators allow whole cents only.
    .addColumn('credit_value', 'double precision')
    .addColumn('department_id', ID)
    // JSON array: Quality's department and the responsible one (scope).
    .addColumn('department_ids', 'text', (c) => c.notNull())
    .addColumn('reported_by', ID, (c) => c.notNull())
    .addColumn('resolved_at', TS)
    .addColumn('closed_at', TS)
    .execute();
  await db.schema.createIndex('customer_returns_status').on('customer_returns').columns(['status', 'received_at']).execute();
  await db.schema.alterTable('rejects').addColumn('review_note', 'varchar(2000)').execute();
  await db.insertInto('counters').values({ name: 'RET', value: 0 }).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.deleteFrom('counters').where('name', '=', 'RET').execute();
  await db.schema.alterTable('rejects').dropColumn('review_note').execute();
  await db.schema.dropTable('customer_returns').execute();
}
