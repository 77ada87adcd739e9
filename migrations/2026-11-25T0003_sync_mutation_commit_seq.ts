// Where in the change log each mutation's writes end, so a pull page acknowledges only the
// mutations whose effects it (or an earlier page) carried. Null for mutations stored before.
// Frozen: imports nothing from the app.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('sync_mutations').addColumn('commit_seq', 'bigint').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('sync_mutations').dropColumn('commit_seq').execute();
}
