// Preventive plans: the list with their next due dates, a form to add or change one (the maintenance
// supervisor, managers, admins), and pause / resume. Works offline like every other write.
import { useState } from 'preact/hooks';
import { uuidv7 } from '../../../sync/ids';
import { mayEditPlans } from '../../../sync/permissions';
import { isDueSoon } from '../../../sync/preventive';
import { allowedMoves, PLAN } from '../../../sync/state-machines';
import type { ChecklistItem, PreventivePlan } from '../../../sync/tables';
import { useSession } from '../../app-state';
import { useLive } from '../../db/live';
import { allRows } from '../../db/rows';
import { Empty, FormError, Loading, PageHead, SelectField, Status, TextArea, TextField } from '../../ui/components';
import { formatTime as when } from '../../ui/format';
import { num, useAction } from '../../ui/form';
import { machineName, machineOptions, useLookups } from '../shared/lookups';
import { MaintenanceNav } from './parts';
import { useUrlFilters } from '../../ui/router';
import './maintenance.css';

/** Checklist lines as typed: one item a line; a line starting with "?" is optional. */
function parseChecklist(text: string): ChecklistItem[] {
  return text.split('\n').map((l) => l.trim()).filter(Boolean).map((l) => (l.startsWith('?') ? { text: l.slice(1).trim(), required: false } : { text: l, required: true }));
}
const checklistText = (c: ChecklistItem[]) => c.map((i) => (i.required ? i.text : `? ${i.text}`)).join('\n');

export default function PlansPage() {
  const { db, user } = useSession();
  const lookups = useLookups(db);
  const plans = useLive(() => allRows(db, 'preventivePlans'), [db]);
  const [editing, setEditing] = useState<PreventivePlan | 'new' | null>(null);
  // The filter lives in the URL (/maintenance/plans?due=week: due within 7 days or overdue).
  const [f, setF] = useUrlFilters({ due: '' });
  if (!lookups || !plans) return <Loading />;
  const dept = user.departmentId ? lookups.departments.get(user.departmentId) : undefined;
  const mayEdit = mayEditPlans(user, dept?.code ?? null);
  const now = new Date().toISOString();
  const shown = plans.filter((p) => !p.deletedAt && (f.due !== 'week' || isDueSoon(p, now))).sort((a, b) => a.nextDueAt.localeCompare(b.nextDueAt));
  return (
    <>
      <PageHead title="Preventive plans">
        {mayEdit && <button class="btn primary" onClick={() => setEditing('new')}>+ New plan</button>}
      </PageHead>
      <MaintenanceNav />
      <div class="chips" role="group" aria-label="Show">
        <button type="button" class="chip" aria-pressed={f.due !== 'week'} onClick={() => setF({ due: '' })}>All plans</button>
        <button type="button" class="chip" aria-pressed={f.due === 'week'} onClick={() => setF({ due: 'week' })}>Due within 7 days</button>
      </div>
      {editing && <PlanForm key={editing === 'new' ? 'new' : editing.id} plan={editing === 'new' ? null : editing} onDone={() => setEditing(null)} />}
      {shown.length === 0 ? <Empty>{f.due === 'week' ? 'No active plan is due within 7 days.' : 'No preventive plans yet.'}</Empty> : (
        <div class="list" data-testid="plan-list">
          {shown.map((p) => (
            <div class="item" key={p.id}>
              <div class="top"><span class="title">{machineName(lookups, p.machineId)} · {p.task}</span><Status value={p.status} /></div>
              <div class="meta">
                <span>Every {p.intervalDays ? `${p.intervalDays} days` : `${p.intervalHours} run hours`}</span>
                <span>Next due {when(p.nextDueAt)}</span>
                <span>Last done {when(p.lastDoneAt)}</span>
                <span>{p.checklist.length} checklist items</span>
              </div>
              {mayEdit && <PlanMoves plan={p} onEdit={() => setEditing(p)} />}
            </div>
          ))}
        </div>
      )}
    </>
  );
}

function PlanMoves({ plan, onEdit }: { plan: PreventivePlan; onEdit: () => void }) {
  const { app, user } = useSession();
  const { errors, run } = useAction();
  return (
    <div class="actions">
      <FormError message={errors.form} />
      <button class="btn" type="button" onClick={onEdit}>Edit</button>
      {allowedMoves(PLAN, plan.status, user.role).map((to) => (
        <button key={to} class="btn" type="button" onClick={() => run(() => app.mutate('plan.transition', { id: plan.id, from: plan.status, to }))}>{to === 'paused' ? 'Pause' : 'Resume'}</button>
      ))}
    </div>
  );
}

function PlanForm({ plan, onDone }: { plan: PreventivePlan | null; onDone: () => void }) {
  const { app, db, user } = useSession();
  const lookups = useLookups(db);
  const [machineId, setMachineId] = useState(plan?.machineId ?? '');
  const [task, setTask] = useState(plan?.task ?? '');
  const [unit, setUnit] = useState(plan?.intervalHours ? 'hours' : 'days');
  const [interval, setInterval] = useState(String(plan?.intervalDays ?? plan?.intervalHours ?? '30'));
  const [nextDue, setNextDue] = useState(plan ? plan.nextDueAt.slice(0, 10) : '');
  const [checklist, setChecklist] = useState(plan ? checklistText(plan.checklist) : '');
  const { errors, busy, run } = useAction();
  if (!lookups) return <Loading />;
  async function save(e: Event) {
    e.preventDefault();
    const n = num(interval);
    const intervalDays = unit === 'days' ? n : null;
    const intervalHours = unit === 'hours' ? n : null;
    const items = parseChecklist(checklist);
    const due = nextDue ? `${nextDue}T06:00:00.000Z` : undefined;
    const ok = await run(async () => {
      if (!plan) {
        await app.mutate('plan.create', { id: uuidv7(), machineId, task, intervalDays, intervalHours, checklist: items, ...(due ? { nextDueAt: due } : {}) });
        return;
      }
      const next = { task, intervalDays, intervalHours, checklist: items, ...(due ? { nextDueAt: due } : {}) };
      const changed = Object.fromEntries(Object.entries(next).filter(([k, v]) => JSON.stringify(v) !== JSON.stringify(k === 'nextDueAt' ? plan.nextDueAt : plan[k as keyof PreventivePlan])));
      if (Object.keys(changed).length === 0) return;
      const base = Object.fromEntries(Object.keys(changed).map((k) => [k, plan[k as keyof PreventivePlan]]));
      await app.mutate('plan.update', { id: plan.id, base, changes: changed });
    });
    if (ok) onDone();
  }
  return (
    <form class="card" onSubmit={save} noValidate aria-labelledby="plan-h">
      <h2 id="plan-h">{plan ? 'Edit plan' : 'New preventive plan'}</h2>
      <FormError message={errors.form} />
      <div class="grid two">
        {!plan && <SelectField label="Machine" value={machineId} onValue={setMachineId} error={errors.fields.machineId} placeholder="Choose the machine" options={machineOptions(lookups, user, () => true)} />}
        <TextField label="Task" value={task} onValue={setTask} error={errors.fields.task ?? errors.fields['changes.task']} />
        <SelectField label="Repeats by" value={unit} onValue={setUnit} options={[{ value: 'days', label: 'Calendar days' }, { value: 'hours', label: 'Run hours' }]} />
        <TextField label={unit === 'days' ? 'Every (days)' : 'Every (run hours)'} inputMode="numeric" value={interval} onValue={setInterval}
          error={errors.fields.intervalDays ?? errors.fields.intervalHours ?? errors.fields['changes.intervalDays'] ?? errors.fields['changes.intervalHours']} />
        <TextField label="Next due (YYYY-MM-DD)" value={nextDue} onValue={setNextDue} hint="Empty: one interval from today" error={errors.fields.nextDueAt} />
      </div>
      <TextArea label="Checklist (one item a line; start with ? for optional)" value={checklist} onValue={setChecklist} rows={5} error={errors.fields.checklist} />
      <div class="actions">
        <button class="btn primary big" type="submit" disabled={busy}>Save plan</button>
        <button class="btn big" type="button" onClick={onDone}>Cancel</button>
      </div>
    </form>
  );
}
