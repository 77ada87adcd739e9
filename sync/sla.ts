// A maintenance ticket's two SLA clocks and its breach flags: one pure function that the device (the
// list counting down offline) and the server (reports) both call, so they can never disagree.
import type { MaintenanceEvent, MaintenanceTicket } from './tables';

/** Why a ticket is on hold. The first two stop the resolution clock: the technician cannot go on. */
export const HOLD_REASONS = ['waiting_parts', 'waiting_production', 'other'] as const;
export type HoldReason = (typeof HOLD_REASONS)[number];
export const HOLD_REASON_LABELS: Record<HoldReason, string> = {
  waiting_parts: 'Waiting for parts',
  waiting_production: 'Waiting for production',
  other: 'Other (clock keeps running)',
};
export function pausesClock(reason: string | null | undefined): boolean {
  return reason === 'waiting_parts' || reason === 'waiting_production';
}

/** Targets in hours per priority (1 urgent … 4 low). */
export type SlaTargets = Record<string, { responseHours: number; resolutionHours: number }>;

export interface Clock {
  /** When the clock runs out (for resolution: the target moved later by every pause). */
  dueAt: string | null;
  /** When the clock stopped (responded, completed), or null while it runs. */
  doneAt: string | null;
  /** Time left at `now` (or when it stopped); negative: breached by that much. Null without a target. */
  leftMs: number | null;
  breached: boolean;
  /** Resolution only: the paused time counted so far. */
  pausedMs: number;
  /** Resolution only: on hold with a pausing reason right now. */
  paused: boolean;
}

const ms = (iso: string) => Date.parse(iso);
const iso = (n: number) => new Date(n).toISOString();

type ClockFields = Pick<MaintenanceTicket, 'status' | 'responseDueAt' | 'resolutionDueAt' | 'respondedAt' | 'completedAt' | 'pausedSeconds' | 'pausedSince'>;

/**
 * The response and resolution clocks of a ticket at `now`. A clock that ran out exactly at its due
 * time is met (on time means at or before the due time). The resolution target moves later by the
 * ticket's closed pauses (`pausedSeconds`) plus the pause still open (`pausedSince` to now or to the
 * completion). A cancelled ticket has no running clocks.
 */
export function slaClocks(t: ClockFields, now: string): { response: Clock; resolution: Clock } {
  const nowMs = ms(now);
  const stopped = t.status === 'cancelled';
  const respEnd = t.respondedAt ? ms(t.respondedAt) : nowMs;
  const response: Clock = t.responseDueAt
    ? { dueAt: t.responseDueAt, doneAt: t.respondedAt, leftMs: ms(t.responseDueAt) - respEnd, breached: !stopped && respEnd > ms(t.responseDueAt), pausedMs: 0, paused: false }
    : { dueAt: null, doneAt: t.respondedAt, leftMs: null, breached: false, pausedMs: 0, paused: false };
  const resEnd = t.completedAt ? ms(t.completedAt) : nowMs;
  const open = t.pausedSince ? Math.max(0, resEnd - ms(t.pausedSince)) : 0;
  const pausedMs = (t.pausedSeconds ?? 0) * 1000 + open;
  let resolution: Clock = { dueAt: null, doneAt: t.completedAt, leftMs: null, breached: false, pausedMs, paused: !!t.pausedSince && !t.completedAt };
  if (t.resolutionDueAt) {
    const due = ms(t.resolutionDueAt) + pausedMs;
    resolution = { ...resolution, dueAt: iso(due), leftMs: due - resEnd, breached: !stopped && resEnd > due };
  }
  return { response, resolution };
}

/** The due time of a new ticket's clocks, from the time it was raised and the targets of its priority. */
export function dueTimes(raisedAt: string, priority: number, sla: SlaTargets): { responseDueAt: string; resolutionDueAt: string } {
  const target = sla[String(priority)];
  return {
    responseDueAt: iso(ms(raisedAt) + target.responseHours * 3_600_000),
    resolutionDueAt: iso(ms(raisedAt) + target.resolutionHours * 3_600_000),
  };
}

/** A pause of the resolution clock as the history shows it: on hold for a pausing reason, from → to. */
export interface Pause { from: string; to: string | null; reason: string; seconds: number }

/**
 * The pauses in a ticket's history (its transition events, any order): what `pausedSeconds` on the
 * ticket sums, so anyone can check the clock. A resume recorded earlier than its hold (two devices'
 * clocks) counts as no pause rather than a negative one.
 */
export function pausesOf(events: readonly Pick<MaintenanceEvent, 'kind' | 'fromStatus' | 'toStatus' | 'reason' | 'at' | 'createdAt'>[], now?: string): Pause[] {
  const moves = events.filter((e) => e.kind === 'transition').sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.at.localeCompare(b.at));
  const out: Pause[] = [];
  let open: { from: string; reason: string } | null = null;
  for (const e of moves) {
    if (e.toStatus === 'on_hold') {
      open = pausesClock(e.reason) ? { from: e.at, reason: e.reason! } : null;
    } else if (e.fromStatus === 'on_hold' && open) {
      out.push({ from: open.from, to: e.at, reason: open.reason, seconds: Math.max(0, Math.round((ms(e.at) - ms(open.from)) / 1000)) });
      open = null;
    }
  }
  if (open) out.push({ from: open.from, to: null, reason: open.reason, seconds: now ? Math.max(0, Math.round((ms(now) - ms(open.from)) / 1000)) : 0 });
  return out;
}

/** "2 h 05 min left", "breached by 35 min": a clock for a person. */
export function clockText(c: Clock): string {
  if (c.leftMs === null) return 'no target';
  const m = Math.round(Math.abs(c.leftMs) / 60_000);
  const d = Math.floor(m / 1440);
  const h = Math.floor((m % 1440) / 60);
  const mm = m % 60;
  const span = d > 0 ? `${d} d ${h} h` : h > 0 ? `${h} h ${String(mm).padStart(2, '0')} min` : `${mm} min`;
  if (c.doneAt) return c.breached ? `late by ${span}` : `met, ${span} to spare`;
  if (c.paused) return `paused, ${span} left`;
  return c.breached ? `breached by ${span}` : `${span} left`;
}

/** SLA targets check: every priority 1–4 with whole positive hours, resolution no shorter than response. */
export function slaProblems(sla: unknown): { field: string; message: string }[] {
  const out: { field: string; message: string }[] = [];
  if (!sla || typeof sla !== 'object') return [{ field: 'sla', message: 'must give targets for priorities 1 to 4' }];
  for (const p of ['1', '2', '3', '4']) {
    const t = (sla as Record<string, unknown>)[p] as { responseHours?: unknown; resolutionHours?: unknown } | undefined;
    if (!t || typeof t !== 'object') { out.push({ field: p, message: 'is required' }); continue; }
    const ok = (n: unknown) => typeof n === 'number' && Number.isFinite(n) && n > 0 && n <= 8760;
    if (!ok(t.responseHours)) out.push({ field: `${p}.responseHours`, message: 'must be more than 0 and at most 8760 hours' });
    if (!ok(t.resolutionHours)) out.push({ field: `${p}.resolutionHours`, message: 'must be more than 0 and at most 8760 hours' });
    if (ok(t.responseHours) && ok(t.resolutionHours) && (t.resolutionHours as number) < (t.responseHours as number)) {
      out.push({ field: `${p}.resolutionHours`, message: 'cannot be shorter than the response time' });
    }
  }
  return out;
}

// ── Breached and near breach (issue 15: the dashboard's SLA alert, the Maintenance list's `sla` filter and its export) ──

/** A running clock is "near breach" when less than this share of its target is left. */
export const NEAR_BREACH_SHARE = 0.25;
export type SlaState = 'breached' | 'near' | 'ok';
/** The ticket states whose clocks run (done, verified and cancelled tickets are never breached or near). */
export const SLA_OPEN_STATUSES: readonly string[] = ['open', 'assigned', 'in_progress', 'on_hold'];

type StateFields = ClockFields & Pick<MaintenanceTicket, 'raisedAt' | 'createdAt'>;

/** A clock's target as a length of time: its original due time less the time the ticket was raised (pauses not counted). */
export function slaTargetMs(t: Pick<MaintenanceTicket, 'raisedAt' | 'createdAt' | 'responseDueAt' | 'resolutionDueAt'>, which: 'response' | 'resolution'): number | null {
  const due = which === 'response' ? t.responseDueAt : t.resolutionDueAt;
  const start = t.raisedAt ?? t.createdAt;
  if (!due || !start) return null;
  const span = ms(due) - ms(start);
  return span > 0 ? span : null;
}

/** Breached (run out), near (running, not paused, less than 25 % of its target left) or ok, for one clock. */
export function clockState(c: Clock, targetMs: number | null): SlaState {
  if (c.breached) return 'breached';
  // A paused clock is not running down (waiting for parts or production): nothing nears while it waits.
  if (c.paused || c.doneAt || c.leftMs === null || targetMs === null) return 'ok';
  return c.leftMs < NEAR_BREACH_SHARE * targetMs ? 'near' : 'ok';
}

/**
 * The SLA alert of a ticket at `now`: the clock that runs now (response until the ticket is answered,
 * then resolution) and whether it has run out (`breached`), has less than 25 % of its target left
 * (`near`) or neither (`ok`). Tickets that are done, verified or cancelled are `ok`. The one rule the
 * Maintenance list (`?sla=`), its CSV export and the dashboard's SLA tile share.
 */
export function slaAlert(t: StateFields, now: string): { state: SlaState; clock: 'response' | 'resolution'; dueAt: string | null; leftMs: number | null } {
  const clocks = slaClocks(t, now);
  const which = t.respondedAt ? 'resolution' : 'response';
  const c = clocks[which];
  if (!SLA_OPEN_STATUSES.includes(t.status)) return { state: 'ok', clock: which, dueAt: c.dueAt, leftMs: c.leftMs };
  return { state: clockState(c, slaTargetMs(t, which)), clock: which, dueAt: c.dueAt, leftMs: c.leftMs };
}

/** `slaAlert(t, now).state`: 'breached' | 'near' | 'ok'. */
export function slaState(t: StateFields, now: string): SlaState {
  return slaAlert(t, now).state;
}
