// Logging a reject on the floor (works offline): machine, defect, quantity, the stage it came from.
import { useState } from 'preact/hooks';
import { uuidv7 } from '../../../sync/ids';
import { worksIn } from '../../../sync/permissions';
import { canSee } from '../../../sync/tables';
import { useSession } from '../../app-state';
import { useLive } from '../../db/live';
import { allRows } from '../../db/rows';
import { FormError, Link, Loading, PageHead, SelectField, Stepper, TextArea, useDirty } from '../../ui/components';
import { num, useAction } from '../../ui/form';
import { navigate, query } from '../../ui/router';
import { machineName, machineOptions, useLookups } from '../shared/lookups';
import { PhotoDraft, savePhotos } from '../quality-photos/photos';
import type { Compressed } from '../quality-photos/compress';

export function NewReject() {
  const { app, db, user } = useSession();
  const lookups = useLookups(db);
  const q = query();
  const stages = useLive(async () => {
    const all = await allRows(db, 'stages');
    return all.filter((s) => ['running', 'paused', 'ready'].includes(s.status) && canSee(user, 'stages', s));
  }, [db]);
  const [machineId, setMachineId] = useState(q.get('machineId') ?? '');
  const [defectCodeId, setDefectCodeId] = useState('');
  const [quantity, setQuantity] = useState('1');
  const [stageId, setStageId] = useState(q.get('stageId') ?? '');
  const [description, setDescription] = useState('');
  const [photos, setPhotos] = useState<Compressed[]>([]);
  const { errors, busy, run } = useAction();
  useDirty(!!(machineId || defectCodeId || description || photos.length) && !busy);
  if (!lookups || !stages) return <Loading />;

  async function submit(e: Event) {
    e.preventDefault();
    const id = uuidv7();
    const ok = await run(() => app.mutate('reject.create', {
      id, machineId, defectCodeId, quantity: num(quantity),
      ...(stageId ? { stageId } : {}), ...(description.trim() ? { description } : {}),
    }));
    if (!ok) return;
    // The reject is queued first; its photos follow it (never the other way round).
    await savePhotos(db, user.id, 'rejects', id, photos).catch((err) => app.reportError('Keeping the photos', err));
    navigate(`/rejects/${id}`, true);
  }

  return (
    <>
      <p><Link href="/rejects">← Rejects</Link></p>
      <PageHead title="Log a reject" />
      <form class="card" onSubmit={submit} noValidate>
        <FormError message={errors.form} />
        <div class="grid two">
          <SelectField label="Machine" value={machineId} onValue={setMachineId} error={errors.fields.machineId} placeholder="Choose the machine"
            options={machineOptions(lookups, user, worksIn)} />
          <SelectField label="Defect" value={defectCodeId} onValue={setDefectCodeId} error={errors.fields.defectCodeId} placeholder="Choose the defect"
            options={[...lookups.defectCodes.values()].filter((d) => d.active).sort((a, b) => a.code.localeCompare(b.code)).map((d) => ({ value: d.id, label: `${d.code} — ${d.name}` }))} />
          <Stepper label="Quantity" value={quantity} onValue={setQuantity} error={errors.fields.quantity} />
          <SelectField label="Stage (optional)" value={stageId} onValue={setStageId} error={errors.fields.stageId} placeholder="No stage"
            options={stages.map((s) => ({ value: s.id, label: `${s.sequence}. ${s.name} · ${machineName(lookups, s.machineId)}` }))} />
        </div>
        <TextArea label="What is wrong (optional)" value={description} onValue={setDescription} error={errors.fields.description} rows={3} />
        <PhotoDraft value={photos} onValue={setPhotos} />
        <button class="btn primary big wide" type="submit" disabled={busy}>Log reject</button>
      </form>
    </>
  );
}
