// The browser's storage as the app sees it: quota errors recognised, usage and persistence read and
// asked for, so a full disk is reported in plain words instead of swallowed.
import Dexie from 'dexie';

/** Whether an error is the browser refusing to store more (IndexedDB's QuotaExceededError or alike). */
export function isQuotaError(err: unknown): boolean {
  return err instanceof Dexie.QuotaExceededError || (err instanceof Error && /quota/i.test(err.name + err.message));
}

/** Asks the browser to keep this origin's data under storage pressure; null where it cannot be asked. */
export async function askPersistent(): Promise<boolean | null> {
  if (!navigator.storage?.persist) return null;
  return navigator.storage.persist();
}

/** Usage, quota and whether storage is persistent; null where the browser does not say. */
export async function storageEstimate(): Promise<{ usage: number | null; quota: number | null; persisted: boolean | null } | null> {
  if (!navigator.storage?.estimate) return null;
  const [est, persisted] = await Promise.all([navigator.storage.estimate(), navigator.storage.persisted?.() ?? Promise.resolve(null)]);
  return { usage: est.usage ?? null, quota: est.quota ?? null, persisted };
}
