// Login throttling per (username, address), per address and per username, replacing the one
// row per failure of login_failures: a row per bucket whose counter is reserved atomically before
// a password is checked (server/auth/throttle.ts).
// Frozen: imports nothing from the app. Portable: the same DDL runs on SQLite and MySQL/MariaDB.
import type { Kysely } from 'kysely';

const TS = 'varchar(24)';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('login_throttle')
    // `pair:<username> <address>`, `address:<address>` or `user:<username>`
    .addColumn('bucket', 'varchar(160)', (c) => c.primaryKey())
    // the username of a pair or user bucket, so a password reset can clear that user's buckets
    .addColumn('username', 'varchar(64)')
    // attempts of the current streak that did not succeed (including those being checked)
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_at', TS, (c) => c.notNull())
    .addColumn('blocked_until', TS)
    // pair buckets: the last successful login of that username from that address
    .addColumn('succeeded_at', TS)
    .execute();
  await db.schema.createIndex('login_throttle_username').on('login_throttle').column('username').execute();
  await db.schema.createIndex('login_throttle_last_at').on('login_throttle').column('last_at').execute();
  await db.schema.dropTable('login_failures').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('login_failures')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('username', 'varchar(64)', (c) => c.notNull())
    .addColumn('ip', 'varchar(64)')
    .addColumn('at', TS, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('login_failures_username').on('login_failures').columns(['username', 'at']).execute();
  await db.schema.dropTable('login_throttle').execute();
}
