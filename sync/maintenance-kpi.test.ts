// The report's formulas with figures worked out by hand (the comments show the sums).
import { describe, expect, it } from 'vitest';
import { backlogByAge, kpis, preventiveCompliance, resolutionCompliance, responseCompliance, type KpiTicket } from './maintenance-kpi';

const machines = [
  { id: 'M1', code: 'M1', name: 'Press', departmentId: 'D1', hoursPerDay: 16 },
  { id: 'M2', code: 'M2', name: 'Cell', departmentId: 'D1', hoursPerDay: 8 },
];
// Ten days: 1 November 00:00 to 11 November 00:00; the report is read on 20 November.
const period = { from: '2026-11-01T00:00:00.000Z', to: '2026-11-11T00:00:00.000Z', now: '2026-11-20T00:00:00.000Z' };
const t = (id: string, f: Partial<KpiTicket>): KpiTicket => ({
  id, number: id, machineId: 'M1', departmentId: 'D1', type: 'corrective', priority: 2, status: 'completed', raisedAt: null, createdAt: '2026-11-01T00:00:00.000Z',
  responseDueAt: null, resolutionDueAt: null, respondedAt: null, completedAt: null, pausedSeconds: 0, pausedSince: null, downtimeMinutes: 0, planDueAt: null, assigneeId: null, ...f,
});
const tickets: KpiTicket[] = [
  // A: repaired in 1 h of downtime, both clocks met.
  t('A', { raisedAt: '2026-11-02T08:00:00.000Z', responseDueAt: '2026-11-02T12:00:00.000Z', respondedAt: '2026-11-02T09:00:00.000Z', resolutionDueAt: '2026-11-03T08:00:00.000Z', completedAt: '2026-11-02T10:00:00.000Z', downtimeMinutes: 60 }),
  // B: responded an hour late; resolved at 19:00, three hours after 16:00, but 4 h on hold waiting for parts moved the target to 20:00.
  t('B', { priority: 1, raisedAt: '2026-11-05T08:00:00.000Z', responseDueAt: '2026-11-05T09:00:00.000Z', respondedAt: '2026-11-05T10:00:00.000Z', resolutionDueAt: '2026-11-05T16:00:00.000Z', pausedSeconds: 4 * 3600, completedAt: '2026-11-05T19:00:00.000Z', downtimeMinutes: 540 }),
  // C: assigned, never started: its response (due 9 Nov 16:00) is missed; its resolution is due after the period.
  t('C', { machineId: 'M2', priority: 3, status: 'assigned', raisedAt: '2026-11-09T08:00:00.000Z', responseDueAt: '2026-11-09T16:00:00.000Z', resolutionDueAt: '2026-11-12T08:00:00.000Z' }),
  // D: preventive due 4 Nov, done that afternoon.
  t('D', { machineId: 'M2', type: 'preventive', planDueAt: '2026-11-04T12:00:00.000Z', raisedAt: '2026-11-04T09:00:00.000Z', responseDueAt: '2026-11-04T17:00:00.000Z', respondedAt: '2026-11-04T13:00:00.000Z', resolutionDueAt: '2026-11-07T12:00:00.000Z', completedAt: '2026-11-04T15:00:00.000Z' }),
  // E: preventive due 8 Nov, done on the 9th at 14:00: late for the plan and for its resolution (due 12:00).
  t('E', { machineId: 'M2', type: 'preventive', planDueAt: '2026-11-08T12:00:00.000Z', raisedAt: '2026-11-08T08:00:00.000Z', responseDueAt: '2026-11-08T16:00:00.000Z', respondedAt: '2026-11-08T14:00:00.000Z', resolutionDueAt: '2026-11-09T12:00:00.000Z', completedAt: '2026-11-09T14:00:00.000Z' }),
  // F: cancelled: counts nowhere.
  t('F', { status: 'cancelled', raisedAt: '2026-11-03T08:00:00.000Z', responseDueAt: '2026-11-03T12:00:00.000Z', resolutionDueAt: '2026-11-04T08:00:00.000Z' }),
  // G: raised the evening before the report, still open: only in the backlog.
  t('G', { status: 'open', raisedAt: '2026-11-19T20:00:00.000Z', responseDueAt: '2026-11-20T00:00:00.000Z', resolutionDueAt: '2026-11-20T20:00:00.000Z' }),
];

describe('the maintenance report formulas', () => {
  it('MTTR = repair downtime / corrective repairs: (60 + 540) / 2 = 300 minutes', () => {
    const k = kpis(tickets, machines, period);
    expect(k).toMatchObject({ repairs: 2, repairDowntimeMinutes: 600, mttrMinutes: 300 });
  });

  it('MTBF = operating time / breakdowns: (24 h a day × 10 days − 10 h down) / 3 = 76.7 hours; availability 230 / 240 = 95.8 %', () => {
    const k = kpis(tickets, machines, period);
    expect(k).toMatchObject({ breakdowns: 3, availableHours: 240, operatingHours: 230, mtbfHours: 76.7, availabilityPct: 95.8 });
  });

  it('response compliance: A, D and E met, B and C missed, F cancelled: 3 of 5 = 60 %', () => {
    expect(responseCompliance(tickets, period)).toEqual({ due: 5, met: 3, pct: 60 });
  });

  it('resolution compliance counts pauses: A, B (thanks to 4 h waiting for parts) and D met, E late, C due later: 3 of 4 = 75 %; without the pause 2 of 4', () => {
    expect(resolutionCompliance(tickets, period)).toEqual({ due: 4, met: 3, pct: 75 });
    const unpaused = tickets.map((x) => (x.id === 'B' ? { ...x, pausedSeconds: 0 } : x));
    expect(resolutionCompliance(unpaused, period)).toEqual({ due: 4, met: 2, pct: 50 });
  });

  it('a clock still running is not yet counted: read on 9 November at 12:00, C\'s response (due 16:00) is neither met nor missed', () => {
    expect(responseCompliance(tickets, { ...period, now: '2026-11-09T12:00:00.000Z' })).toEqual({ due: 4, met: 3, pct: 75 });
  });

  it('preventive compliance: D done on its due day, E a day late: 1 of 2 = 50 %', () => {
    expect(preventiveCompliance(tickets, period)).toEqual({ due: 2, met: 1, pct: 50 });
  });

  it('no repairs and no breakdowns give no MTTR and no MTBF rather than a division by zero', () => {
    expect(kpis([], machines, period)).toMatchObject({ repairs: 0, mttrMinutes: null, breakdowns: 0, mtbfHours: null, availabilityPct: 100, response: { due: 0, pct: null } });
  });

  it('the backlog sorts open tickets by age: C raised 11 days ago, G 4 hours ago', () => {
    expect(backlogByAge(tickets, period.now)).toEqual([
      { bucket: 'under 1 day', count: 1 }, { bucket: '1–3 days', count: 0 }, { bucket: '3–7 days', count: 0 }, { bucket: '7–30 days', count: 1 }, { bucket: 'over 30 days', count: 0 },
    ]);
  });
});
