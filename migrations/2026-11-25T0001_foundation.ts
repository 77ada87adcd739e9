// Foundation schema: master data, auth, audit and the sync bookkeeping tables.
// Frozen: imports nothing from the app. Portable: the same DDL runs on SQLite and MySQL/MariaDB.
import type { CreateTableBuilder, Kysely } from 'kysely';

const TS = 'varchar(24)'; // ISO-8601 UTC with milliseconds; sorts as text on both dialects
const ID = 'varchar(36)';

/** The row metadata every synced table carries (SYNC-PROTOCOL.md "Row metadata"). */
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
  await synced(db.schema.createTable('departments'))
    .addColumn('code', 'varchar(16)', (c) => c.notNull().unique())
    .addColumn('name', 'varchar(100)', (c) => c.notNull())
    .addColumn('hod_user_id', ID)
    .addColumn('active', 'integer', (c) => c.notNull().defaultTo(1))
    .execute();

  await synced(db.schema.createTable('users'))
    .addColumn('username', 'varchar(64)', (c) => c.notNull().unique())
    .addColumn('display_name', 'varchar(100)', (c) => c.notNull())
    .addColumn('password_hash', 'varchar(100)', (c) => c.notNull())
    .addColumn('role', 'varchar(16)', (c) => c.notNull())
    .addColumn('department_id', ID)
    .addColumn('active', 'integer', (c) => c.notNull().defaultTo(1))
    .execute();

  await synced(db.schema.createTable('machines'))
    .addColumn('code', 'varchar(32)', (c) => c.notNull().unique())
    .addColumn('name', 'varchar(100)', (c) => c.notNull())
    .addColumn('department_id', ID, (c) => c.notNull())
    .addColumn('status', 'varchar(16)', (c) => c.notNull().defaultTo('idle'))
    .addColumn('hours_per_day', 'double precision', (c) => c.notNull().defaultTo(16))
    .addColumn('ideal_cycle_seconds', 'double precision', (c) => c.notNull().defaultTo(60))
    .addColumn('active', 'integer', (c) => c.notNull().defaultTo(1))
    .execute();

  await synced(db.schema.createTable('products'))
    .addColumn('sku', 'varchar(32)', (c) => c.notNull().unique())
    .addColumn('name', 'varchar(200)', (c) => c.notNull())
    .addColumn('revision', 'varchar(16)', (c) => c.notNull().defaultTo('A'))
    .addColumn('unit', 'varchar(16)', (c) => c.notNull().defaultTo('pcs'))
    .addColumn('sell_price', 'double precision', (c) => c.notNull().defaultTo(0))
    .addColumn('standard_minutes', 'double precision', (c) => c.notNull().defaultTo(0))
    .addColumn('routing', 'text', (c) => c.notNull()) // JSON: [{name, departmentId, plannedMinutes}]
    .addColumn('active', 'integer', (c) => c.notNull().defaultTo(1))
    .execute();

  await synced(db.schema.createTable('defect_codes'))
    .addColumn('code', 'varchar(32)', (c) => c.notNull().unique())
    .addColumn('name', 'varchar(100)', (c) => c.notNull())
    .addColumn('category', 'varchar(16)', (c) => c.notNull())
    .addColumn('active', 'integer', (c) => c.notNull().defaultTo(1))
    .execute();

  await synced(db.schema.createTable('sops'))
    .addColumn('code', 'varchar(32)', (c) => c.notNull().unique())
    .addColumn('title', 'varchar(200)', (c) => c.notNull())
    .addColumn('department_id', ID, (c) => c.notNull())
    .addColumn('revision', 'varchar(16)', (c) => c.notNull().defaultTo('A'))
    .addColumn('active', 'integer', (c) => c.notNull().defaultTo(1))
    .execute();

  await synced(db.schema.createTable('suppliers'))
    .addColumn('name', 'varchar(100)', (c) => c.notNull().unique())
    .addColumn('contact', 'varchar(100)', (c) => c.notNull().defaultTo(''))
    .addColumn('email', 'varchar(200)', (c) => c.notNull().defaultTo(''))
    .addColumn('lead_time_days', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('active', 'integer', (c) => c.notNull().defaultTo(1))
    .execute();

  await db.schema
    .createTable('config')
    .addColumn('key', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('updated_at', TS, (c) => c.notNull())
    .addColumn('updated_by', ID)
    .execute();

  await db.schema
    .createTable('audit_log')
    .addColumn('id', ID, (c) => c.primaryKey())
    .addColumn('at', TS, (c) => c.notNull())
    .addColumn('user_id', ID)
    .addColumn('username', 'varchar(64)')
    .addColumn('client_id', ID)
    .addColumn('mutation_id', ID)
    .addColumn('mutation_name', 'varchar(64)', (c) => c.notNull())
    .addColumn('entity', 'varchar(32)')
    .addColumn('entity_id', ID)
    .addColumn('base_version', 'integer')
    .addColumn('result_version', 'integer')
    .addColumn('outcome', 'varchar(16)', (c) => c.notNull())
    .addColumn('code', 'varchar(32)')
    .addColumn('message', 'varchar(500)')
    .addColumn('before', 'text')
    .addColumn('after', 'text')
    .addColumn('conflicts', 'text')
    .addColumn('client_at', TS)
    .addColumn('ip', 'varchar(64)')
    .execute();
  await db.schema.createIndex('audit_log_entity').on('audit_log').columns(['entity', 'entity_id']).execute();
  await db.schema.createIndex('audit_log_at').on('audit_log').column('at').execute();
  await db.schema.createIndex('audit_log_user').on('audit_log').column('user_id').execute();

  await db.schema
    .createTable('refresh_tokens')
    .addColumn('id', ID, (c) => c.primaryKey())
    .addColumn('user_id', ID, (c) => c.notNull())
    .addColumn('family_id', ID, (c) => c.notNull())
    .addColumn('token_hash', 'varchar(64)', (c) => c.notNull().unique())
    .addColumn('created_at', TS, (c) => c.notNull())
    .addColumn('expires_at', TS, (c) => c.notNull())
    .addColumn('spent_at', TS)
    .addColumn('revoked_at', TS)
    .execute();
  await db.schema.createIndex('refresh_tokens_family').on('refresh_tokens').column('family_id').execute();

  await db.schema
    .createTable('login_failures')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('username', 'varchar(64)', (c) => c.notNull())
    .addColumn('ip', 'varchar(64)')
    .addColumn('at', TS, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('login_failures_username').on('login_failures').columns(['username', 'at']).execute();

  // One row per counter: `sync` is the global sequence, `horizon` the oldest seq the change log still
  // holds (older cursors reset); others number documents (MT, REJ, ORD…).
  await db.schema
    .createTable('counters')
    .addColumn('name', 'varchar(32)', (c) => c.primaryKey())
    .addColumn('value', 'bigint', (c) => c.notNull())
    .execute();
  await db.insertInto('counters').values([{ name: 'sync', value: 0 }, { name: 'horizon', value: 0 }]).execute();

  await db.schema
    .createTable('sync_clients')
    .addColumn('id', ID, (c) => c.primaryKey())
    .addColumn('user_id', ID, (c) => c.notNull())
    .addColumn('last_seq', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', TS, (c) => c.notNull())
    .addColumn('last_seen_at', TS, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('sync_mutations')
    .addColumn('client_id', ID, (c) => c.notNull())
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('mutation_id', ID, (c) => c.notNull())
    .addColumn('name', 'varchar(64)', (c) => c.notNull())
    .addColumn('result', 'text', (c) => c.notNull())
    .addColumn('created_at', TS, (c) => c.notNull())
    .addPrimaryKeyConstraint('sync_mutations_pk', ['client_id', 'seq'])
    .execute();

  await db.schema
    .createTable('change_log')
    .addColumn('seq', 'bigint', (c) => c.primaryKey())
    .addColumn('table_name', 'varchar(32)', (c) => c.notNull())
    .addColumn('row_id', ID, (c) => c.notNull())
    .addColumn('evict', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('at', TS, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('change_log_at').on('change_log').column('at').execute();
  await db.schema.createIndex('change_log_row').on('change_log').columns(['row_id', 'seq']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of [
    'change_log', 'sync_mutations', 'sync_clients', 'counters', 'login_failures', 'refresh_tokens',
    'audit_log', 'config', 'suppliers', 'sops', 'defect_codes', 'products', 'machines', 'users', 'departments',
  ]) {
    await db.schema.dropTable(t).execute();
  }
}
