// How times, sizes and enum values read on screen.

const TIME = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const DAY_TIME = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' });
const YEAR_DAY_TIME = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit' });

/**
 * A moment in the plant's local time, the one way every screen shows an ISO time: "14:05" today,
 * "25 Nov, 14:05" on another day this year, "25 Nov 2025, 14:05" before.
 */
export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const today = new Date();
  if (d.toDateString() === today.toDateString()) return TIME.format(d);
  return (d.getFullYear() === today.getFullYear() ? DAY_TIME : YEAR_DAY_TIME).format(d);
}

/** The older name of `formatTime`. */
export const when = formatTime;

/** An ISO timestamp as the server and the mutators write it (`2026-11-25T22:36:50.438Z`). */
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

export function bytes(n: number | null | undefined): string {
  if (n == null) return 'unknown';
  if (n < 1024) return `${n} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}

/** `use_as_is` → "use as is". */
export function words(s: string | null | undefined): string {
  return (s ?? '').replace(/_/g, ' ');
}

/** A stored value as a history line shows it: times in local format, nothing as "(empty)". */
export function show(v: unknown): string {
  if (v === null || v === undefined || v === '') return '(empty)';
  if (typeof v === 'object') return JSON.stringify(v);
  if (typeof v === 'string' && ISO_TIME.test(v)) return formatTime(v);
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  return String(v);
}
