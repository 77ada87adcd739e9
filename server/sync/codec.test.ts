import { describe, expect, it } from 'vitest';
import { pageJson } from './codec';

const change = (i: number, note: string) => ({ table: 'jobEvents', op: 'upsert', id: `id-${i}`, row: { id: `id-${i}`, goodQty: i, ok: i % 2 === 0, note, at: new Date(0), meta: { parts: [1, 'x'] }, gone: undefined } });

describe('pageJson', () => {
  it('writes the bytes JSON.stringify writes, for any text and any page size', () => {
    for (const note of ['bench', 'Grüße – Ölwechsel', 'emoji 🔧 and a lone surrogate \ud800', 'quote " backslash \\ newline \n']) {
      for (const size of [0, 1, 3, 5000]) {
        const page = { cursor: 'v1.c.12.abcdef01', hasMore: size > 1, lastSeq: 7, reset: false, changes: Array.from({ length: size }, (_, i) => change(i, note.repeat(1 + (i % 40)))) };
        const bytes = Buffer.from(pageJson(page));
        expect(bytes.equals(Buffer.from(JSON.stringify(page)))).toBe(true);
        expect(JSON.parse(bytes.toString('utf8'))).toEqual(JSON.parse(JSON.stringify(page)));
      }
    }
  });

  it('a page after a larger one carries none of its bytes', () => {
    const big = Buffer.from(pageJson({ cursor: 'a', changes: Array.from({ length: 20_000 }, (_, i) => change(i, 'x'.repeat(100))) }));
    const small = Buffer.from(pageJson({ cursor: 'b', changes: [change(1, 'y')] }));
    expect(big.length).toBeGreaterThan(2 << 20);
    expect(small.toString('utf8')).toBe(JSON.stringify({ cursor: 'b', changes: [change(1, 'y')] }));
  });
});
