// All SQL of the plant's config (key → JSON value): SLA targets, the shift calendar, SOP response times.
import type { Db } from '../db/db';

export async function readConfigRows(db: Db, keys: readonly string[]) {
  if (keys.length === 0) return [];
  return db.selectFrom('config').selectAll().where('key', 'in', [...keys]).execute();
}

/** Sets one key; answers the value it held before (undefined when it was unset). */
export async function writeConfig(trx: Db, key: string, value: unknown, userId: string, now: string): Promise<unknown> {
  const before = await trx.selectFrom('config').select('value').where('key', '=', key).executeTakeFirst();
  if (before) await trx.updateTable('config').set({ value: JSON.stringify(value), updatedAt: now, updatedBy: userId }).where('key', '=', key).execute();
  else await trx.insertInto('config').values({ key, value: JSON.stringify(value), updatedAt: now, updatedBy: userId }).execute();
  return before ? JSON.parse(before.value) : undefined;
}
