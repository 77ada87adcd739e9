import { describe, expect, it } from 'vitest';
import { firstPassYield, isoWeek, pareto, scrapRate, weekStart, yieldRows } from './quality-report';

describe('quality report formulas (DOMAIN.md "KPI definitions")', () => {
  it('scrap rate is scrapped / produced: 12 scrapped of 480 produced is 2.5 %', () => {
    expect(scrapRate(12, 480)).toBe(0.025);
    expect(scrapRate(1, 3)).toBe(0.3333);
    expect(scrapRate(0, 0)).toBeNull();
  });

  it('first-pass yield is (units in − scrap − rework) / units in: 200 in, 6 scrapped, 14 reworked is 90 %', () => {
    expect(firstPassYield(200, 6, 14)).toBe(0.9);
    // 7 in, 1 scrapped, 1 reworked: 5/7 = 0.714285… → 0.7143
    expect(firstPassYield(7, 1, 1)).toBe(0.7143);
    expect(firstPassYield(0, 0, 0)).toBeNull();
  });

  it('pareto sorts by quantity and runs the cumulative share: BURR 12+8, DIM 15, RUN 5 of 40', () => {
    const rows = pareto([
      { key: 'b', label: 'BURR', quantity: 12 }, { key: 'd', label: 'DIM', quantity: 15 },
      { key: 'r', label: 'RUN', quantity: 5 }, { key: 'b', label: 'BURR', quantity: 8 }, { key: 'z', label: 'ZERO', quantity: 0 },
    ]);
    // 20/40 = 50 %, 35/40 = 87.5 %, 40/40 = 100 %
    expect(rows).toEqual([
      { key: 'b', label: 'BURR', quantity: 20, cumulativePct: 50 },
      { key: 'd', label: 'DIM', quantity: 15, cumulativePct: 87.5 },
      { key: 'r', label: 'RUN', quantity: 5, cumulativePct: 100 },
    ]);
    // 1/3 = 33.3 %, 2/3 = 66.7 %
    expect(pareto([{ key: 'a', label: 'A', quantity: 1 }, { key: 'b', label: 'B', quantity: 1 }, { key: 'c', label: 'C', quantity: 1 }]).map((r) => r.cumulativePct)).toEqual([33.3, 66.7, 100]);
  });

  it('sums each slice before its rates: Press 100 + 60 in, 4 + 4 scrapped, 8 reworked', () => {
    const [press] = yieldRows([
      { key: 'p', label: 'Press', unitsIn: 100, scrapped: 4 },
      { key: 'p', label: 'Press', unitsIn: 60, scrapped: 4, reworked: 8 },
    ]);
    // scrap 8/160 = 0.05; FPY (160 − 8 − 8)/160 = 0.9
    expect(press).toEqual({ key: 'p', label: 'Press', unitsIn: 160, scrapped: 8, reworked: 8, scrapRate: 0.05, firstPassYield: 0.9 });
  });

  it('weeks are ISO weeks on UTC days', () => {
    expect(isoWeek('2026-12-01T23:59:00.000Z')).toBe('2026-W49');
    expect(isoWeek('2026-01-01')).toBe('2026-W01');
    expect(isoWeek('2027-01-01')).toBe('2026-W53');
    expect(weekStart('2026-W49')).toBe('2026-11-30');
    expect(weekStart('2026-W01')).toBe('2025-12-29');
  });
});
