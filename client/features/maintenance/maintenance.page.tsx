// Maintenance tickets: the filtered list (a technician's own tickets first, by SLA time left), a request
// form that works offline, and a ticket's page with its SLA clocks, the moves the shared state machine
// allows this role, the checklist, field edits, comments, history and (client/features/audit/) the audit trail.
import { useState } from 'preact/hooks';
import { HOLD_REASONS, HOLD_REASON_LABELS, slaState, type HoldReason, type SlaState } from '../../../sync/sla';
import { MAINTENANCE_DEPARTMENT_CODE, mayAssignTo } from '../../../sync/permissions';
import { mayUse } from '../../../sync/mutations';
import { ClockBadge, currentClock, MaintenanceNav, SlaClocks, useNow, useSlaTargets } from './parts';
import './maintenance.css';
import { uuidv7 } from '../../../sync/ids';
import { MAINTENANCE_EDIT_FIELDS } from '../../../sync/mutations';
import { mayRaiseMaintenance, mayViewAudit } from '../../../sync/permissions';
import { allowedMoves, MAINTENANCE, type MaintenanceStatus } from '../../../sync/state-machines';
import type { MaintenanceTicket } from '../../../sync/tables';
import { useSession } from '../../app-state';
import { useLive } from '../../db/live';
import { AuditTrail } from '../audit/audit-trail';
import { allRows, rowById, rowsWhere } from '../../db/rows';
import { Empty, FormError, Link, Loading, Num, PageHead, Priority, SelectField, Status, TextArea, TextField, useDirty } from '../../ui/components';
import { choice, NO_ERRORS, num, useAction } from '../../ui/form';
import { formatTime as when, words } from '../../ui/format';
import { fieldLabel } from '../../../sync/labels';
import { navigate, query, useUrlFilters } from '../../ui/router';
import { isLocal, machineName, machineOptions, useLookups, userName, type Lookups } from '../shared/lookups';
import { DownloadCsv, qs } from '../../ui/download';

const VIEWS: [string, string[]][] = [
  ['Open', ['open', 'assigned', 'in_progress', 'on_hold']],
  ['Done', ['completed', 'verified']],
  ['Cancelled', ['cancelled']],
  ['All', [...MAINTENANCE.states]],
];
/** The SLA filter: open tickets whose running clock has run out, or has under 25 % of its target left (sync/sla.ts slaState). */
const SLA_FILTERS: [SlaState | '', string][] = [['', 'Any SLA'], ['breached', 'SLA breached'], ['near', 'Near breach']];
const PRIORITIES = [1, 2, 3, 4].map((p) => ({ value: String(p), label: ['', '1 — urgent', '2 — high', '3 — normal', '4 — low'][p] }));

export default function MaintenancePage({ id }: { id?: string }) {
  if (id === 'new') return <NewTicket />;
  return id ? <TicketDetail id={id} /> : <TicketList />;
}

function TicketList() {
  const { db, user } = useSession();
  const lookups = useLookups(db);
  const now = useNow();
  useSlaTargets();
  const rows = useLive(() => allRows(db, 'maintenanceTickets'), [db]);
  // The filters live in the URL (/maintenance?show=Open&priority=1&machineId=…&q=…&sla=breached), named as the export's parameters.
  const [f, setF] = useUrlFilters({ show: 'Open', priority: '', machineId: '', q: '', sla: '' });
  const view = Math.max(0, VIEWS.findIndex(([n]) => n === f.show));
  const { priority, machineId: machine, q: text } = f;
  const sla = SLA_FILTERS.some(([v]) => v === f.sla) ? (f.sla as SlaState) : '';
  if (!rows || !lookups) return <Loading />;
  const states = VIEWS[view][1];
  const needle = text.trim().toLowerCase();
  const shown = rows
    .filter((t) => !t.deletedAt && states.includes(t.status) && (!priority || t.priority === Number(priority)) && (!machine || t.machineId === machine))
    .filter((t) => !sla || slaState(t, now) === sla)
    .filter((t) => !needle || `${t.number ?? ''} ${t.description} ${machineName(lookups, t.machineId)}`.toLowerCase().includes(needle))
    .sort((a, b) => a.priority - b.priority || b.createdAt.localeCompare(a.createdAt));
  const timeLeft = (t: MaintenanceTicket) => currentClock(t, now).clock.leftMs ?? Number.MAX_SAFE_INTEGER;
  // A technician's phone: their own open tickets first, the one closest to breaching on top.
  const mine = user.role === 'technician' && view === 0
    ? shown.filter((t) => t.assigneeId === user.id).sort((a, b) => timeLeft(a) - timeLeft(b))
    : [];
  const others = mine.length ? shown.filter((t) => t.assigneeId !== user.id).sort((a, b) => timeLeft(a) - timeLeft(b)) : shown;
  const item = (t: MaintenanceTicket) => {
    const { which, clock } = currentClock(t, now);
    return (
      <Link class="item" key={t.id} href={`/maintenance/${t.id}`}>
        <div class="top">
          <span class="title"><Num value={t.number} /> · {machineName(lookups, t.machineId)}</span>
          <span class="row">{isLocal(t) && <span class="local">not synced</span>}<Status value={t.status} /></span>
        </div>
        <div>{t.description}</div>
        <div class="meta">
          <Priority value={t.priority} />
          {!['completed', 'verified', 'cancelled'].includes(t.status) && <ClockBadge label={which} clock={clock} state={slaState(t, now)} />}
          <span>{words(t.type)}</span>
          <span>{t.assigneeId ? `Assigned to ${userName(lookups, t.assigneeId)}` : 'Unassigned'}</span>
          <span>Raised {when(t.raisedAt ?? t.createdAt)}</span>
        </div>
      </Link>
    );
  };
  const machinesWithTickets = [...new Set([...rows.map((t) => t.machineId), ...(machine ? [machine] : [])])].map((m) => ({ value: m, label: machineName(lookups, m) })).sort((a, b) => a.label.localeCompare(b.label));
  return (
    <>
      <PageHead title="Maintenance">
        <DownloadCsv path={`/api/maintenance/export.csv${qs({ show: VIEWS[view][0], priority, machineId: machine, q: text.trim(), sla })}`} />
        <Link class="btn primary" href="/maintenance/new">+ New request</Link>
      </PageHead>
      <MaintenanceNav />
      <div class="chips" role="group" aria-label="Show">
        {VIEWS.map(([name], i) => <button key={name} class="chip" aria-pressed={view === i} onClick={() => setF({ show: name })}>{name}</button>)}
      </div>
      <div class="filters">
        <select class="input" aria-label="Priority" value={priority} onChange={(e) => setF({ priority: e.currentTarget.value })}>
          <option value="">Any priority</option>
          {PRIORITIES.map((p) => <option key={p.value} value={p.value}>{p.label}</option>)}
        </select>
        <select class="input" aria-label="Machine" value={machine} onChange={(e) => setF({ machineId: e.currentTarget.value })}>
          <option value="">Any machine</option>
          {machinesWithTickets.map((m) => <option key={m.value} value={m.value}>{m.label}</option>)}
        </select>
        <input class="input" type="search" placeholder="Search number or text" aria-label="Search" value={text} onInput={(e) => setF({ q: e.currentTarget.value })} />
        <select class="input" aria-label="SLA" value={sla} onChange={(e) => setF({ sla: e.currentTarget.value })}>
          {SLA_FILTERS.map(([v, l]) => <option key={v} value={v}>{l}</option>)}
        </select>
      </div>
      {mine.length > 0 && (
        <>
          <h2>My tickets</h2>
          <div class="list" data-testid="my-tickets">{mine.map(item)}</div>
          <h2>Other tickets</h2>
        </>
      )}
      {others.length === 0 ? <Empty>No tickets match.</Empty> : (
        <div class="list" data-testid="ticket-list">{others.map(item)}</div>
      )}
    </>
  );
}

function NewTicket() {
  const { app, db, user } = useSession();
  const lookups = useLookups(db);
  const [machineId, setMachineId] = useState(() => query().get('machine') ?? '');
  const [type, setType] = useState(user.role === 'technician' || user.role === 'admin' ? '' : 'corrective');
  const [priority, setPriority] = useState('3');
  const [description, setDescription] = useState('');
  const { errors, busy, run } = useAction();
  useDirty(!!(machineId || description) && !busy);
  if (!lookups) return <Loading />;

  async function submit(e: Event) {
    e.preventDefault();
    const id = uuidv7();
    if (await run(() => app.mutate('maintenance.create', { id, machineId, type: choice(['corrective', 'preventive'] as const, type, 'type'), priority: num(priority), description }))) {
      navigate(`/maintenance/${id}`, true);
    }
  }

  return (
    <>
      <p><Link href="/maintenance">← Maintenance</Link></p>
      <PageHead title="New maintenance request" />
      <form class="card" onSubmit={submit} noValidate>
        <FormError message={errors.form} />
        <div class="grid two">
          <SelectField label="Machine" value={machineId} onValue={setMachineId} error={errors.fields.machineId} placeholder="Choose the machine" options={machineOptions(lookups, user, mayRaiseMaintenance)} />
          <SelectField label="Type" value={type} onValue={setType} error={errors.fields.type} placeholder="Choose"
            options={[{ value: 'corrective', label: 'Corrective (something is wrong)' }, { value: 'preventive', label: 'Preventive (planned care)' }]} />
        </div>
        <SelectField label="Priority" value={priority} onValue={setPriority} error={errors.fields.priority} options={PRIORITIES} />
        <TextArea label="What is wrong" value={description} onValue={setDescription} error={errors.fields.description} rows={4} />
        <button class="btn primary big wide" type="submit" disabled={busy}>Send request</button>
      </form>
    </>
  );
}

function TicketDetail({ id }: { id: string }) {
  const { db, user } = useSession();
  const lookups = useLookups(db);
  const t = useLive(() => rowById(db, 'maintenanceTickets', id), [db, id]);
  const events = useLive(() => rowsWhere(db, 'maintenanceEvents', 'ticketId', id), [db, id]);
  const now = useNow(15_000);
  if (t === undefined || !lookups) return <Loading />;
  if (!t) return <Empty>This ticket is not on this device.</Empty>;
  return (
    <>
      <p><Link href="/maintenance">← Maintenance</Link></p>
      <PageHead title={t.number ? `Ticket ${t.number}` : 'Ticket (pending number)'}>
        {isLocal(t) && <span class="local">not synced</span>}
        <Status value={t.status} />
      </PageHead>
      <div class="grid two">
        <div class="card">
          <dl class="facts" data-testid="ticket-facts">
            <dt>Number</dt><dd><Num value={t.number} /></dd>
            <dt>Machine</dt><dd><Link href={`/machines/${t.machineId}`}>{machineName(lookups, t.machineId)}</Link></dd>
            <dt>Type</dt><dd>{words(t.type)}</dd>
            <dt>Priority</dt><dd><Priority value={t.priority} /></dd>
            <dt>Description</dt><dd data-testid="ticket-description">{t.description}</dd>
            <dt>Reported</dt><dd>{when(t.raisedAt ?? t.createdAt)} by {lookups.users.get(t.reportedBy)?.displayName ?? (t.planId ? 'the preventive plan' : '—')}</dd>
            <dt>Assignee</dt><dd>{userName(lookups, t.assigneeId)}</dd>
            <dt>SLA</dt><dd><SlaClocks t={t} now={now} /><div class="small muted">Respond by {when(t.responseDueAt)} · resolve by {when(t.resolutionDueAt)}{t.pausedSeconds || t.pausedSince ? ' (plus time on hold waiting for parts or production)' : ''}</div></dd>
            {t.status === 'on_hold' && <><dt>On hold</dt><dd>{t.holdReason ? HOLD_REASON_LABELS[t.holdReason as HoldReason] : '—'}</dd></>}
            {t.planDueAt && <><dt>Plan due</dt><dd>{when(t.planDueAt)}</dd></>}
            <dt>Downtime</dt><dd>{t.downtimeMinutes} min</dd>
            <dt>Work done</dt><dd>{t.workDone || '—'}</dd>
            <dt>Parts used</dt><dd>{t.partsUsed || '—'}</dd>
          </dl>
        </div>
        <Moves t={t} l={lookups} />
      </div>
      {t.checklist?.length > 0 && <Checklist t={t} l={lookups} />}
      <EditForm key={`${t.id}`} t={t} />
      <div class="grid two">
        <div class="card flat">
          <h2>History</h2>
          <ul class="timeline" data-testid="ticket-history">
            {[...(events ?? [])].sort((a, b) => b.at.localeCompare(a.at) || b.createdAt.localeCompare(a.createdAt)).map((e) => (
              <li key={e.id}>
                <div class="when">{when(e.at)} · {userName(lookups, e.userId)}{e.version === 0 && <> · <span class="local">not synced</span></>}</div>
                <strong>{e.kind === 'transition' ? `${words(e.fromStatus)} → ${words(e.toStatus)}` : e.kind === 'created' ? 'Raised' : e.kind === 'update' ? (e.note ?? 'Changed') : e.kind === 'tick' ? 'Ticked' : e.kind === 'untick' ? 'Unticked' : 'Comment'}</strong>
                {e.note && e.kind !== 'update' ? <div>{e.note}{e.reading ? ` — reading ${e.reading}` : ''}</div> : null}
              </li>
            ))}
          </ul>
          <CommentForm ticketId={t.id} />
        </div>
        {mayViewAudit(user.role) && <AuditTrail table="maintenanceTickets" id={t.id} />}
      </div>
    </>
  );
}

function Moves({ t, l }: { t: MaintenanceTicket; l: Lookups }) {
  const { app, user } = useSession();
  const moves = allowedMoves(MAINTENANCE, t.status, user.role);
  const [assigneeId, setAssigneeId] = useState('');
  const [reason, setReason] = useState('');
  const [note, setNote] = useState('');
  const { errors, run } = useAction();
  useDirty(note !== '');
  if (moves.length === 0) {
    return <div class="card flat"><p class="muted">{user.role === 'operator' ? 'A technician picks this up; you can add comments and details below.' : 'No moves from this state for your role.'}</p></div>;
  }
  // The rule the mutator checks: technicians of maintenance or of the machine's department.
  const maintenance = [...l.departments.values()].find((d) => d.code === MAINTENANCE_DEPARTMENT_CODE)?.id ?? null;
  const technicians = [...l.users.values()].filter((u) => mayAssignTo(u, t.departmentId, maintenance)).map((u) => ({ value: u.id, label: u.displayName }));

  async function move(to: MaintenanceStatus) {
    const ok = await run(() => app.mutate('maintenance.transition', {
      id: t.id, from: t.status, to,
      ...(to === 'assigned' && user.role !== 'technician' ? { assigneeId } : {}),
      ...(to === 'on_hold' && reason ? { reason: reason as HoldReason } : {}),
      ...(note.trim() ? { note } : {}),
    }));
    if (ok) { setNote(''); setReason(''); }
  }

  const names: Record<string, string> = {
    assigned: user.role === 'technician' ? 'Take it' : 'Assign', in_progress: t.status === 'on_hold' ? 'Resume work' : 'Start work',
    on_hold: 'Put on hold', completed: 'Complete', verified: 'Verify', cancelled: 'Cancel ticket',
  };
  return (
    <form class="card" onSubmit={(e) => e.preventDefault()} noValidate aria-labelledby="moves-h">
      <h2 id="moves-h">Next step</h2>
      <FormError message={errors.form} />
      {moves.includes('assigned') && user.role !== 'technician' && (
        <SelectField label="Technician" value={assigneeId} onValue={setAssigneeId} error={errors.fields.assigneeId} placeholder="Choose a technician" options={technicians} />
      )}
      {moves.includes('on_hold') && (
        <SelectField label="Hold reason (to put on hold)" value={reason} onValue={setReason} error={errors.fields.reason} placeholder="Choose why it waits"
          options={HOLD_REASONS.map((r) => ({ value: r, label: HOLD_REASON_LABELS[r] }))} />
      )}
      <TextField label="Note (optional)" value={note} onValue={setNote} error={errors.fields.note} />
      <div class="actions">
        {moves.map((to) => (
          <button key={to} type="button" class={`btn big ${to === 'cancelled' ? 'danger' : to === 'on_hold' ? 'stop' : 'go'}`} onClick={() => move(to)}>{names[to] ?? words(to)}</button>
        ))}
      </div>
    </form>
  );
}

type EditField = keyof typeof MAINTENANCE_EDIT_FIELDS;
const EDITABLE: EditField[] = ['description', 'priority', 'workDone', 'partsUsed', 'downtimeMinutes'];

/** Edits keep the values seen when editing began as `base`: the server merges per field against them. */
function EditForm({ t }: { t: MaintenanceTicket }) {
  const { app } = useSession();
  const [base, setBase] = useState<Record<EditField, unknown> | null>(null);
  const [values, setValues] = useState<Record<string, string>>({});
  const { errors, run, setErrors } = useAction();
  const [saved, setSaved] = useState<string | null>(null);
  useDirty(base !== null);

  function begin() {
    const b = Object.fromEntries(EDITABLE.map((f) => [f, t[f]])) as Record<EditField, unknown>;
    setBase(b);
    setValues(Object.fromEntries(EDITABLE.map((f) => [f, String(t[f] ?? '')])));
    setErrors(NO_ERRORS);
    setSaved(null);
  }

  async function save(e: Event) {
    e.preventDefault();
    if (!base) return;
    const typed: Record<string, unknown> = {
      description: values.description, priority: num(values.priority), workDone: values.workDone, partsUsed: values.partsUsed,
      downtimeMinutes: num(values.downtimeMinutes),
    };
    const changes = Object.fromEntries(EDITABLE.filter((f) => !Object.is(typed[f], base[f])).map((f) => [f, typed[f]]));
    if (Object.keys(changes).length === 0) return setBase(null);
    const seen = Object.fromEntries(Object.keys(changes).map((f) => [f, base[f as EditField]]));
    if (!(await run(() => app.mutate('maintenance.update', { id: t.id, base: seen, changes })))) return;
    setBase(null);
    setSaved(`Saved: ${Object.keys(changes).map(fieldLabel).join(', ').toLowerCase()}.`);
  }

  if (!base) {
    return (
      <div class="card flat row" style="justify-content:space-between">
        <span>{saved ?? 'Description, priority, work done, parts and downtime can be changed offline.'}</span>
        <button class="btn" onClick={begin}>Edit details</button>
      </div>
    );
  }
  const set = (f: string) => (v: string) => setValues({ ...values, [f]: v });
  return (
    <form class="card" onSubmit={save} noValidate aria-labelledby="edit-h">
      <h2 id="edit-h">Edit details</h2>
      <FormError message={errors.form} />
      <TextArea label="Description" value={values.description} onValue={set('description')} error={errors.fields.description} rows={3} />
      <div class="grid two">
        <SelectField label="Priority" value={values.priority} onValue={set('priority')} error={errors.fields.priority} options={PRIORITIES} />
        <TextField label="Downtime (minutes)" inputMode="numeric" value={values.downtimeMinutes} onValue={set('downtimeMinutes')} error={errors.fields.downtimeMinutes} />
        <TextArea label="Work done" value={values.workDone} onValue={set('workDone')} error={errors.fields.workDone} rows={2} />
        <TextArea label="Parts used" value={values.partsUsed} onValue={set('partsUsed')} error={errors.fields.partsUsed} rows={2} />
      </div>
      <div class="actions">
        <button class="btn primary big" type="submit">Save changes</button>
        <button class="btn big" type="button" onClick={() => setBase(null)}>Cancel</button>
      </div>
    </form>
  );
}

function CommentForm({ ticketId }: { ticketId: string }) {
  const { app } = useSession();
  const [note, setNote] = useState('');
  const { errors, run } = useAction();
  useDirty(note !== '');
  async function submit(e: Event) {
    e.preventDefault();
    if (await run(() => app.mutate('maintenance.comment', { id: uuidv7(), ticketId, note }))) setNote('');
  }
  return (
    <form onSubmit={submit} noValidate style="margin-top:12px">
      <FormError message={errors.form} />
      <TextField label="Add a comment" value={note} onValue={setNote} error={errors.fields.note} />
      <button class="btn dark" type="submit">Add comment</button>
    </form>
  );
}

/** The plan's checklist on a preventive ticket: one tick per item (each its own event), with an optional note and reading. */
function Checklist({ t, l }: { t: MaintenanceTicket; l: Lookups }) {
  const { app, user } = useSession();
  const { errors, run } = useAction();
  const [notes, setNotes] = useState<Record<number, { note: string; reading: string }>>({});
  const open = !['completed', 'verified', 'cancelled'].includes(t.status) && mayUse(user.role, 'maintenance.tick');
  const done = t.checklist.filter((c) => c.done).length;
  async function tick(item: number, doneNow: boolean) {
    const extra = notes[item] ?? { note: '', reading: '' };
    const ok = await run(() => app.mutate('maintenance.tick', {
      id: uuidv7(), ticketId: t.id, item, done: doneNow,
      ...(extra.note.trim() ? { note: extra.note } : {}), ...(extra.reading.trim() ? { reading: extra.reading } : {}),
    }));
    if (ok) setNotes({ ...notes, [item]: { note: '', reading: '' } });
  }
  return (
    <section class="card" aria-labelledby="checklist-h">
      <h2 id="checklist-h">Checklist <span class="muted">({done} of {t.checklist.length} done)</span></h2>
      <FormError message={errors.form} />
      <ol class="checklist" data-testid="checklist">
        {t.checklist.map((c, i) => (
          <li key={i} class={c.done ? 'done' : ''}>
            <button type="button" class="btn tick" disabled={!open} aria-pressed={c.done} aria-label={`${c.done ? 'Untick' : 'Tick'}: ${c.text}`} onClick={() => tick(i, !c.done)}>{c.done ? '✓' : ''}</button>
            <div>
              <strong>{c.text}</strong>{c.required ? '' : <span class="muted"> (optional)</span>}
              {c.done && <div class="small muted">{userName(l, c.by)} · {when(c.at)}{c.reading ? ` · reading ${c.reading}` : ''}{c.note ? ` · ${c.note}` : ''}</div>}
              {open && !c.done && (
                <div class="extra">
                  <TextField label="Note" value={notes[i]?.note ?? ''} onValue={(v) => setNotes({ ...notes, [i]: { note: v, reading: notes[i]?.reading ?? '' } })} />
                  <TextField label="Reading" value={notes[i]?.reading ?? ''} onValue={(v) => setNotes({ ...notes, [i]: { reading: v, note: notes[i]?.note ?? '' } })} />
                </div>
              )}
            </div>
          </li>
        ))}
      </ol>
    </section>
  );
}
