// Runs the Kysely migrations in migrations/ (the same files on SQLite and MySQL).
import { promises as fs } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { FileMigrationProvider, Migrator, type MigrationResultSet } from 'kysely';
import type { Kysely } from 'kysely';

const folder = fileURLToPath(new URL('../../migrations', import.meta.url));

export function migrator(raw: Kysely<any>): Migrator {
  return new Migrator({
    db: raw,
    provider: new FileMigrationProvider({ fs, path, migrationFolder: folder }),
    migrationTableName: 'kysely_migration',
    migrationLockTableName: 'kysely_migration_lock',
  });
}

function check({ error, results }: MigrationResultSet): MigrationResultSet {
  const failed = results?.find((r) => r.status === 'Error');
  if (error) throw new Error(`Migration ${failed?.migrationName ?? ''} failed: ${error instanceof Error ? error.message : String(error)}`);
  return { error, results };
}

export async function migrateUp(raw: Kysely<any>) {
  return check(await migrator(raw).migrateToLatest());
}

export async function migrateDownAll(raw: Kysely<any>) {
  const { NO_MIGRATIONS } = await import('kysely');
  return check(await migrator(raw).migrateTo(NO_MIGRATIONS));
}

export async function migrateDownOne(raw: Kysely<any>) {
  return check(await migrator(raw).migrateDown());
}
