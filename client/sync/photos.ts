// Uploads this device's photos after a sync: only once the record's create has been acknowledged,
// one at a time, with backoff on failures the server may cure (not synced yet, busy, offline); a
// refusal it will not cure goes to Sync issues. Never throws: a photo never holds up the text.
import type { AuthedClient } from '../auth/client';
import { LoginRequired } from '../auth/client';
import type { BarronDB } from '../db/db';
import { awaitsServer, duePhotos, markRefused, markRetry, markUploaded, pruneUploadedPhotos } from '../db/photos';
import { ApiError, NetworkError } from './api';

const BASE_MS = 5_000;
const MAX_MS = 10 * 60_000;
/** A record still unknown to the server after this many tries (its create was refused): the photo is refused. */
export const MAX_NOT_SYNCED_TRIES = 12;

/** The wait before try `attempts + 1`: 5 s doubling to 10 minutes. */
export function backoffMs(attempts: number): number {
  return Math.min(MAX_MS, BASE_MS * 2 ** Math.max(0, attempts - 1));
}

/** Errors a later try may cure: the record not there yet, the server busy or down, a throttle. */
function retryable(err: ApiError) {
  return err.code === 'not_synced_yet' || err.status >= 500 || err.status === 429 || err.status === 408;
}

export async function uploadPhotos(db: BarronDB, client: AuthedClient, now: () => Date = () => new Date()): Promise<{ sent: number; failed: number }> {
  let sent = 0;
  let failed = 0;
  try {
    await pruneUploadedPhotos(db, now());
    for (const p of await duePhotos(db, now().toISOString())) {
      if (await awaitsServer(db, p.entityId)) continue; // sent after the record's create is acknowledged
      const form = new FormData();
      form.set('id', p.id);
      form.set('entity', p.entity);
      form.set('entityId', p.entityId);
      form.set('file', new File([p.blob], `${p.id}.jpg`, { type: p.contentType }));
      try {
        await client.request('/api/attachments', { body: form });
        await markUploaded(db, p.id, now().toISOString());
        sent++;
      } catch (err) {
        failed++;
        if (err instanceof NetworkError || err instanceof LoginRequired) return { sent, failed }; // the next sync tries again
        if (!(err instanceof ApiError)) throw err;
        const attempts = p.attempts + 1;
        if (retryable(err) && !(err.code === 'not_synced_yet' && attempts >= MAX_NOT_SYNCED_TRIES)) {
          await markRetry(db, p.id, attempts, new Date(now().getTime() + backoffMs(attempts)).toISOString(), err.message, err.code);
        } else {
          await markRefused(db, p.id, err.message, err.code);
        }
      }
    }
  } catch (err) {
    console.error('[barron] uploading photos', err);
  }
  return { sent, failed };
}
