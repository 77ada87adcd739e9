// Corrective actions (CAPA): one owner, a due date, done by the owner, verified by someone else.
// The source is general (a reject, a customer return, later an NCR). Frozen: imports nothing from the app.
import type { Kysely } from 'kysely';

const TS = 'varchar(24)';
const ID = 'varchar(36)';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('corrective_actions')
    .addColumn('id', ID, (c) => c.primaryKey())
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', TS, (c) => c.notNull())
    .addColumn('updated_at', TS, (c) => c.notNull())
    .addColumn('updated_by', ID)
    .addColumn('deleted_at', TS)
    .addColumn('seq', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('number', 'varchar(20)', (c) => c.unique())
    .addColumn('source_type', 'varchar(16)', (c) => c.notNull())
    .addColumn('source_id', ID, (c) => c.notNull())
    // JSON array: the departments whose people see the source (scope), kept in step with the source.
    .addColumn('department_ids', 'text', (c) => c.notNull())
    .addColumn('description', 'varchar(2000)', (c) => c.notNull())
    .addColumn('owner_id', ID, (c) => c.notNull())
    .addColumn('due_date', 'varchar(10)', (c) => c.notNull())
    .addColumn('status', 'varchar(16)', (c) => c.notNull())
    .addColumn('done_note', 'varchar(2000)')
    .addColumn('done_at', TS)
    .addColumn('reopen_note', 'varchar(2000)')
    .addColumn('verified_by', ID)
    .addColumn('verified_at', TS)
    .execute();
  await db.schema.createIndex('corrective_actions_source').on('corrective_actions').columns(['source_type', 'source_id']).execute();
  await db.schema.createIndex('corrective_actions_owner').on('corrective_actions').columns(['owner_id', 'status']).execute();
  await db.insertInto('counters').values({ name: 'CA', value: 0 }).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.deleteFrom('counters').where('name', '=', 'CA').execute();
  await db.schema.dropTable('corrective_actions').execute();
}
