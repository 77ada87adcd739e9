// Corrective actions (CAPA) on a reject or a return, and one action as a card with the moves this
// user may make: mark done (the owner or a lead), verify or send back (a lead, never the owner — a
// refusal shows at the buttons with its reason). Everything works offline: the device runs the mutators.
import { useState } from 'preact/hooks';
import { uuidv7 } from '../../../sync/ids';
import { mayUse } from '../../../sync/mutations';
import { actionMoveRefusal, isOverdue, seesActionSource, type ActionSourceType } from '../../../sync/quality';
import { allowedMoves, CORRECTIVE_ACTION, type CorrectiveActionStatus } from '../../../sync/state-machines';
import type { CorrectiveAction } from '../../../sync/tables';
import { useSession } from '../../app-state';
import { useLive } from '../../db/live';
import { actionsOf, localToday } from '../../db/rows';
import { Field, FormError, Link, Num, SelectField, Status, TextArea, useDirty } from '../../ui/components';
import { useAction } from '../../ui/form';
import { formatTime } from '../../ui/format';
import { isLocal, userName, type Lookups } from '../shared/lookups';
import { DownloadCsv, qs } from '../../ui/download';

const MOVE_LABEL: Record<CorrectiveActionStatus, string> = { done: 'Mark done', verified: 'Verify', open: 'Send back' };

/** A due day as people read it, with "overdue" in words as well as in red. */
export function DueDate({ action, today }: { action: CorrectiveAction; today: string }) {
  const late = isOverdue(action, today);
  return <span class={late ? 'overdue' : undefined} data-testid={late ? 'overdue' : undefined}>Due {action.dueDate}{late ? ' · overdue' : ''}</span>;
}

/** Where an action comes from, as a link to it. */
export function SourceLink({ action }: { action: CorrectiveAction }) {
  if (action.sourceType === 'reject') return <Link href={`/rejects/${action.sourceId}`}>the reject</Link>;
  if (action.sourceType === 'return') return <Link href={`/returns/${action.sourceId}`}>the customer return</Link>;
  return <span>an NCR</span>;
}

export function ActionCard({ action: a, lookups, showSource }: { action: CorrectiveAction; lookups: Lookups; showSource?: boolean }) {
  const { app, user } = useSession();
  const [note, setNote] = useState('');
  const { errors, busy, run } = useAction();
  useDirty(!!note);
  const today = localToday();
  // "Mark done" only where it would be taken; verify and send back are offered to every lead, and the
  // mutator's refusal (the owner) is shown right here with its reason.
  const moves = allowedMoves(CORRECTIVE_ACTION, a.status, user.role).filter((to) => to !== 'done' || !actionMoveRefusal(user, a, 'done'));
  async function move(to: CorrectiveActionStatus) {
    if (await run(() => app.mutate('action.transition', { id: a.id, from: a.status, to, ...(note.trim() ? { note } : {}) }))) setNote('');
  }
  return (
    <li class={`action-card a-${a.status}${isOverdue(a, today) ? ' late' : ''}`} data-testid="action-card" data-action-id={a.id}>
      <div class="top">
        <span class="title"><Num value={a.number} /></span>
        <span class="row">{isLocal(a) && <span class="local">not synced</span>}<Status value={a.status} /></span>
      </div>
      <p class="desc">{a.description}</p>
      <div class="meta">
        <span>Owner: {userName(lookups, a.ownerId)}{a.ownerId === user.id ? ' (you)' : ''}</span>
        <DueDate action={a} today={today} />
        {showSource && <span>From <SourceLink action={a} /></span>}
      </div>
      {a.doneNote && <p class="small"><strong>Done:</strong> {a.doneNote}</p>}
      {a.reopenNote && a.status === 'open' && <p class="small"><strong>Sent back:</strong> {a.reopenNote}</p>}
      {a.verifiedBy && <p class="small">Verified {formatTime(a.verifiedAt)} by {userName(lookups, a.verifiedBy)}</p>}
      {moves.length > 0 && (
        <div class="action-moves">
          <TextArea label={a.status === 'done' ? 'Note (needed to send it back)' : 'Note (optional)'} value={note} onValue={setNote} error={errors.fields.note} rows={2} />
          <div class="actions">
            {moves.map((to) => (
              <button key={to} type="button" class={`btn big ${to === 'open' ? 'stop' : 'go'}`} disabled={busy} aria-describedby={errors.fields.to ? `${a.id}-to` : undefined} onClick={() => move(to)}>
                {MOVE_LABEL[to]}
              </button>
            ))}
          </div>
          {errors.fields.to && <span class="field-error" id={`${a.id}-to`} role="alert" data-testid="action-refusal">{errors.fields.to}</span>}
          {!errors.fields.to && <FormError message={errors.fields.note ? null : errors.form} />}
        </div>
      )}
    </li>
  );
}

function NewAction({ sourceType, sourceId, lookups, onDone }: { sourceType: ActionSourceType; sourceId: string; lookups: Lookups; onDone: () => void }) {
  const { app, user } = useSession();
  const [description, setDescription] = useState('');
  const [ownerId, setOwnerId] = useState('');
  const [dueDate, setDueDate] = useState('');
  const { errors, busy, run } = useAction();
  useDirty(!!(description || ownerId || dueDate) && !busy);
  const own = (d: string | null) => (d === user.departmentId ? 0 : 1);
  const owners = [...lookups.users.values()].filter((u) => u.active && !u.deletedAt)
    .sort((a, b) => own(a.departmentId) - own(b.departmentId) || a.displayName.localeCompare(b.displayName))
    .map((u) => ({ value: u.id, label: `${u.displayName}${u.departmentId ? ` · ${lookups.departments.get(u.departmentId)?.name ?? ''}` : ''}` }));
  async function submit(e: Event) {
    e.preventDefault();
    if (await run(() => app.mutate('action.create', { id: uuidv7(), sourceType, sourceId, description, ownerId, dueDate }))) onDone();
  }
  return (
    <form class="card flat" onSubmit={submit} noValidate aria-label="New corrective action" data-testid="new-action">
      <FormError message={errors.form} />
      <TextArea label="What will be done" value={description} onValue={setDescription} error={errors.fields.description} rows={2} />
      <div class="grid two">
        <SelectField label="Owner" value={ownerId} onValue={setOwnerId} error={errors.fields.ownerId} placeholder="Choose who does it" options={owners} />
        <Field label="Due date" error={errors.fields.dueDate}>
          {(id, d) => <input id={id} class="input" type="date" min={localToday()} aria-invalid={!!errors.fields.dueDate} aria-describedby={d} value={dueDate} onInput={(e) => setDueDate(e.currentTarget.value)} />}
        </Field>
      </div>
      <div class="actions">
        <button type="button" class="btn big" onClick={onDone}>Cancel</button>
        <button type="submit" class="btn primary big" disabled={busy}>Add action</button>
      </div>
    </form>
  );
}

/** The corrective actions of one reject or return; a lead who sees the source adds new ones. */
export function CorrectiveActions({ sourceType, sourceId, departmentIds, lookups }: { sourceType: ActionSourceType; sourceId: string; departmentIds: string[]; lookups: Lookups }) {
  const { db, user } = useSession();
  const rows = useLive(() => actionsOf(db, sourceId), [db, sourceId]);
  const [adding, setAdding] = useState(false);
  const mayRaise = mayUse(user.role, 'action.create') && seesActionSource(user, { departmentIds });
  return (
    <section class="card" aria-labelledby={`ca-${sourceId}`} data-testid="corrective-actions">
      <div class="row" style="justify-content:space-between">
        <h2 id={`ca-${sourceId}`} style="margin:0">Corrective actions</h2>
        <span class="row">
          {!!rows?.length && <DownloadCsv path={`/api/actions/export.csv${qs({ sourceType, sourceId })}`} />}
          {mayRaise && !adding && <button type="button" class="btn" onClick={() => setAdding(true)}>+ Add action</button>}
        </span>
      </div>
      {adding && <NewAction sourceType={sourceType} sourceId={sourceId} lookups={lookups} onDone={() => setAdding(false)} />}
      {rows && rows.length === 0 && !adding && <p class="muted">No corrective actions yet.</p>}
      <ul class="action-list">
        {rows?.map((a) => <ActionCard key={a.id} action={a} lookups={lookups} />)}
      </ul>
    </section>
  );
}
