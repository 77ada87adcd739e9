import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { derivedId, uuidv7 } from './ids';
import { Uuid } from './protocol';

describe('derivedId', () => {
  it('gives the same valid UUID for the same mutation and counter, and different ones otherwise', () => {
    const a = uuidv7();
    const b = uuidv7();
    expect(derivedId(a, 0)).toBe(derivedId(a, 0));
    const ids = new Set([derivedId(a, 0), derivedId(a, 1), derivedId(a, 2), derivedId(b, 0), derivedId(b, 1)]);
    expect(ids.size).toBe(5);
    for (const id of ids) {
      expect(v.is(Uuid, id)).toBe(true);
      expect(id[14]).toBe('8');
      expect('89ab').toContain(id[19]);
    }
  });
});
