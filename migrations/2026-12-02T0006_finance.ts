// Finance (issue 14): BOMs with revisions, their lines, each line's cost history, and the supplier
// fields a buyer keeps. Server-only tables: stamped like synced rows (so the one audited write path
// can write them) but never in SYNCED_TABLES. Money is whole cents, quantities thousandths, scrap
// factors basis points: integers on both dialects, never floats (docs/finance.md).
// Frozen: imports nothing from the app.
import type { CreateTableBuilder, Kysely } from 'kysely';

const TS = 'varchar(24)';
const ID = 'varchar(36)';

function stamped<T extends string>(t: CreateTableBuilder<T, never>) {
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
  await db.schema.alterTable('suppliers').addColumn('phone', 'varchar(50)', (c) => c.notNull().defaultTo('')).execute();
  await db.schema.alterTable('suppliers').addColumn('currency', 'varchar(3)', (c) => c.notNull().defaultTo('EUR')).execute();
  await db.schema.alterTable('suppliers').addColumn('notes', 'varchar(1000)', (c) => c.notNull().defaultTo('')).execute();

  await stamped(db.schema.createTable('boms'))
    .addColumn('product_id', ID, (c) => c.notNull())
    .addColumn('revision', 'varchar(16)', (c) => c.notNull())
    .addColumn('active', 'integer', (c) => c.notNull().defaultTo(0))
    // The product id while the revision is active, else null: a unique index that holds one active
    // revision per product on both dialects (both let a unique column hold many nulls).
    .addColumn('active_product_id', ID, (c) => c.unique())
    .addColumn('notes', 'varchar(1000)', (c) => c.notNull().defaultTo(''))
    .execute();
  await db.schema.createIndex('boms_product_revision').on('boms').columns(['product_id', 'revision']).unique().execute();

  await stamped(db.schema.createTable('bom_lines'))
    .addColumn('bom_id', ID, (c) => c.notNull())
    .addColumn('line_no', 'integer', (c) => c.notNull())
    .addColumn('child_product_id', ID)
    .addColumn('component_name', 'varchar(200)')
    .addColumn('supplier_id', ID)
    .addColumn('quantity_milli', 'bigint', (c) => c.notNull())
    .addColumn('unit', 'varchar(16)', (c) => c.notNull().defaultTo('pcs'))
    .addColumn('unit_cost', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('scrap_bp', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.createIndex('bom_lines_bom').on('bom_lines').column('bom_id').execute();
  await db.schema.createIndex('bom_lines_child').on('bom_lines').column('child_product_id').execute();
  await db.schema.createIndex('bom_lines_supplier').on('bom_lines').column('supplier_id').execute();

  // A line's unit cost over time: [valid_from, valid_to), the open one has valid_to null.
  await stamped(db.schema.createTable('bom_line_costs'))
    .addColumn('line_id', ID, (c) => c.notNull())
    .addColumn('unit_cost', 'bigint', (c) => c.notNull())
    .addColumn('valid_from', TS, (c) => c.notNull())
    .addColumn('valid_to', TS)
    .execute();
  await db.schema.createIndex('bom_line_costs_line').on('bom_line_costs').columns(['line_id', 'valid_from']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('bom_line_costs').execute();
  await db.schema.dropTable('bom_lines').execute();
  await db.schema.dropTable('boms').execute();
  for (const c of ['notes', 'currency', 'phone']) await db.schema.alterTable('suppliers').dropColumn(c).execute();
}
