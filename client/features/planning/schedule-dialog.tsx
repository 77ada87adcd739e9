// The schedule dialog of the board: place a stage on a machine and a slot (the machine's next free
// start by default), asking before going over capacity or onto another stage's time.
import { useEffect, useRef, useState } from 'preact/hooks';
import { ASK, askedFor } from '../../../sync/mutation-kit';
import { dayOf, nextFreeStart, OVER_CAPACITY, slotEnd, type ShiftCalendar } from '../../../sync/planning';
import { Rejection } from '../../../sync/store';
import type { Machine, Stage } from '../../../sync/tables';
import { useSession } from '../../app-state';
import { FormError, Link, SelectField } from '../../ui/components';
import { useAction } from '../../ui/form';
import type { Lookups } from '../shared/lookups';
import { hours, machineLoad, percent, scheduledDay, slotIso, slotTime } from './board';
import type { PlanData } from './data';

/** A question the schedule dialog asks (over capacity, overlap) and the flag that answers it. */
export interface Ask { code: string; message: string; nextFreeStart?: string }
export const CONFIRM_FLAG: Record<string, 'confirmOverCapacity' | 'confirmOverlap'> = { [OVER_CAPACITY]: 'confirmOverCapacity', [ASK.overlap]: 'confirmOverlap' };
export const ASK_TITLE: Record<string, string> = { [OVER_CAPACITY]: 'Over capacity', [ASK.overlap]: 'Overlaps another stage' };

/** The question in a stage.schedule refusal, if it is one the dialog can ask. */
export function scheduleQuestion(err: unknown): Ask | null {
  if (!(err instanceof Rejection)) return null;
  const first = (askedFor(err.details) ?? err.details?.[0]) as { code?: string; nextFreeStart?: string } | undefined;
  return first?.code && first.code in CONFIRM_FLAG ? { code: first.code, message: err.message, nextFreeStart: first.nextFreeStart } : null;
}

export interface Opening { stage: Stage; machineId?: string; day?: string; time?: string; ask?: Ask; confirmed?: Flags }
export type Flags = Partial<Record<'confirmOverCapacity' | 'confirmOverlap', true>>;

export interface Ctx {
  data: PlanData; l: Lookups; cal: ShiftCalendar;
  open: (o: Opening) => void;
  /** The stage being dragged (drop targets check its department while it is over them). */
  drag: { current: Stage | null };
  drop: (stage: Stage, machine: Machine, day: string) => void;
  mayPlan: (s: Stage) => boolean;
  /** A phone: no dragging (a long press would start one), the dialog places stages. */
  narrow: boolean;
}

export function ScheduleDialog({ stage, machineId, day: day0, time: time0, ask: ask0, ctx, machines, onClose }: {
  stage: Stage; machineId?: string; day: string; time?: string; ask?: Ask; ctx: Ctx; machines: Machine[]; onClose: () => void;
}) {
  const { app } = useSession();
  const ref = useRef<HTMLDialogElement>(null);
  const o = ctx.data.orders.get(stage.orderId);
  const [machine, setMachine] = useState(machineId ?? stage.machineId ?? machines[0]?.id ?? '');
  const [day, setDay] = useState(machineId && day0 ? day0 : stage.scheduledStart?.slice(0, 10) ?? day0);
  // Until the planner types a time, the machine's next free start that day is proposed.
  const [typed, setTyped] = useState<string | null>(time0 ?? (stage.scheduledStart ? slotTime(stage.scheduledStart) : null));
  const [ask, setAsk] = useState<Ask | null>(ask0 ?? null);
  const [confirmed, setConfirmed] = useState<Flags>({});
  const { errors, busy, run } = useAction();

  useEffect(() => {
    const dlg = ref.current!;
    dlg.showModal();
    const cancel = (e: Event) => { e.preventDefault(); onClose(); };
    dlg.addEventListener('cancel', cancel);
    return () => dlg.removeEventListener('cancel', cancel);
  }, []);

  const m = machines.find((x) => x.id === machine);
  const proposed = m && day ? nextFreeStart(ctx.data.stages, m.id, day, ctx.cal, stage.id) : null;
  const time = typed ?? (proposed && dayOf(proposed) === day ? slotTime(proposed) : ctx.cal.shifts[0]?.start ?? '06:00');
  const preview = m && day ? machineLoad(ctx.data.stages, m, day, ctx.cal, { id: stage.id, minutes: stage.plannedMinutes }) : null;
  const dayStages = m && day ? ctx.data.stages.filter((s) => s.id !== stage.id && s.machineId === m.id && scheduledDay(s) === day).sort((a, b) => a.scheduledStart!.localeCompare(b.scheduledStart!)) : [];

  async function send(flags: Flags) {
    await run(async () => {
      try {
        await app.mutate('stage.schedule', { id: stage.id, machineId: machine, scheduledStart: slotIso(day, time), ...flags });
      } catch (err) {
        // Over capacity and an overlap are questions for the planner ("schedule anyway?"), not errors.
        const q = scheduleQuestion(err);
        if (!q) throw err;
        setConfirmed(flags);
        return setAsk(q);
      }
      onClose();
    });
  }

  async function unschedule() {
    await run(async () => {
      await app.mutate('stage.schedule', { id: stage.id, machineId: stage.machineId, scheduledStart: null });
      onClose();
    });
  }

  return (
    <dialog ref={ref} class="dialog" aria-labelledby="sched-h" data-testid="schedule-dialog">
      <h2 id="sched-h">Schedule {stage.sequence}. {stage.name}</h2>
      <p class="muted">{o?.number ?? 'New order'} · {o?.customerName} · {hours(stage.plannedMinutes / 60)} · due {o?.dueDate}</p>
      {ask ? (
        <div role="alertdialog" aria-labelledby="ask-h" aria-describedby="ask-m" class="over-confirm">
          <h3 id="ask-h">{ASK_TITLE[ask.code]}</h3>
          <p id="ask-m">{ask.message}</p>
          <FormError message={errors.form} />
          <div class="actions">
            <button class="btn danger" disabled={busy} onClick={() => send({ ...confirmed, [CONFIRM_FLAG[ask.code]]: true })}>Schedule anyway</button>
            {ask.nextFreeStart && dayOf(ask.nextFreeStart) === day && (
              <button class="btn primary" disabled={busy} onClick={() => { setTyped(slotTime(ask.nextFreeStart!)); setAsk(null); }}>Use {slotTime(ask.nextFreeStart)} instead</button>
            )}
            <button class="btn" onClick={() => { setAsk(null); setConfirmed({}); }}>Choose another slot</button>
          </div>
        </div>
      ) : (
        <form method="dialog" onSubmit={(e) => { e.preventDefault(); void send({}); }}>
          <FormError message={errors.form} />
          {machines.length === 0 ? <p class="form-error">This department has no active machine.</p> : (
            <SelectField label="Machine" value={machine} onValue={setMachine} options={machines.map((x) => ({ value: x.id, label: `${x.code} — ${x.name}` }))} />
          )}
          <div class="row">
            <div style="flex:1 1 160px" class="field">
              <label for="sched-day">Day</label>
              <input id="sched-day" class="input" type="date" value={day} onInput={(e) => setDay(e.currentTarget.value)} />
            </div>
            <div style="flex:1 1 120px" class="field">
              <label for="sched-time">Start</label>
              <input id="sched-time" class="input" type="time" step={900} value={time} list="shift-starts" onInput={(e) => setTyped(e.currentTarget.value)} />
              <datalist id="shift-starts">{ctx.cal.shifts.map((s) => <option key={s.name} value={s.start}>{s.name}</option>)}</datalist>
              {typed === null && proposed && <span class="hint">The machine is free from then.</span>}
            </div>
          </div>
          {preview && (
            <div class={`preview ${preview.over ? 'bad' : ''}`} data-testid="schedule-preview">
              <p>With this stage {m!.code} on {day}: {hours(preview.scheduled)} of {hours(preview.available)} ({percent(preview)}){preview.over ? ' — over capacity' : ''}.</p>
              {dayStages.length > 0 && (
                <ul class="day-stages" aria-label={`${m!.code} on ${day}`}>
                  {dayStages.map((s) => <li key={s.id}>{slotTime(s.scheduledStart)}–{slotTime(slotEnd(s))} {ctx.data.orders.get(s.orderId)?.customerName} · {s.name}</li>)}
                </ul>
              )}
            </div>
          )}
          <div class="actions">
            <button class="btn primary" type="submit" disabled={busy || !machine || !day || !time}>Schedule</button>
            {stage.scheduledStart && <button class="btn" type="button" disabled={busy} onClick={unschedule}>Unschedule</button>}
            <button class="btn" type="button" onClick={onClose}>Close</button>
          </div>
          <p class="small"><Link href={`/orders/${stage.orderId}`}>Open the order</Link></p>
        </form>
      )}
    </dialog>
  );
}
