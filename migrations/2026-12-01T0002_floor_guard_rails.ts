// Shop-floor guard rails: machines that may run several stages at once, and hold requests raised
// from the floor for a planner to answer. Frozen: imports nothing from the app.
import type { Kysely } from 'kysely';

const TS = 'varchar(24)';
const ID = 'varchar(36)';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('machines').addColumn('allow_parallel', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  await db.schema
    .createTable('hold_requests')
    .addColumn('id', ID, (c) => c.primaryKey())
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', TS, (c) => c.notNull())
    .addColumn('updated_at', TS, (c) => c.notNull())
    .addColumn('updated_by', ID)
    .addColumn('deleted_at', TS)
    .addColumn('seq', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('order_id', ID, (c) => c.notNull())
    .addColumn('stage_id', ID)
    .addColumn('department_ids', 'text', (c) => c.notNull())
    .addColumn('reason', 'varchar(500)', (c) => c.notNull())
    .addColumn('requested_by', ID, (c) => c.notNull())
    .addColumn('status', 'varchar(16)', (c) => c.notNull())
    .addColumn('answered_by', ID)
    .addColumn('answered_at', TS)
    .addColumn('answer_note', 'varchar(1000)')
    .execute();
  await db.schema.createIndex('hold_requests_order').on('hold_requests').column('order_id').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('hold_requests').execute();
  await db.schema.alterTable('machines').dropColumn('allow_parallel').execute();
}
