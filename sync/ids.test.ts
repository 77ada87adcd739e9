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

  it('derives the ids it always derived: a device and a server of different versions agree', () => {
    // Pinned values, and the first implementation (per lane, hex by string) as the reference.
    expect(derivedId('0193a1b2-c3d4-7e5f-8a9b-0123456789ab', 0)).toBe('d2bcafdb-9e84-89b2-8131-d1e82d5cdb63');
    expect(derivedId('0193a1b2-c3d4-7e5f-8a9b-0123456789ab', 7)).toBe('37ab0d91-4ea2-863f-b337-2253a9390817');
    expect(derivedId('x', 123456)).toBe('1da3cfca-c426-861c-bf68-f0dac2aae9d5');
    expect(derivedId('Grüße 🔧', 2)).toBe('5b1d62b9-93d3-8504-9ca5-a967a393a4bb');
    const reference = (seed: string, n: number) => {
      const text = `${seed}#${n}`;
      const words = [0x811c9dc5, 0x050c5d1f, 0x2f8b5c3d, 0x6a09e667].map((h, lane) => {
        for (let i = 0; i < text.length; i++) {
          h ^= text.charCodeAt(i) + lane;
          h = Math.imul(h, 0x01000193);
        }
        h ^= h >>> 16; h = Math.imul(h, 0x85ebca6b); h ^= h >>> 13; h = Math.imul(h, 0xc2b2ae35); h ^= h >>> 16;
        return h >>> 0;
      });
      const hex = words.map((w) => w.toString(16).padStart(8, '0')).join('').split('');
      hex[12] = '8';
      hex[16] = ((parseInt(hex[16], 16) & 0x3) | 0x8).toString(16);
      const h = hex.join('');
      return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
    };
    for (let i = 0; i < 2_000; i++) {
      const seed = uuidv7();
      expect(derivedId(seed, i % 37)).toBe(reference(seed, i % 37));
    }
  });
});
