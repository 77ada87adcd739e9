import { describe, expect, it } from 'vitest';
import { DEFAULT_CALENDAR } from '../../../sync/planning';
import { countEvents, currentShift } from './shift';

const local = (h: number, m = 0, day = 25) => new Date(2026, 10, day, h, m);
const ev = (userId: string, at: Date, o: { kind?: string; good?: number; rej?: number; min?: number } = {}) => ({
  userId, at: at.toISOString(), kind: o.kind ?? 'progress', goodQty: o.good ?? 0, rejectQty: o.rej ?? 0, minutes: o.min ?? 0, deletedAt: null,
});

describe('my shift', () => {
  it('finds the early and late shift of the calendar, and none at night', () => {
    expect(currentShift(local(9), DEFAULT_CALENDAR)?.name).toBe('Early');
    expect(currentShift(local(14), DEFAULT_CALENDAR)?.name).toBe('Late');
    expect(currentShift(local(23), DEFAULT_CALENDAR)).toBeNull();
  });

  it('treats a night shift after midnight as the one that started the evening before', () => {
    const cal = { ...DEFAULT_CALENDAR, shifts: [{ name: 'Night', start: '22:00', end: '06:00' }] };
    const s = currentShift(local(3), cal)!;
    expect(s.name).toBe('Night');
    expect(s.start).toEqual(local(22, 0, 24));
    expect(s.end).toEqual(local(6));
  });

  it('counts only my entries inside the window: good, rejected and downtime', () => {
    const events = [
      ev('me', local(7), { good: 40, rej: 2 }),
      ev('me', local(8), { kind: 'downtime', min: 15 }),
      ev('other', local(8), { good: 100 }),
      ev('me', local(15), { good: 7 }),
    ];
    expect(countEvents(events, 'me', local(6), local(14))).toEqual({ good: 40, rejected: 2, downtimeMinutes: 15, entries: 2 });
  });

  it('takes my corrections off my counts', () => {
    const events = [
      ev('me', local(7), { good: 50, rej: 3 }),
      ev('me', local(8), { kind: 'correction', good: -45, rej: -1 }),
      ev('other', local(8), { kind: 'correction', good: -10 }),
    ];
    expect(countEvents(events, 'me', local(6), local(14))).toEqual({ good: 5, rejected: 2, downtimeMinutes: 0, entries: 2 });
  });
});
