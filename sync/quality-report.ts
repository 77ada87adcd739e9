// The quality report (issue 11 §5): its answer's shape and the formulas, exactly as DOMAIN.md
// "KPI definitions" says them. Pure: the server's query feeds them rows, the unit tests numbers.

/** One bar of a Pareto chart: the quantity of one key and the running share of the total, in %. */
export interface ParetoRow { key: string; label: string; quantity: number; cumulativePct: number }

/** Counts of one slice (a product, a department, a week) and its two rates. */
export interface YieldRow {
  key: string; label: string;
  /** Units in: good and rejected parts counted on the stages (job events) in the period. */
  unitsIn: number;
  /** Reject quantity with disposition `scrap`. */
  scrapped: number;
  /** Reject quantity with disposition `rework`. */
  reworked: number;
  /** scrapped / units in; null when nothing was produced. */
  scrapRate: number | null;
  /** (units in − scrap − rework) / units in; null when nothing was produced. */
  firstPassYield: number | null;
}

export interface QualityReport {
  from: string; to: string; departmentId: string | null; productId: string | null;
  /** The server's time when the report was made (shown offline as "as of …"). */
  generatedAt: string;
  pareto: { byDefectCode: ParetoRow[]; byMachine: ParetoRow[]; byDepartment: ParetoRow[] };
  scrapRate: number | null;
  firstPassYield: number | null;
  totals: { unitsIn: number; scrapped: number; reworked: number; rejected: number; rejects: number };
  byProduct: YieldRow[];
  byDepartment: YieldRow[];
  byWeek: YieldRow[];
}

/** Ratios are given to 4 decimals (0.1234 = 12.34 %), percentages to 1. */
const round = (x: number, places: number) => Math.round(x * 10 ** places) / 10 ** places;

/** Scrap rate = scrapped / produced (DOMAIN.md). Null when nothing was produced. */
export function scrapRate(scrapped: number, produced: number): number | null {
  return produced > 0 ? round(scrapped / produced, 4) : null;
}

/** First-pass yield = (units in − scrap − rework) / units in (DOMAIN.md). Null when nothing came in. */
export function firstPassYield(unitsIn: number, scrap: number, rework: number): number | null {
  return unitsIn > 0 ? round((unitsIn - scrap - rework) / unitsIn, 4) : null;
}

/**
 * Pareto: the keys by quantity, largest first (ties by label), each with the cumulative share of
 * the total so far. Keys with quantity 0 are left out.
 */
export function pareto(items: Iterable<{ key: string; label: string; quantity: number }>): ParetoRow[] {
  const sums = new Map<string, { key: string; label: string; quantity: number }>();
  for (const i of items) {
    const s = sums.get(i.key) ?? { key: i.key, label: i.label, quantity: 0 };
    s.quantity += i.quantity;
    sums.set(i.key, s);
  }
  const rows = [...sums.values()].filter((r) => r.quantity > 0).sort((a, b) => b.quantity - a.quantity || a.label.localeCompare(b.label));
  const total = rows.reduce((n, r) => n + r.quantity, 0);
  let running = 0;
  return rows.map((r) => {
    running += r.quantity;
    return { ...r, cumulativePct: round((running / total) * 100, 1) };
  });
}

/** Sums counts per key and computes the two rates of each slice. */
export function yieldRows(items: Iterable<{ key: string; label: string; unitsIn?: number; scrapped?: number; reworked?: number }>): YieldRow[] {
  const sums = new Map<string, { key: string; label: string; unitsIn: number; scrapped: number; reworked: number }>();
  for (const i of items) {
    const s = sums.get(i.key) ?? { key: i.key, label: i.label, unitsIn: 0, scrapped: 0, reworked: 0 };
    s.unitsIn += i.unitsIn ?? 0;
    s.scrapped += i.scrapped ?? 0;
    s.reworked += i.reworked ?? 0;
    sums.set(i.key, s);
  }
  return [...sums.values()].map((s) => ({ ...s, scrapRate: scrapRate(s.scrapped, s.unitsIn), firstPassYield: firstPassYield(s.unitsIn, s.scrapped, s.reworked) }));
}

/** The ISO week of a UTC day or time: `2026-W49` (weeks start on Monday; days are UTC, decision 0004). */
export function isoWeek(iso: string): string {
  const d = new Date(`${iso.slice(0, 10)}T00:00:00Z`);
  const day = (d.getUTCDay() + 6) % 7; // Monday 0
  d.setUTCDate(d.getUTCDate() - day + 3); // the week's Thursday decides its year
  const year = d.getUTCFullYear();
  const jan4 = new Date(Date.UTC(year, 0, 4));
  const week = 1 + Math.round(((d.getTime() - jan4.getTime()) / 86_400_000 - 3 + ((jan4.getUTCDay() + 6) % 7)) / 7);
  return `${year}-W${String(week).padStart(2, '0')}`;
}

/** The Monday a week key starts on (YYYY-MM-DD). */
export function weekStart(week: string): string {
  const [y, w] = week.split('-W').map(Number) as [number, number];
  const jan4 = new Date(Date.UTC(y, 0, 4));
  const monday = new Date(jan4.getTime() - ((jan4.getUTCDay() + 6) % 7) * 86_400_000 + (w - 1) * 7 * 86_400_000);
  return monday.toISOString().slice(0, 10);
}
