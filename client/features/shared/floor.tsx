// The floor's actions on one stage, shared by the portal and the stage screen: moves that ask first
// (complete short, start on a busy machine, reopen), a count with its rejected parts in one entry,
// corrections with a reason, and hold requests with the planner's answer. The questions come from the
// shared mutators (ASK codes), so they are asked offline too.
import { useState } from 'preact/hooks';
import { uuidv7 } from '../../../sync/ids';
import { ASK, askedFor } from '../../../sync/mutation-kit';
import { worksIn } from '../../../sync/permissions';
import type { StageStatus } from '../../../sync/state-machines';
import { Rejection } from '../../../sync/store';
import type { HoldRequest, Order, Stage } from '../../../sync/tables';
import { useSession } from '../../app-state';
import { useLive } from '../../db/live';
import { holdRequestsBy, rowById, rowsByIds } from '../../db/rows';
import { FormError, Num, SelectField, Stepper, TextArea, TextField, useDirty } from '../../ui/components';
import { useConfirm } from '../../ui/confirm';
import { num, useAction } from '../../ui/form';
import { when, words } from '../../ui/format';
import { machineOptions, type Lookups } from './lookups';

type Asked = { code: string; [k: string]: unknown };
type Flags = Record<string, boolean>;

/**
 * Sends a mutation; when its mutator asks a question, `answer` asks the person and gives the flags to
 * send again with (null: they said no). True when the mutation went through.
 */
async function sendAsking(send: (flags: Flags) => Promise<void>, answer: (asked: Asked) => Promise<Flags | null>): Promise<boolean> {
  let flags: Flags = {};
  for (let tries = 0; tries < 4; tries++) {
    try {
      await send(flags);
      return true;
    } catch (err) {
      const asked = err instanceof Rejection ? askedFor(err.details) : undefined;
      if (!asked) throw err;
      const more = await answer(asked);
      if (!more) return false;
      flags = { ...flags, ...more };
    }
  }
  return false;
}

const MOVE_LABEL: Record<string, string> = { running: 'Start', paused: 'Pause', done: 'Complete' };
export function moveLabel(from: string, to: string) {
  if (from === 'done' && to === 'running') return 'Reopen';
  return from === 'paused' && to === 'running' ? 'Resume' : MOVE_LABEL[to] ?? words(to);
}
export function moveClass(to: string) {
  return to === 'paused' ? 'stop' : to === 'done' ? 'dark' : 'go';
}

/** Start, pause, complete and reopen a stage, asking first where the rules ask. Render `dialog`. */
export function useStageMoves(stage: Stage) {
  const { app, db } = useSession();
  const { ask, dialog } = useConfirm();
  const { errors, busy, run } = useAction();

  async function machineBusy(asked: Asked): Promise<Flags | null> {
    const ids = Array.isArray(asked.running) ? (asked.running as string[]) : [];
    const running = await rowsByIds(db, 'stages', ids);
    const orders = await rowsByIds(db, 'orders', [...running.values()].map((s) => s.orderId));
    const machine = stage.machineId ? await rowById(db, 'machines', stage.machineId) : null;
    const which = [...running.values()].map((s) => `${s.name} (${orders.get(s.orderId)?.number ?? 'a new order'})`).join(', ') || 'another stage';
    const code = machine?.code ?? 'The machine';
    if (asked.parallel) {
      return (await ask({ title: 'Machine in use', message: `${code} is running ${which}. Run both at once?`, yes: 'Run both' })) ? { confirmParallel: true } : null;
    }
    const plural = ids.length > 1 ? 'them' : 'it';
    if (!(await ask({ title: 'Machine in use', message: `${code} is running ${which}. Pause ${plural} and start this one?`, yes: 'Pause and start' }))) return null;
    for (const id of ids) await app.mutate('stage.transition', { id, from: running.get(id)?.status ?? 'running', to: 'paused' });
    return {};
  }

  async function move(to: StageStatus) {
    await run(async () => {
      if (stage.status === 'done' && to === 'running') {
        const yes = await ask({ title: 'Reopen this stage?', message: `${stage.sequence}. ${stage.name} goes back to running and the next stage waits again.`, yes: 'Reopen' });
        if (!yes) return;
      }
      await sendAsking((flags) => app.mutate('stage.transition', { id: stage.id, from: stage.status, to, ...flags }), async (asked) => {
        if (asked.code === ASK.short) {
          const yes = await ask({ title: 'Fewer parts than planned', message: `Only ${asked.good} good of ${asked.planned} planned. Complete anyway?`, yes: 'Complete anyway', no: 'Keep working', danger: true });
          return yes ? { confirmShort: true } : null;
        }
        if (asked.code === ASK.machineBusy) return machineBusy(asked);
        if (asked.code === ASK.machineDown) {
          const what = asked.status === 'down' ? 'is down (a breakdown is being repaired)' : 'is in maintenance';
          const yes = await ask({ title: 'Machine not available', message: `${String(asked.machine)} ${what}. Start this stage on it anyway?`, yes: 'Start anyway', no: 'Do not start', danger: true });
          return yes ? { confirmDown: true } : null;
        }
        return null;
      });
    });
  }
  return { move, errors, busy, dialog };
}

/**
 * One count: good and rejected parts; rejected parts need a defect code (and the machine, when the
 * stage has none), and go to quality as a reject in the same entry. `compact`: the portal's panel.
 */
export function ProgressEntry({ stage, lookups, compact, onDone }: { stage: Stage; lookups: Lookups; compact?: boolean; onDone?: () => void }) {
  const { app, user } = useSession();
  const { ask, dialog } = useConfirm();
  const [good, setGood] = useState('0');
  const [reject, setReject] = useState('0');
  const [defect, setDefect] = useState('');
  const [machine, setMachine] = useState('');
  const [note, setNote] = useState('');
  const [saved, setSaved] = useState<string | null>(null);
  const { errors, busy, run, setErrors } = useAction();
  useDirty(good !== '0' || reject !== '0' || note !== '');
  const rej = num(reject);
  const defects = [...lookups.defectCodes.values()].filter((d) => d.active && !d.deletedAt).sort((a, b) => a.code.localeCompare(b.code));
  const machines = machineOptions(lookups, user, (a, dept) => dept === stage.departmentId && worksIn(a, dept));

  async function save(e: Event) {
    e.preventDefault();
    setSaved(null);
    const fields: Record<string, string> = {};
    if (rej > 0 && !defect) fields.defectCodeId = 'choose the defect';
    if (rej > 0 && !stage.machineId && !machine) fields.machineId = 'choose the machine the parts came from';
    if (Object.keys(fields).length) return setErrors({ form: 'Check the marked fields.', fields });
    const g = num(good);
    const args = {
      id: uuidv7(), stageId: stage.id, goodQty: g, rejectQty: rej,
      ...(note.trim() ? { note } : {}),
      ...(rej > 0 ? { reject: { id: uuidv7(), defectCodeId: defect, ...(stage.machineId ? {} : { machineId: machine }) } } : {}),
    };
    let sent = false;
    await run(async () => {
      sent = await sendAsking((flags) => app.mutate('job.progress', { ...args, ...flags }), async (asked) => {
        if (asked.code !== ASK.overPlan) return null;
        const yes = await ask({
          title: 'More than planned',
          message: `This stage needs ${asked.remaining} more good parts (${asked.good} of ${asked.planned} done). Record ${g} good anyway?`,
          yes: 'Record anyway', no: 'Change the count',
        });
        return yes ? { confirmOverPlan: true } : null;
      });
    });
    if (!sent) return;
    setSaved(`Recorded ${g} good and ${rej} rejected.`);
    setGood('0');
    setReject('0');
    setDefect('');
    setNote('');
    onDone?.();
  }

  const rejectError = errors.fields.defectCodeId ?? errors.fields['reject.defectCodeId'] ?? errors.fields.reject;
  const body = (
    <>
      {saved && <div class="form-ok" role="status">{saved}</div>}
      <FormError message={errors.form} />
      <div class="grid two">
        <Stepper label={compact ? 'Good' : 'Good parts'} value={good} onValue={setGood} error={errors.fields.goodQty} step={compact ? 1 : 10} />
        <Stepper label={compact ? 'Reject' : 'Rejected parts'} value={reject} onValue={setReject} error={errors.fields.rejectQty} />
      </div>
      {rej > 0 && (
        <div class="grid two">
          <SelectField label="Defect" value={defect} onValue={setDefect} placeholder="Choose the defect" error={rejectError}
            options={defects.map((d) => ({ value: d.id, label: `${d.code} — ${d.name}` }))} />
          {!stage.machineId && (
            <SelectField label="Machine" value={machine} onValue={setMachine} placeholder="Choose the machine" error={errors.fields.machineId ?? errors.fields['reject.machineId']}
              options={machines} />
          )}
        </div>
      )}
      {!compact && <TextField label="Note (optional)" value={note} onValue={setNote} error={errors.fields.note} />}
      <button class="btn primary big wide" type="submit" disabled={busy}>{compact ? 'Save count' : 'Record progress'}</button>
      {dialog}
    </>
  );
  return compact ? (
    <form class="panel" onSubmit={save} noValidate aria-label="Count parts">{body}</form>
  ) : (
    <form class="card" onSubmit={save} noValidate aria-labelledby="progress-h">
      <h2 id="progress-h">Record progress</h2>
      {body}
    </form>
  );
}

/** Takes parts off a count that was wrong (entered as positive numbers, sent as negative), with a reason. */
export function CorrectionEntry({ stage, onDone }: { stage: Stage; onDone?: () => void }) {
  const { app } = useSession();
  const [good, setGood] = useState('0');
  const [reject, setReject] = useState('0');
  const [reason, setReason] = useState('');
  const [saved, setSaved] = useState<string | null>(null);
  const { errors, busy, run, setErrors } = useAction();
  useDirty(good !== '0' || reject !== '0' || reason !== '');

  async function save(e: Event) {
    e.preventDefault();
    setSaved(null);
    const g = num(good);
    const r = num(reject);
    const fields: Record<string, string> = {};
    if (!Number.isInteger(g) || g < 0) fields.goodQty = 'enter the good parts to take off (0 or more)';
    if (!Number.isInteger(r) || r < 0) fields.rejectQty = 'enter the rejected parts to take off (0 or more)';
    if (!reason.trim()) fields.reason = 'say what was wrong with the count';
    if (Object.keys(fields).length) return setErrors({ form: 'Check the marked fields.', fields });
    const ok = await run(() => app.mutate('job.correction', { id: uuidv7(), stageId: stage.id, goodQty: g ? -g : 0, rejectQty: r ? -r : 0, reason }));
    if (!ok) return;
    setSaved(`Took off ${[g ? `${g} good` : '', r ? `${r} rejected` : ''].filter(Boolean).join(' and ')}.`);
    setGood('0');
    setReject('0');
    setReason('');
    onDone?.();
  }

  return (
    <form class="panel" onSubmit={save} noValidate aria-label="Correct a count">
      <p class="small muted">Now {stage.goodQty} good and {stage.rejectQty} rejected. Enter what to take off.</p>
      {saved && <div class="form-ok" role="status">{saved}</div>}
      <FormError message={errors.form} />
      <div class="grid two">
        <Stepper label="Good parts to take off" value={good} onValue={setGood} error={errors.fields.goodQty} />
        <Stepper label="Rejected parts to take off" value={reject} onValue={setReject} error={errors.fields.rejectQty} />
      </div>
      <TextField label="Reason" hint="For example: typed 50 instead of 5" value={reason} onValue={setReason} error={errors.fields.reason} />
      <button class="btn dark big wide" type="submit" disabled={busy}>Save correction</button>
    </form>
  );
}

/** Asks the planner to hold the stage's order, with the reason they will read. */
export function HoldRequestEntry({ stage, onDone }: { stage: Stage; onDone?: () => void }) {
  const { app } = useSession();
  const [reason, setReason] = useState('');
  const { errors, busy, run, setErrors } = useAction();
  useDirty(reason !== '');

  async function save(e: Event) {
    e.preventDefault();
    if (!reason.trim()) return setErrors({ form: null, fields: { reason: 'say what is wrong: the planner reads it' } });
    const ok = await run(() => app.mutate('holdRequest.create', { id: uuidv7(), orderId: stage.orderId, stageId: stage.id, reason }));
    if (!ok) return;
    setReason('');
    onDone?.();
  }

  return (
    <form class="panel" onSubmit={save} noValidate aria-label="Ask for a hold">
      <p class="small muted">The planner decides whether to hold the order; you see the answer here.</p>
      <FormError message={errors.form} />
      <TextArea label="What is wrong" rows={3} value={reason} onValue={setReason} error={errors.fields.reason} />
      <button class="btn stop big wide" type="submit" disabled={busy}>Send hold request</button>
    </form>
  );
}

const ANSWER: Record<string, string> = { open: 'Waiting for the planner', granted: 'Granted: the order is on hold', declined: 'Declined' };

/** Whether the order can still be asked to be held (the mutator's rule: released or running orders). */
export function mayAskHold(stage: Stage, order: Pick<Order, 'status'> | undefined) {
  return !!order && ['released', 'in_progress'].includes(order.status) && !['blocked', 'done'].includes(stage.status);
}

/** The hold requests this user sent (for one stage, or all of them with their order), with the answers. */
export function HoldRequestList({ stageId, title }: { stageId?: string; title?: string }) {
  const { db, user } = useSession();
  const data = useLive(async () => {
    const mine = (await holdRequestsBy(db, user.id)).filter((r) => !stageId || r.stageId === stageId);
    return { mine, orders: await rowsByIds(db, 'orders', mine.map((r) => r.orderId)) };
  }, [db, user.id, stageId]);
  if (!data || data.mine.length === 0) return null;
  const list = (
    <ul class="hold-requests" data-testid="hold-requests">
      {data.mine.map((r: HoldRequest) => (
        <li key={r.id} class={`hr-${r.status}`}>
          <div class="hr-top">
            <strong>{ANSWER[r.status] ?? words(r.status)}</strong>
            {r.version === 0 && <span class="local">not synced</span>}
          </div>
          <div>
            {!stageId && <><Num value={data.orders.get(r.orderId)?.number ?? null} /> {data.orders.get(r.orderId)?.customerName} · </>}
            “{r.reason}” <span class="small muted">{when(r.createdAt)}</span>
          </div>
          {r.answerNote && <div class="hr-note">Planner: {r.answerNote}</div>}
        </li>
      ))}
    </ul>
  );
  return title ? (
    <section class="card flat" aria-labelledby="hr-h">
      <h2 id="hr-h">{title}</h2>
      {list}
    </section>
  ) : list;
}
