// The photos the server refused, on the Sync issues page: the reason, and "Try again" or "Discard".
import { useSession } from '../../app-state';
import { useLive } from '../../db/live';
import { discardPhoto, refusedPhotos, retryPhoto } from '../../db/photos';
import type { PhotoBlob } from '../../db/db';
import { FormError, Link } from '../../ui/components';
import { useAction } from '../../ui/form';
import { when } from '../../ui/format';
import { PhotoList } from './photos';

const PAGE_OF: Record<string, string> = { rejects: '/rejects', customerReturns: '/returns' };

export function RefusedPhotos() {
  const { db } = useSession();
  const photos = useLive(() => refusedPhotos(db), [db]);
  if (!photos || photos.length === 0) return null;
  return (
    <section aria-labelledby="refused-photos-h" data-testid="refused-photos">
      <h2 id="refused-photos-h">Photos not accepted</h2>
      <div class="list">{photos.map((p) => <RefusedPhoto key={p.id} photo={p} />)}</div>
    </section>
  );
}

function RefusedPhoto({ photo }: { photo: PhotoBlob }) {
  const { app, db } = useSession();
  const { errors, busy, run } = useAction();
  const page = PAGE_OF[photo.entity];
  return (
    <article class="card" data-testid="refused-photo">
      <PhotoList photos={[{ id: photo.id, width: photo.width, height: photo.height, createdAt: photo.createdAt, createdBy: photo.userId, blob: photo.blob, state: 'refused' }]} />
      <p><strong>Refused: {photo.lastError ?? 'the server did not take this photo'}</strong>{photo.code && <span class="small muted"> ({photo.code})</span>}</p>
      <p class="small muted">Taken on this device {when(photo.createdAt)}{page && <> · <Link href={`${page}/${photo.entityId}`}>open the record</Link></>}</p>
      <FormError message={errors.form} />
      <div class="actions">
        <button class="btn primary big" disabled={busy} onClick={() => run(async () => { await retryPhoto(db, photo.id, new Date().toISOString()); await app.syncNow().catch(() => undefined); })}>Try again</button>
        <button class="btn big" disabled={busy} onClick={() => run(() => discardPhoto(db, photo.id))}>Discard photo</button>
      </div>
    </article>
  );
}
