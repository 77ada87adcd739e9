// Raise an SOP ticket against another department: on a phone, offline, in under a minute — pick the
// machine (which names the department and narrows the SOPs) or the SOP by its code, a severity, a line.
import { useState } from 'preact/hooks';
import { uuidv7 } from '../../../sync/ids';
import { SEVERITIES } from '../../../sync/sop';
import { useSession } from '../../app-state';
import { useLive } from '../../db/live';
import { allRows } from '../../db/rows';
import { FormError, Link, Loading, PageHead, SelectField, TextArea, useDirty } from '../../ui/components';
import { choice, useAction } from '../../ui/form';
import { navigate } from '../../ui/router';
import { useLookups } from '../shared/lookups';
import { SEVERITY_WORDS } from './shared';

export function SopRaise() {
  const { app, db, user } = useSession();
  const lookups = useLookups(db);
  const sops = useLive(() => allRows(db, 'sops'), [db]);
  const [machineId, setMachineId] = useState('');
  const [againstDepartmentId, setAgainst] = useState('');
  const [sopId, setSopId] = useState('');
  const [severity, setSeverity] = useState('medium');
  const [description, setDescription] = useState('');
  const { errors, busy, run } = useAction();
  useDirty(!!(sopId || description) && !busy);
  if (!lookups || !sops) return <Loading />;

  const others = [...lookups.departments.values()].filter((d) => d.active && !d.deletedAt && d.id !== user.departmentId)
    .sort((a, b) => a.name.localeCompare(b.name));
  const machines = [...lookups.machines.values()].filter((m) => m.active && !m.deletedAt && m.departmentId !== user.departmentId)
    .sort((a, b) => a.code.localeCompare(b.code));
  const liveSops = sops.filter((s) => s.active && !s.deletedAt).sort((a, b) => a.code.localeCompare(b.code));
  // The department's own SOPs first, then the rest (a breach may be of another department's procedure).
  const sopOptions = [...liveSops.filter((s) => !againstDepartmentId || s.departmentId === againstDepartmentId),
    ...liveSops.filter((s) => againstDepartmentId && s.departmentId !== againstDepartmentId)]
    .map((s) => ({ value: s.id, label: `${s.code} — ${s.title}` }));

  function pickMachine(id: string) {
    setMachineId(id);
    const m = lookups!.machines.get(id);
    if (m) {
      setAgainst(m.departmentId);
      const first = liveSops.find((s) => s.departmentId === m.departmentId);
      if (first && !sopId) setSopId(first.id);
    }
  }
  function pickSop(id: string) {
    setSopId(id);
    const s = liveSops.find((x) => x.id === id);
    if (s && !againstDepartmentId && s.departmentId !== user.departmentId) setAgainst(s.departmentId);
  }

  async function submit(e: Event) {
    e.preventDefault();
    const id = uuidv7();
    const ok = await run(() => app.mutate('sop.raise', {
      id, sopId, againstDepartmentId, severity: choice(SEVERITIES, severity, 'severity'), description,
      ...(machineId ? { machineId } : {}),
    }));
    if (ok) navigate(`/sop/${id}`, true);
  }

  return (
    <>
      <p><Link href="/sop">← SOP tickets</Link></p>
      <PageHead title="Raise an SOP ticket" />
      <form class="card" onSubmit={submit} noValidate>
        <FormError message={errors.form} />
        <SelectField label="Machine (optional)" value={machineId} onValue={pickMachine} error={errors.fields.machineId} placeholder="No machine"
          options={machines.map((m) => ({ value: m.id, label: `${m.code} — ${m.name}` }))} hint="Picking the machine fills in its department." />
        <SelectField label="Against department" value={againstDepartmentId} onValue={setAgainst} error={errors.fields.againstDepartmentId} placeholder="Choose the department"
          options={others.map((d) => ({ value: d.id, label: d.name }))} />
        <SelectField label="SOP broken" value={sopId} onValue={pickSop} error={errors.fields.sopId} placeholder="Choose the SOP by code" options={sopOptions} />
        <fieldset class="field severity">
          <legend>Severity</legend>
          <div class="chips">
            {[...SEVERITIES].reverse().map((s) => (
              <label key={s} class={`chip sev-${s}`}><input type="radio" name="severity" value={s} checked={severity === s} onChange={() => setSeverity(s)} /> {SEVERITY_WORDS[s]}</label>
            ))}
          </div>
          {errors.fields.severity && <span class="field-error" role="alert">{errors.fields.severity}</span>}
        </fieldset>
        <TextArea label="What happened" value={description} onValue={setDescription} error={errors.fields.description} rows={3} />
        <button class="btn primary big wide" type="submit" disabled={busy}>Raise ticket</button>
      </form>
    </>
  );
}
