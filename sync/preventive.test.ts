// The "due soon" rule of preventive plans (issue 15): /maintenance/plans?due=week and the dashboard's tile.
import { describe, expect, it } from 'vitest';
import { isDueSoon } from './preventive';

describe('isDueSoon', () => {
  const now = '2026-11-02T08:00:00.000Z';
  it('an active plan due within 7 days, or overdue, is due soon; one due later or paused is not', () => {
    expect(isDueSoon({ status: 'active', nextDueAt: '2026-10-20T08:00:00.000Z' }, now)).toBe(true); // overdue
    expect(isDueSoon({ status: 'active', nextDueAt: '2026-11-09T08:00:00.000Z' }, now)).toBe(true); // exactly 7 days
    expect(isDueSoon({ status: 'active', nextDueAt: '2026-11-09T08:00:01.000Z' }, now)).toBe(false);
    expect(isDueSoon({ status: 'paused', nextDueAt: '2026-10-20T08:00:00.000Z' }, now)).toBe(false);
  });
});
