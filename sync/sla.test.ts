import { describe, expect, it } from 'vitest';
import { actionTime } from './mutation-kit';
import { mutationContext } from './store';
import { clockText, pausesClock, pausesOf, slaAlert, slaClocks, slaProblems, slaState } from './sla';

// Priority 2 (4 h to respond, 24 h to resolve), raised 08:00 on 2 November.
const base = {
  status: 'in_progress' as const, responseDueAt: '2026-11-02T12:00:00.000Z', resolutionDueAt: '2026-11-03T08:00:00.000Z',
  respondedAt: null, completedAt: null, pausedSeconds: 0, pausedSince: null,
};

describe('the SLA clocks', () => {
  it('count down to the due time, and a response exactly at the due time is on time (one second later is a breach)', () => {
    expect(slaClocks(base, '2026-11-02T11:00:00.000Z').response).toMatchObject({ leftMs: 3_600_000, breached: false });
    expect(slaClocks(base, '2026-11-02T12:00:00.000Z').response).toMatchObject({ leftMs: 0, breached: false });
    expect(slaClocks(base, '2026-11-02T12:00:01.000Z').response).toMatchObject({ leftMs: -1000, breached: true });
    expect(slaClocks({ ...base, respondedAt: '2026-11-02T12:00:00.000Z' }, '2026-11-05T00:00:00.000Z').response).toMatchObject({ leftMs: 0, breached: false });
    expect(clockText(slaClocks(base, '2026-11-02T13:35:00.000Z').response)).toBe('breached by 1 h 35 min');
    expect(clockText(slaClocks(base, '2026-11-02T10:55:00.000Z').response)).toBe('1 h 05 min left');
  });

  it('a 4-hour hold waiting for parts moves the resolution target 4 hours later, so completing 3½ hours after the original target is on time', () => {
    const done = { ...base, pausedSeconds: 4 * 3600, completedAt: '2026-11-03T11:30:00.000Z', status: 'completed' as const };
    const c = slaClocks(done, '2026-11-10T00:00:00.000Z').resolution;
    expect(c).toMatchObject({ dueAt: '2026-11-03T12:00:00.000Z', leftMs: 30 * 60_000, breached: false, pausedMs: 4 * 3_600_000 });
    expect(clockText(c)).toBe('met, 30 min to spare');
    // The same completion without the pause is 3 h 30 min late.
    expect(slaClocks({ ...done, pausedSeconds: 0 }, '2026-11-10T00:00:00.000Z').resolution).toMatchObject({ leftMs: -3.5 * 3_600_000, breached: true });
  });

  it('a pause still running stops the clock: 3 hours on hold since 10:00 at 13:00 moves the target to 11:00 the next day', () => {
    const held = { ...base, status: 'on_hold' as const, pausedSince: '2026-11-02T10:00:00.000Z' };
    const c = slaClocks(held, '2026-11-02T13:00:00.000Z').resolution;
    expect(c).toMatchObject({ dueAt: '2026-11-03T11:00:00.000Z', paused: true, pausedMs: 3 * 3_600_000 });
    // Left is the same at 13:00 as it was at 10:00: 22 hours.
    expect(c.leftMs).toBe(22 * 3_600_000);
    expect(clockText(c)).toBe('paused, 22 h 00 min left');
  });

  it('only waiting for parts or production pauses; the pauses in the history sum to what the ticket holds', () => {
    expect([pausesClock('waiting_parts'), pausesClock('waiting_production'), pausesClock('other'), pausesClock(null)]).toEqual([true, true, false, false]);
    let n = 0;
    const ev = (at: string, fromStatus: string, toStatus: string, reason: string | null = null) => ({ kind: 'transition', fromStatus, toStatus, reason, at, createdAt: `2026-11-02T00:00:${String(n++).padStart(2, '0')}.000Z` });
    const pauses = pausesOf([
      ev('2026-11-02T10:00:00.000Z', 'in_progress', 'on_hold', 'waiting_parts'),
      ev('2026-11-02T14:00:00.000Z', 'on_hold', 'in_progress'),
      ev('2026-11-02T15:00:00.000Z', 'in_progress', 'on_hold', 'other'),
      ev('2026-11-02T16:00:00.000Z', 'on_hold', 'in_progress'),
      ev('2026-11-02T17:00:00.000Z', 'in_progress', 'on_hold', 'waiting_production'),
    ], '2026-11-02T18:00:00.000Z');
    expect(pauses.map((p) => [p.reason, p.seconds, p.to])).toEqual([['waiting_parts', 14_400, '2026-11-02T14:00:00.000Z'], ['waiting_production', 3600, null]]);
  });

  it('a device clock ahead of the server cannot make an action look earlier or later than the server received it', () => {
    const ctx = (at: string) => mutationContext({ actor: { id: 'u', role: 'technician', departmentId: null }, now: '2026-11-02T12:30:00.000Z', at, side: 'server', mutationId: 'm' });
    // Two hours ahead: the action counts at the server's receive time (30 min late, not 1 h 30 early).
    expect(actionTime(ctx('2026-11-02T14:30:00.000Z'))).toBe('2026-11-02T12:30:00.000Z');
    expect(slaClocks({ ...base, respondedAt: actionTime(ctx('2026-11-02T14:30:00.000Z')) }, '2026-11-02T12:30:00.000Z').response).toMatchObject({ breached: true, leftMs: -30 * 60_000 });
    // A device that acted offline at 11:00 is on time, however late it synced.
    expect(actionTime(ctx('2026-11-02T11:00:00.000Z'))).toBe('2026-11-02T11:00:00.000Z');
  });

  it('SLA targets need every priority, hours above zero, and a resolution no shorter than the response', () => {
    const ok = { 1: { responseHours: 1, resolutionHours: 8 }, 2: { responseHours: 4, resolutionHours: 24 }, 3: { responseHours: 8, resolutionHours: 72 }, 4: { responseHours: 24, resolutionHours: 168 } };
    expect(slaProblems(ok)).toEqual([]);
    expect(slaProblems({ ...ok, 2: { responseHours: 4, resolutionHours: 2 } })).toEqual([{ field: '2.resolutionHours', message: 'cannot be shorter than the response time' }]);
    expect(slaProblems({ ...ok, 1: { responseHours: 0, resolutionHours: 8 } })[0].field).toBe('1.responseHours');
    expect(slaProblems({ 1: ok[1] }).map((p) => p.field)).toEqual(['2', '3', '4']);
  });
});

// issue 15: the one rule for "breached" and "near breach" (the Maintenance list's ?sla=, its export, the dashboard).
describe('slaState: breached, near breach (less than 25 % of the target left) or ok', () => {
  // Raised 08:00; 4 h to respond (12:00), 24 h to resolve (08:00 next day).
  const raised = { ...base, status: 'open' as const, raisedAt: '2026-11-02T08:00:00.000Z', createdAt: '2026-11-02T08:00:05.000Z' };

  it('judges the response clock until the ticket is answered: 1 h left of 4 is ok, 59 min is near, past 12:00 breached', () => {
    expect(slaState(raised, '2026-11-02T11:00:00.000Z')).toBe('ok'); // exactly 25 % left: not yet near
    expect(slaState(raised, '2026-11-02T11:01:00.000Z')).toBe('near');
    expect(slaAlert(raised, '2026-11-02T11:01:00.000Z')).toMatchObject({ clock: 'response', dueAt: '2026-11-02T12:00:00.000Z', leftMs: 59 * 60_000 });
    expect(slaState(raised, '2026-11-02T12:00:00.000Z')).toBe('near'); // on time means at or before the due time
    expect(slaState(raised, '2026-11-02T12:00:01.000Z')).toBe('breached');
  });

  it('after the answer, judges the resolution clock: 6 h left of 24 is ok, less is near; a hold waiting for parts moves the due time', () => {
    const started = { ...raised, status: 'in_progress' as const, respondedAt: '2026-11-02T09:00:00.000Z' };
    expect(slaState(started, '2026-11-03T02:00:00.000Z')).toBe('ok');
    expect(slaAlert(started, '2026-11-03T02:00:01.000Z')).toMatchObject({ state: 'near', clock: 'resolution' });
    expect(slaState(started, '2026-11-03T08:00:01.000Z')).toBe('breached');
    // 4 hours waiting for parts: at 08:00:01 next day 4 h are still left, 1/6 of the target: near, not breached.
    expect(slaState({ ...started, pausedSeconds: 4 * 3600 }, '2026-11-03T08:00:01.000Z')).toBe('near');
    expect(slaState({ ...started, pausedSeconds: 10 * 3600 }, '2026-11-03T08:00:01.000Z')).toBe('ok');
    // On hold waiting for parts since 01:00 with 1 h left: the clock waits, so it is not near; it would be once it runs again.
    const held = { ...started, status: 'on_hold' as const, pausedSince: '2026-11-03T01:00:00.000Z' };
    expect(slaState(held, '2026-11-03T05:00:00.000Z')).toBe('ok');
    expect(slaState({ ...held, status: 'in_progress' as const, pausedSince: null }, '2026-11-03T07:00:00.000Z')).toBe('near');
  });

  it('a done, verified or cancelled ticket is never breached or near, however late it was; a ticket without targets is ok', () => {
    const late = '2026-11-09T00:00:00.000Z';
    expect(slaState(raised, late)).toBe('breached');
    for (const status of ['completed', 'verified', 'cancelled'] as const) expect(slaState({ ...raised, status, completedAt: late }, late)).toBe('ok');
    expect(slaState({ ...raised, status: 'on_hold' as const }, late)).toBe('breached');
    expect(slaState({ ...raised, responseDueAt: null, resolutionDueAt: null }, late)).toBe('ok');
    // Without a raisedAt (rows written before it), the row's createdAt starts the target.
    expect(slaState({ ...raised, raisedAt: null }, '2026-11-02T11:01:00.000Z')).toBe('near');
  });
});
