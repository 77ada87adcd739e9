// How the dashboard writes its figures: ratios as percentages ("—" without a denominator), hours,
// periods, and the age of the copy on screen ("as of 07:02, 3 min ago").
import type { Ratio } from '../../../sync/dashboard';
import { formatTime } from '../../ui/format';

/** 0.873 → "87 %"; null (nothing to divide by) → "—". */
export function pct(r: Ratio, digits = 0): string {
  return r == null ? '—' : `${(r * 100).toFixed(digits)} %`;
}

/** Utilisation above 1 (more hours scheduled than available). */
export const isOver = (r: Ratio) => r != null && r > 1;

export function hours(h: number): string {
  return `${Math.round(h * 10) / 10} h`;
}

const DAY = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short', timeZone: 'UTC' });
const dayOf = (d: string) => DAY.format(new Date(`${d}T00:00:00Z`));

/** "1 Dec – 7 Dec" for two UTC days (decision 0004); one day once. */
export function period(from: string, to: string): string {
  return from === to ? dayOf(from) : `${dayOf(from)} – ${dayOf(to)}`;
}

/** "just now", "3 min ago", "2 h 5 min ago", "3 days ago". */
export function ago(iso: string, now: Date): string {
  const min = Math.max(0, Math.floor((now.getTime() - new Date(iso).getTime()) / 60_000));
  if (min < 1) return 'just now';
  if (min < 60) return `${min} min ago`;
  const h = Math.floor(min / 60);
  if (h < 24) return min % 60 ? `${h} h ${min % 60} min ago` : `${h} h ago`;
  const d = Math.floor(h / 24);
  return `${d} day${d === 1 ? '' : 's'} ago`;
}

/** "as of 07:02, 3 min ago" (the time with its day when it is not today's). */
export function asOf(iso: string, now: Date): string {
  return `as of ${formatTime(iso)}, ${ago(iso, now)}`;
}
