// IndexedDB of quality photos: the device's own photos (compressed Blobs and their upload state) and
// the synced metadata of everyone's photos, read together per record.
import type { Attachment } from '../../sync/tables';
import type { AttachmentEntity } from '../../sync/attachments';
import type { BarronDB, PhotoBlob } from './db';

/** A photo as a record's page shows it: the device's Blob when it has one, else its metadata (image fetched online). */
export interface ShownPhoto {
  id: string;
  width: number;
  height: number;
  createdAt: string;
  createdBy: string;
  /** The image on this device (taken here), or null: fetched from the server. */
  blob: Blob | null;
  /** 'pending' and 'refused' only for photos taken here. */
  state: 'pending' | 'refused' | 'sent';
  lastError?: string | null;
}

/** An uploaded photo's Blob is kept this long, so the device that took it shows it offline. */
export const KEEP_UPLOADED_MS = 14 * 86_400_000;

/** Keeps a new photo on the device, queued for upload (it shows at once). */
export async function addPhoto(db: BarronDB, p: { id: string; entity: AttachmentEntity; entityId: string; blob: Blob; width: number; height: number; userId: string; now: string }) {
  await db.photoBlobs.add({
    id: p.id, entity: p.entity, entityId: p.entityId, blob: p.blob, contentType: p.blob.type || 'image/jpeg', bytes: p.blob.size,
    width: p.width, height: p.height, userId: p.userId, createdAt: p.now, state: 'pending', attempts: 0, nextAttemptAt: p.now,
  });
}

/** The photos of a record: this device's and the synced ones, oldest first. Usable in a live query. */
export async function photosOf(db: BarronDB, entityId: string): Promise<ShownPhoto[]> {
  const [local, synced] = await Promise.all([
    db.photoBlobs.where('entityId').equals(entityId).toArray(),
    db.table<Attachment, string>('attachments').where('entityId').equals(entityId).toArray(),
  ]);
  const byId = new Map<string, ShownPhoto>();
  for (const a of synced) {
    if (a.deletedAt) continue;
    byId.set(a.id, { id: a.id, width: a.width, height: a.height, createdAt: a.createdAt, createdBy: a.createdBy, blob: null, state: 'sent' });
  }
  for (const b of local) {
    byId.set(b.id, { id: b.id, width: b.width, height: b.height, createdAt: b.createdAt, createdBy: b.userId, blob: b.blob, state: b.state === 'uploaded' ? 'sent' : b.state, lastError: b.lastError });
  }
  return [...byId.values()].sort((a, b) => a.createdAt.localeCompare(b.createdAt));
}

/** Photos not yet on the server (waiting or refused): signing out would lose them. */
export function unsentPhotoCount(db: BarronDB): Promise<number> {
  return db.photoBlobs.where('state').anyOf('pending', 'refused').count();
}

/** Photos the server refused (shown on Sync issues). Usable in a live query. */
export function refusedPhotos(db: BarronDB): Promise<PhotoBlob[]> {
  return db.photoBlobs.where('state').equals('refused').toArray();
}

export function refusedPhotoCount(db: BarronDB): Promise<number> {
  return db.photoBlobs.where('state').equals('refused').count();
}

/** Photos whose turn to upload has come. */
export async function duePhotos(db: BarronDB, now: string): Promise<PhotoBlob[]> {
  const rows = await db.photoBlobs.where('state').equals('pending').toArray();
  return rows.filter((p) => p.nextAttemptAt <= now).sort((a, b) => a.createdAt.localeCompare(b.createdAt));
}

export async function markUploaded(db: BarronDB, id: string, now: string) {
  await db.photoBlobs.update(id, { state: 'uploaded', uploadedAt: now, lastError: null, code: null });
}

export async function markRetry(db: BarronDB, id: string, attempts: number, nextAttemptAt: string, lastError: string, code: string | null) {
  await db.photoBlobs.update(id, { attempts, nextAttemptAt, lastError, code });
}

export async function markRefused(db: BarronDB, id: string, lastError: string, code: string | null) {
  await db.photoBlobs.update(id, { state: 'refused', lastError, code });
}

/** "Try again" on Sync issues: back in the queue, from the first attempt. */
export async function retryPhoto(db: BarronDB, id: string, now: string) {
  await db.photoBlobs.update(id, { state: 'pending', attempts: 0, nextAttemptAt: now, lastError: null, code: null });
}

/** "Discard" on Sync issues: the photo leaves the device. */
export async function discardPhoto(db: BarronDB, id: string) {
  await db.photoBlobs.delete(id);
}

/** Uploaded photos kept past KEEP_UPLOADED_MS leave the device (the server and the photo cache have them). */
export async function pruneUploadedPhotos(db: BarronDB, now: Date) {
  const before = new Date(now.getTime() - KEEP_UPLOADED_MS).toISOString();
  await db.photoBlobs.where('state').equals('uploaded').filter((p) => (p.uploadedAt ?? p.createdAt) < before).delete();
}

/** Whether the record's create (or any change naming it) still waits for the server's answer. */
export async function awaitsServer(db: BarronDB, entityId: string): Promise<boolean> {
  const waiting = await db.outbox.filter((e) => !e.result && JSON.stringify(e.args).includes(entityId)).count();
  return waiting > 0;
}

/** The space photos take on this device, by state. Usable in a live query. */
export async function photoSpace(db: BarronDB): Promise<{ unsent: { count: number; bytes: number }; kept: { count: number; bytes: number } }> {
  const out = { unsent: { count: 0, bytes: 0 }, kept: { count: 0, bytes: 0 } };
  await db.photoBlobs.each((p) => {
    const slot = p.state === 'uploaded' ? out.kept : out.unsent;
    slot.count += 1;
    slot.bytes += p.bytes;
  });
  return out;
}
