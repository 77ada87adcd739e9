// Runs the Kysely migrations in migrations/ (the same files on SQLite and MySQL).
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Migrator, NO_MIGRATIONS, type Migration, type MigrationProvider, type MigrationResultSet } from 'kysely';
import type { Kysely } from 'kysely';

const folder = fileURLToPath(new URL('../../migrations', import.meta.url));

/**
 * The migration files, imported from here rather than by Kysely's FileMigrationProvider: its
 * import() runs inside node_modules, where neither vitest nor tsx transform TypeScript.
 */
export const migrationProvider: MigrationProvider = {
  async getMigrations() {
    const files = (await readdir(folder)).filter((f) => /\.(ts|js|mjs)$/.test(f) && !/\.(d|test)\.ts$/.test(f)).sort();
    const migrations: Record<string, Migration> = {};
    for (const file of files) {
      const mod = (await import(pathToFileURL(join(folder, file)).href)) as Migration;
      migrations[file.replace(/\.[^.]+$/, '')] = { up: mod.up, down: mod.down };
    }
    return migrations;
  },
};

export function migrator(raw: Kysely<any>): Migrator {
  return new Migrator({
    db: raw,
    provider: migrationProvider,
    migrationTableName: 'kysely_migration',
    migrationLockTableName: 'kysely_migration_lock',
  });
}

function check({ error, results }: MigrationResultSet): MigrationResultSet {
  const failed = results?.find((r) => r.status === 'Error');
  const reason = error instanceof Error ? error.message : String(error);
  if (error) throw new Error(failed ? `Migration ${failed.migrationName} failed: ${reason}` : `Migrations could not run: ${reason}`);
  return { error, results };
}

export async function migrateUp(raw: Kysely<any>) {
  return check(await migrator(raw).migrateToLatest());
}

export async function migrateDownAll(raw: Kysely<any>) {
  return check(await migrator(raw).migrateTo(NO_MIGRATIONS));
}

export async function migrateDownOne(raw: Kysely<any>) {
  return check(await migrator(raw).migrateDown());
}
