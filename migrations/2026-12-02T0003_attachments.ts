// Quality photos (issue 11 §4): the metadata of a photo on a reject or a return; the image itself
// lives in the attachment store (data/attachments/ by default). Frozen: imports nothing from the app.
import type { Kysely } from 'kysely';

const TS = 'varchar(24)';
const ID = 'varchar(36)';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('attachments')
    .addColumn('id', ID, (c) => c.primaryKey())
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', TS, (c) => c.notNull())
    .addColumn('updated_at', TS, (c) => c.notNull())
    .addColumn('updated_by', ID)
    .addColumn('deleted_at', TS)
    .addColumn('seq', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('entity', 'varchar(32)', (c) => c.notNull())
    .addColumn('entity_id', ID, (c) => c.notNull())
    .addColumn('department_ids', 'text', (c) => c.notNull())
    .addColumn('content_type', 'varchar(32)', (c) => c.notNull())
    .addColumn('bytes', 'integer', (c) => c.notNull())
    .addColumn('width', 'integer', (c) => c.notNull())
    .addColumn('height', 'integer', (c) => c.notNull())
    .addColumn('created_by', ID, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('attachments_entity').on('attachments').columns(['entity', 'entity_id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('attachments').execute();
}
