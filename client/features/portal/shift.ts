// "My shift's counts": which shift of the calendar is on now (device wall clock, the plant's time)
// and the sums of one person's job events inside it and today (corrections taken off).
import { tally, type Tally } from '../floor/floor';
import type { ShiftCalendar } from '../../../sync/planning';
import type { JobEvent } from '../../../sync/tables';

export interface ShiftWindow { name: string; start: Date; end: Date }

function at(base: Date, hhmm: string, dayOffset = 0): Date {
  const d = new Date(base.getFullYear(), base.getMonth(), base.getDate() + dayOffset);
  d.setHours(Number(hhmm.slice(0, 2)), Number(hhmm.slice(3, 5)), 0, 0);
  return d;
}

/** The shift running at `now`, or null between shifts. A shift that ends before it starts runs past midnight. */
export function currentShift(now: Date, cal: ShiftCalendar): ShiftWindow | null {
  for (const s of cal.shifts) {
    const overnight = s.end <= s.start;
    // An overnight shift seen after midnight started the day before.
    for (const offset of overnight ? [0, -1] : [0]) {
      const start = at(now, s.start, offset);
      const end = at(now, s.end, offset + (overnight ? 1 : 0));
      if (now >= start && now < end) return { name: s.name, start, end };
    }
  }
  return null;
}

/** An operator's counts over a window: the sums Floor now's tally makes, of their own events. */
export type Counts = Tally;

export function countEvents(events: Pick<JobEvent, 'userId' | 'kind' | 'goodQty' | 'rejectQty' | 'minutes' | 'at' | 'deletedAt'>[], userId: string, from: Date, to: Date): Counts {
  // A correction carries negative quantities: it takes back part of an earlier count (floor.ts tally).
  return tally(events, from, to, (e) => e.userId === userId);
}

export function startOfDay(now: Date): Date {
  return new Date(now.getFullYear(), now.getMonth(), now.getDate());
}
