// The last report a page fetched, kept on the device so it shows offline with "as of …".
import type { BarronDB } from './db';

export interface KeptReport<T> { query: string; report: T; fetchedAt: string }

export async function keepReport<T>(db: BarronDB, name: string, kept: KeptReport<T>) {
  await db.setMeta(`report:${name}`, kept);
}

/** Usable in a live query. */
export function keptReport<T>(db: BarronDB, name: string): Promise<KeptReport<T> | undefined> {
  return db.getMeta<KeptReport<T>>(`report:${name}`);
}
