// The device's photo queue against the real server: a photo waits for its reject's create, then
// uploads once; a refusal goes to Sync issues and can be tried again or discarded; backoff grows.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uuidv7 } from '../../sync/ids';
import { useHarness } from '../../tests/setup/harness';
import { makeDevice } from '../../tests/setup/device';
import { jpegBytes } from '../../tests/setup/images';
import { addPhoto, discardPhoto, photosOf, retryPhoto, unsentPhotoCount } from '../db/photos';
import { openIssueCount } from '../db/sync-issues';
import { backoffMs } from './photos';

const h = useHarness();
let dir: string;
beforeAll(() => { dir = mkdtempSync(join(tmpdir(), 'barron-device-photos-')); h.deps.env.ATTACHMENTS_DIR = dir; });
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function offlineRejectWithPhoto(d: Awaited<ReturnType<typeof makeDevice>>, bytes: Uint8Array) {
  const machine = (await d.db.rows('machines').toArray()).find((m) => m.code === 'PRS-01')!;
  const defect = (await d.db.rows('defectCodes').toArray())[0];
  d.network.offline = true;
  const rejectId = uuidv7();
  await d.engine.mutate('reject.create', { id: rejectId, machineId: machine.id, defectCodeId: defect.id, quantity: 2 });
  const photoId = uuidv7();
  await addPhoto(d.db, { id: photoId, entity: 'rejects', entityId: rejectId, blob: new Blob([bytes as Uint8Array<ArrayBuffer>], { type: 'image/jpeg' }), width: 1600, height: 1200, userId: d.user.id, now: new Date().toISOString() });
  return { rejectId, photoId };
}

describe('the device\'s photo queue', () => {
  it('waits for the reject\'s create to be acknowledged, uploads once, and another department never receives it', async () => {
    const d = await makeDevice(h, 'operator.press');
    await d.engine.sync();
    const posts: number[] = [];
    const { rejectId, photoId } = await offlineRejectWithPhoto(d, jpegBytes());
    expect(await unsentPhotoCount(d.db)).toBe(1);
    expect((await photosOf(d.db, rejectId)).map((p) => p.state)).toEqual(['pending']);
    d.network.offline = false;
    d.network.onRequest = async (url) => {
      // The upload comes only after the push that created the reject.
      if (url === '/api/attachments') posts.push(await h.deps.db.selectFrom('rejects').select('id').where('id', '=', rejectId).execute().then((r) => r.length));
    };
    await d.engine.sync();
    expect(posts).toEqual([1]);
    expect(await unsentPhotoCount(d.db)).toBe(0);
    // The extra pass after an upload brought the row down: the photo is listed once, as sent.
    expect(await d.db.table('attachments').get(photoId)).toMatchObject({ entity: 'rejects', entityId: rejectId });
    expect(await photosOf(d.db, rejectId)).toMatchObject([{ id: photoId, state: 'sent' }]);
    await d.engine.sync();
    expect(posts).toEqual([1]);
    const paint = await makeDevice(h, 'operator.paint');
    await paint.engine.sync();
    expect(await paint.db.table('attachments').count()).toBe(0);
    d.close();
    paint.close();
  });

  it('a photo the server refuses goes to Sync issues with the reason; try again queues it, discard removes it', async () => {
    const d = await makeDevice(h, 'operator.press');
    await d.engine.sync();
    const { photoId } = await offlineRejectWithPhoto(d, new TextEncoder().encode('<svg/>'));
    d.network.offline = false;
    await d.engine.sync();
    const refused = await d.db.photoBlobs.get(photoId);
    expect(refused).toMatchObject({ state: 'refused', code: 'validation_failed', lastError: 'The file is not a JPEG, PNG or WebP image.' });
    expect(await openIssueCount(d.db)).toBe(1);
    // Still unsent: sign-out waits for it.
    expect(await unsentPhotoCount(d.db)).toBe(1);
    await retryPhoto(d.db, photoId, new Date().toISOString());
    expect(await d.db.photoBlobs.get(photoId)).toMatchObject({ state: 'pending', attempts: 0 });
    await discardPhoto(d.db, photoId);
    expect(await openIssueCount(d.db)).toBe(0);
    expect(await unsentPhotoCount(d.db)).toBe(0);
    d.close();
  });

  it('a photo for a record the server does not have yet is tried again with growing waits, not refused', async () => {
    expect([1, 2, 3, 4].map(backoffMs)).toEqual([5_000, 10_000, 20_000, 40_000]);
    expect(backoffMs(20)).toBe(600_000);
    const d = await makeDevice(h, 'operator.press');
    await d.engine.sync();
    // A record the server has never seen, and no queued change names it: the upload answers 409 not_synced_yet.
    const photoId = uuidv7();
    const before = Date.now();
    await addPhoto(d.db, { id: photoId, entity: 'rejects', entityId: uuidv7(), blob: new Blob([jpegBytes() as Uint8Array<ArrayBuffer>], { type: 'image/jpeg' }), width: 1600, height: 1200, userId: d.user.id, now: new Date().toISOString() });
    let uploads = 0;
    d.network.onRequest = (url) => { if (url === '/api/attachments') uploads++; };
    await d.engine.sync();
    const first = (await d.db.photoBlobs.get(photoId))!;
    expect(first).toMatchObject({ state: 'pending', attempts: 1, code: 'not_synced_yet' });
    expect(Date.parse(first.nextAttemptAt) - before).toBeGreaterThanOrEqual(5_000);
    // Its turn has not come: the next sync leaves it alone.
    await d.engine.sync();
    expect(uploads).toBe(1);
    // When it has, the wait doubles.
    await d.db.photoBlobs.update(photoId, { nextAttemptAt: new Date(0).toISOString() });
    const again = Date.now();
    await d.engine.sync();
    const second = (await d.db.photoBlobs.get(photoId))!;
    expect(second).toMatchObject({ state: 'pending', attempts: 2 });
    expect(Date.parse(second.nextAttemptAt) - again).toBeGreaterThanOrEqual(10_000);
    expect(await openIssueCount(d.db)).toBe(0);
    d.close();
  });
});
