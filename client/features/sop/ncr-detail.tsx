// One NCR: the form (filled in offline, saved as a field-merged edit), submit — each missing field is
// marked at the field by the shared mutator, offline too — approve or return for the head or a manager,
// and a printable view with every field, the history and the signatures (the browser's "Save as PDF").
import { useState } from 'preact/hooks';
import { editOf } from '../../../sync/merge';
import { fieldLabel } from '../../../sync/labels';
import { mayEditNcr, ncrDecisionProblem } from '../../../sync/ncr';
import type { NcrReport } from '../../../sync/tables';
import { useSession } from '../../app-state';
import { useLive } from '../../db/live';
import { rowById } from '../../db/rows';
import { Empty, Field, FormError, Link, Loading, Num, PageHead, SelectField, Status, TextArea, TextField, useDirty } from '../../ui/components';
import { NO_ERRORS, num, useAction } from '../../ui/form';
import { formatTime as when, words } from '../../ui/format';
import { machineName, useLookups, userName, type Lookups } from '../shared/lookups';
import { deptName, HISTORY_WORDS } from './shared';

type Values = { what: string; quantityAffected: string; containment: string; rootCause: string; correctiveAction: string; preventiveAction: string; ownerId: string; dueDate: string };

const valuesOf = (n: NcrReport): Values => ({
  what: n.what, quantityAffected: String(n.quantityAffected), containment: n.containment, rootCause: n.rootCause,
  correctiveAction: n.correctiveAction, preventiveAction: n.preventiveAction, ownerId: n.ownerId ?? '', dueDate: n.dueDate ?? '',
});

export function NcrDetail({ id }: { id: string }) {
  const { db } = useSession();
  const lookups = useLookups(db);
  const ncr = useLive(() => rowById(db, 'ncrReports', id), [db, id]);
  if (ncr === undefined || !lookups) return <Loading />;
  if (!ncr) return <Empty>This NCR is not on this device.</Empty>;
  return <NcrView key={ncr.id} ncr={ncr} l={lookups} />;
}

function NcrView({ ncr, l }: { ncr: NcrReport; l: Lookups }) {
  const { app, user } = useSession();
  const dept = l.departments.get(ncr.departmentId);
  const editable = (ncr.status === 'draft' || ncr.status === 'returned') && mayEditNcr(user, ncr, dept);
  const [base, setBase] = useState<Values>(() => valuesOf(ncr));
  const [values, setValues] = useState<Values>(() => valuesOf(ncr));
  const [note, setNote] = useState('');
  const [saved, setSaved] = useState<string | null>(null);
  const { errors, busy, run, setErrors } = useAction();
  const dirty = JSON.stringify(values) !== JSON.stringify(base);
  useDirty(editable && dirty);
  const set = (f: keyof Values) => (v: string) => { setValues({ ...values, [f]: v }); setSaved(null); };

  const typed = (x: Values) => ({
    what: x.what, quantityAffected: num(x.quantityAffected), containment: x.containment, rootCause: x.rootCause,
    correctiveAction: x.correctiveAction, preventiveAction: x.preventiveAction, ownerId: x.ownerId || null, dueDate: x.dueDate || null,
  });
  async function save() {
    if (!dirty) return;
    const { base: seen, changes } = editOf(typed(base), typed(values));
    await app.mutate('ncr.update', { id: ncr.id, base: seen, changes });
    setBase(values);
  }
  async function onSave(e: Event) {
    e.preventDefault();
    if (await run(save)) setSaved('Saved on this device; it syncs by itself.');
  }
  async function submit() {
    setErrors(NO_ERRORS);
    await run(async () => {
      await save();
      await app.mutate('ncr.transition', { id: ncr.id, from: ncr.status, to: 'submitted' });
    });
  }
  const decision = ncr.status === 'submitted' ? ncrDecisionProblem(user, ncr, dept) : 'not submitted';
  async function decide(to: 'approved' | 'returned') {
    if (await run(() => app.mutate('ncr.transition', { id: ncr.id, from: 'submitted', to, ...(note.trim() ? { note } : {}) }))) setNote('');
  }
  const owners = [...l.users.values()].filter((u) => u.active && !u.deletedAt && u.role !== 'technician' || u.id === ncr.ownerId)
    .sort((a, b) => a.displayName.localeCompare(b.displayName)).map((u) => ({ value: u.id, label: u.displayName }));
  const source = ncr.sourceType === 'sop' ? <Link href={`/sop/${ncr.sourceId}`}>the SOP ticket</Link> : words(ncr.sourceType);

  return (
    <>
      <p class="no-print">{ncr.sourceType === 'sop' ? <Link href={`/sop/${ncr.sourceId}`}>← SOP ticket</Link> : <Link href="/sop">← SOP tickets</Link>}</p>
      <PageHead title={ncr.number ? `NCR ${ncr.number}` : 'NCR (pending number)'}>
        <Status value={ncr.status} />
        <button type="button" class="btn no-print" onClick={() => window.print()}>Print / Save as PDF</button>
      </PageHead>
      {ncr.status === 'returned' && ncr.returnNote && <div class="banner warn"><p><strong>Returned:</strong> {ncr.returnNote}</p></div>}
      {editable ? (
        <form class="card no-print" onSubmit={onSave} noValidate aria-labelledby="ncr-form-h" data-testid="ncr-form">
          <h2 id="ncr-form-h">Non-conformance report</h2>
          <p class="muted">For {source} · {deptName(l, ncr.departmentId)}{ncr.machineId ? ` · ${machineName(l, ncr.machineId)}` : ''}. Every field is needed to submit.</p>
          <FormError message={errors.form} />
          <TextField label="What (requirement violated)" value={values.what} onValue={set('what')} error={errors.fields.what} />
          <TextField label="Quantity affected" inputMode="numeric" value={values.quantityAffected} onValue={set('quantityAffected')} error={errors.fields.quantityAffected} />
          <TextArea label="Containment" value={values.containment} onValue={set('containment')} error={errors.fields.containment} rows={2} />
          <TextArea label="Root cause" value={values.rootCause} onValue={set('rootCause')} error={errors.fields.rootCause} rows={2} />
          <TextArea label="Corrective action" value={values.correctiveAction} onValue={set('correctiveAction')} error={errors.fields.correctiveAction} rows={2} />
          <TextArea label="Preventive action" value={values.preventiveAction} onValue={set('preventiveAction')} error={errors.fields.preventiveAction} rows={2} />
          <div class="grid two">
            <SelectField label="Owner" value={values.ownerId} onValue={set('ownerId')} error={errors.fields.ownerId} placeholder="Choose the owner" options={owners} />
            <Field label="Due date" error={errors.fields.dueDate}>
              {(fid, d) => <input id={fid} class="input" type="date" aria-invalid={!!errors.fields.dueDate} aria-describedby={d} value={values.dueDate} onInput={(e) => set('dueDate')(e.currentTarget.value)} />}
            </Field>
          </div>
          {saved && <p class="muted" role="status">{saved}</p>}
          <div class="actions">
            <button class="btn big" type="submit" disabled={busy || !dirty}>Save draft</button>
            <button class="btn big go" type="button" disabled={busy} onClick={submit}>Submit for approval</button>
          </div>
        </form>
      ) : null}
      {ncr.status === 'submitted' && (
        <form class="card no-print" onSubmit={(e) => e.preventDefault()} noValidate aria-labelledby="ncr-decide-h">
          <h2 id="ncr-decide-h">Approval</h2>
          <FormError message={errors.form} />
          {decision ? <p class="muted" data-testid="ncr-why">{decision}</p> : (
            <>
              <TextField label="Note (required to return)" value={note} onValue={setNote} error={errors.fields.note} />
              <div class="actions">
                <button class="btn big go" type="button" onClick={() => decide('approved')}>Approve</button>
                <button class="btn big stop" type="button" onClick={() => decide('returned')}>Return</button>
              </div>
            </>
          )}
        </form>
      )}
      <NcrPrint ncr={ncr} l={l} />
    </>
  );
}

/** Every field, the history and the signatures: what the printout (or PDF) holds. */
function NcrPrint({ ncr, l }: { ncr: NcrReport; l: Lookups }) {
  const row = (label: string, value: string | number | null) => <><dt>{label}</dt><dd>{value === null || value === '' ? '—' : value}</dd></>;
  return (
    <section class="card ncr-print" aria-labelledby="ncr-print-h" data-testid="ncr-print">
      <h2 id="ncr-print-h">NCR {ncr.number ?? '(pending number)'} — {words(ncr.status)}</h2>
      <dl class="facts">
        {row('Source', ncr.sourceType === 'sop' ? 'SOP ticket' : words(ncr.sourceType))}
        {row('Department', deptName(l, ncr.departmentId))}
        {row('Machine', ncr.machineId ? machineName(l, ncr.machineId) : null)}
        {row('What (requirement violated)', ncr.what)}
        {row('Quantity affected', ncr.quantityAffected)}
        {row('Containment', ncr.containment)}
        {row('Root cause', ncr.rootCause)}
        {row('Corrective action', ncr.correctiveAction)}
        {row('Preventive action', ncr.preventiveAction)}
        {row('Owner', ncr.ownerId ? userName(l, ncr.ownerId) : null)}
        {row('Due date', ncr.dueDate)}
      </dl>
      <h3>Signatures</h3>
      <dl class="facts signatures" data-testid="ncr-signatures">
        {row('Opened by', `${userName(l, ncr.createdBy)}, ${when(ncr.createdAt)}`)}
        {row('Submitted by', ncr.submittedBy ? `${userName(l, ncr.submittedBy)}, ${when(ncr.submittedAt)}` : null)}
        {row('Approved by', ncr.approvedBy ? `${userName(l, ncr.approvedBy)}, ${when(ncr.approvedAt)}` : null)}
      </dl>
      <h3>History</h3>
      <ol class="timeline">
        {ncr.history.map((e, i) => (
          <li key={`${e.at}-${i}`}>
            <div class="when">{when(e.at)} · {l.users.get(e.userId)?.displayName ?? 'the system'}</div>
            <strong>{e.kind === 'transition' ? `${words(e.from)} → ${words(e.to)}` : HISTORY_WORDS[e.kind] ?? words(e.kind)}</strong>
            {e.note ? <div>{e.kind === 'edited' ? e.note.split(', ').map(fieldLabel).join(', ') : e.note}</div> : null}
          </li>
        ))}
      </ol>
      <p class="muted"><Num value={ncr.number} /> · printed from Barron PMS</p>
    </section>
  );
}
