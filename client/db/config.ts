// Config values the server hands a device (SLA targets), kept in meta so mutators compute offline
// with the plant's values (ClientStore.config reads `config:<key>`).
import type { BarronDB } from './db';

export async function keepConfig(db: BarronDB, key: string, value: unknown): Promise<void> {
  await db.setMeta(`config:${key}`, value);
}

export function configValue<T>(db: BarronDB, key: string): Promise<T | undefined> {
  return db.getMeta<T>(`config:${key}`);
}
