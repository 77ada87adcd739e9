// Photos of a quality record (a reject; a return once that module lands): the list with each photo's
// state, and the camera / gallery button. Self-contained: mount <Photos entity entityId /> anywhere
// under a session. Photos taken here show at once from IndexedDB, offline; others' are fetched online
// (and kept by the service worker's photo cache). <PhotoDraft> collects photos on a form before its
// record exists; savePhotos() keeps them after the record's mutation.
import { useEffect, useState } from 'preact/hooks';
import { uuidv7 } from '../../../sync/ids';
import { PHOTO_ROLES, type AttachmentEntity } from '../../../sync/attachments';
import { useSession } from '../../app-state';
import type { BarronDB } from '../../db/db';
import { useLive } from '../../db/live';
import { addPhoto, photosOf, type ShownPhoto } from '../../db/photos';
import { FormError } from '../../ui/components';
import { useAction } from '../../ui/form';
import { when } from '../../ui/format';
import { compressPhoto, type Compressed } from './compress';
import './photos.css';

/** An object URL for a Blob, revoked when the component goes. */
function useObjectUrl(blob: Blob | null): string | null {
  const [url, setUrl] = useState<string | null>(null);
  useEffect(() => {
    if (!blob) return setUrl(null);
    const u = URL.createObjectURL(blob);
    setUrl(u);
    return () => URL.revokeObjectURL(u);
  }, [blob]);
  return url;
}

/** A photo's image: this device's Blob, or the server's file fetched as the signed-in user. */
function PhotoImage({ photo, label }: { photo: ShownPhoto; label: string }) {
  const { app, user } = useSession();
  const [fetched, setFetched] = useState<Blob | null>(null);
  const [failed, setFailed] = useState(false);
  const online = app.online.value;
  useEffect(() => {
    if (photo.blob || fetched) return;
    let live = true;
    setFailed(false);
    // `u` keys the service worker's cache by user, so a shared device never shows one user another's photo.
    app.engine.value?.client.request<Blob>(`/api/attachments/${photo.id}?u=${user.id}`, { as: 'blob' })
      .then((b) => live && setFetched(b), () => live && setFailed(true));
    return () => { live = false; };
  }, [photo.id, photo.blob, online]);
  const url = useObjectUrl(photo.blob ?? fetched);
  if (!url) return <div class="photo-missing" role="img" aria-label={label}>{failed ? 'Shown when online' : 'Loading…'}</div>;
  return (
    <a href={url} target="_blank" rel="noopener" class="photo-link" aria-label={`${label} (opens full size)`}>
      <img src={url} alt={label} width={photo.width} height={photo.height} loading="lazy" />
    </a>
  );
}

const STATE_TEXT: Record<ShownPhoto['state'], string> = { pending: 'not sent yet', refused: 'refused: see Sync issues', sent: 'sent' };

export function PhotoList({ photos }: { photos: ShownPhoto[] }) {
  if (photos.length === 0) return <p class="muted">No photos yet.</p>;
  return (
    <ul class="photos" data-testid="photos">
      {photos.map((p, i) => (
        <li key={p.id} data-state={p.state}>
          <PhotoImage photo={p} label={`Photo ${i + 1}, ${p.width} × ${p.height}`} />
          <span class={`small ${p.state === 'refused' ? 'form-error' : 'muted'}`}>{when(p.createdAt)} · {STATE_TEXT[p.state]}</span>
        </li>
      ))}
    </ul>
  );
}

/** The camera / gallery button: `onPicked` gets each picture chosen. */
function AddPhotoButton({ onPicked, busy, error }: { onPicked: (f: File) => Promise<unknown>; busy: boolean; error?: string }) {
  const [inputId] = useState(() => `photo-${uuidv7()}`);
  return (
    <div class="field">
      <label class={`btn big photo-add${busy ? ' busy' : ''}`} for={inputId}>{busy ? 'Saving photo…' : 'Add a photo'}</label>
      <input id={inputId} class="visually-hidden" type="file" accept="image/*" capture="environment" disabled={busy} data-testid="photo-input"
        aria-invalid={error ? true : undefined} aria-describedby={error ? `${inputId}-error` : undefined}
        onChange={async (e) => {
          const input = e.currentTarget;
          const files = [...(input.files ?? [])];
          input.value = '';
          for (const f of files) await onPicked(f);
        }} />
      {error && <span class="error" id={`${inputId}-error`} role="alert">{error}</span>}
    </div>
  );
}

/** The photos of a record, and a way to add one (for the roles that log and review rejects). */
export function Photos({ entity, entityId }: { entity: AttachmentEntity; entityId: string }) {
  const { app, db, user } = useSession();
  const photos = useLive(() => photosOf(db, entityId), [db, entityId]);
  const { errors, busy, run } = useAction();
  const mayAdd = PHOTO_ROLES.includes(user.role);
  return (
    <section class="card" aria-labelledby={`photos-${entityId}`} data-testid="photos-card">
      <h2 id={`photos-${entityId}`}>Photos</h2>
      {photos ? <PhotoList photos={photos} /> : <p class="muted">Loading…</p>}
      <FormError message={errors.form && !errors.fields.photo ? errors.form : null} />
      {mayAdd && (
        <AddPhotoButton busy={busy} error={errors.fields.photo}
          onPicked={(f) => run(async () => {
              const c = await compressPhoto(f);
              await addPhoto(db, { id: uuidv7(), entity, entityId, blob: c.blob, width: c.width, height: c.height, userId: user.id, now: new Date().toISOString() });
              // The upload rides on the next sync; a photo never waits for a button.
              void app.syncNow().catch(() => undefined);
            })} />
      )}
    </section>
  );
}

/** A new record's photos, held until the record is made (then `savePhotos`). */
export function PhotoDraft({ value, onValue }: { value: Compressed[]; onValue: (update: (prev: Compressed[]) => Compressed[]) => void }) {
  const { errors, busy, run } = useAction();
  const shown: ShownPhoto[] = value.map((c, i) => ({ id: `draft-${i}`, width: c.width, height: c.height, createdAt: new Date().toISOString(), createdBy: '', blob: c.blob, state: 'pending' }));
  return (
    <fieldset class="photo-draft">
      <legend>Photos (optional)</legend>
      {value.length > 0 && (
        <ul class="photos" data-testid="photo-draft">
          {shown.map((p, i) => (
            <li key={i}>
              <PhotoImage photo={p} label={`New photo ${i + 1}`} />
              <button type="button" class="btn" onClick={() => onValue((prev) => prev.filter((_, j) => j !== i))}>Remove photo {i + 1}</button>
            </li>
          ))}
        </ul>
      )}
      <AddPhotoButton busy={busy} error={errors.fields.photo ?? errors.form ?? undefined} onPicked={(f) => run(async () => { const c = await compressPhoto(f); onValue((prev) => [...prev, c]); })} />
    </fieldset>
  );
}

/** Keeps a new record's photos on the device, queued to upload once the record's create is acknowledged. */
export async function savePhotos(db: BarronDB, userId: string, entity: AttachmentEntity, entityId: string, photos: Compressed[]) {
  const now = new Date().toISOString();
  for (const c of photos) await addPhoto(db, { id: uuidv7(), entity, entityId, blob: c.blob, width: c.width, height: c.height, userId, now });
}
