// The money rules of sync/finance.ts: exact decimal reading, one rounding (halves away from zero).
import { describe, expect, it } from 'vitest';
import { centsOf, findCycle, formatCents, labourCost, lineCost, ratioBp, roundDiv, toScaled } from './finance';

describe('money', () => {
  it('rounds halves away from zero', () => {
    expect([roundDiv(5n, 2n), roundDiv(4n, 3n), roundDiv(-5n, 2n), roundDiv(7n, 2n)]).toEqual([3n, 1n, -3n, 4n]);
  });
  it('reads decimals from their text, not their binary value', () => {
    expect(toScaled(1.005, 3)).toBe(1005);
    expect(toScaled(0.1, 4)).toBe(1000);
    expect(toScaled(2.5, 3)).toBe(2500);
    expect(toScaled(0.0001, 3)).toBeNull();
    expect(toScaled(1e-7, 4)).toBeNull();
    expect(centsOf(1.005)).toBe(101);
    expect(centsOf(0.35)).toBe(35);
    expect(centsOf(18.5)).toBe(1850);
  });
  it('costs a line once: 0.125 × 3.33 × 1.10 = 0.457875 → 0.46; 0.5 × 0.03 = 0.015 → 0.02', () => {
    expect(lineCost(125, 333, 1000)).toBe(46);
    expect(lineCost(500, 3, 0)).toBe(2);
    expect(lineCost(1000, 1005, 50)).toBe(1010);
  });
  it('shares standard minutes over the routing by planned minutes, each at its department rate', () => {
    const rate = { default: 6000, departments: { prs: 9000 } };
    expect(labourCost({ standardMinutes: 2, routing: [{ name: 'a', departmentId: 'prs', plannedMinutes: 30 }, { name: 'b', departmentId: 'pnt', plannedMinutes: 10 }] }, rate)).toBe(275);
    expect(labourCost({ standardMinutes: 1.5, routing: [] }, rate)).toBe(150);
  });
  it('formats cents and ratios', () => {
    expect([formatCents(123456), formatCents(-5), formatCents(0)]).toEqual(['1,234.56', '-0.05', '0.00']);
    expect([ratioBp(302, 3000), ratioBp(-90, 525), ratioBp(1, 0)]).toEqual([1007, -1714, null]);
  });
  it('finds the path by which a product would contain itself', () => {
    const children: Record<string, string[]> = { x: ['y'], y: ['z'], z: [] };
    expect(findCycle('z', ['x'], (id) => children[id] ?? [])).toEqual(['z', 'x', 'y', 'z']);
    expect(findCycle('z', ['z'], () => [])).toEqual(['z', 'z']);
    expect(findCycle('x', ['y'], (id) => children[id] ?? [])).toBeNull();
  });
});
