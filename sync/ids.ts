// UUID v7: time-ordered ids that a device can make offline (RFC 9562 §5.7).
let lastMs = 0;
let counter = 0;

/** Random bytes fetched 4 KiB at a time: one getRandomValues call per 256 ids, not one per id. */
const pool = new Uint8Array(4096);
let poolAt = pool.length;
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** A new UUID v7. Monotonic within one process/tab even when the clock stands still. */
export function uuidv7(nowMs: number = Date.now()): string {
  if (poolAt + 16 > pool.length) {
    globalThis.crypto.getRandomValues(pool);
    poolAt = 0;
  }
  const bytes = pool.subarray(poolAt, poolAt + 16);
  poolAt += 16;
  if (nowMs <= lastMs) {
    counter = (counter + 1) & 0xfff;
    if (counter === 0) lastMs += 1;
    nowMs = lastMs;
  } else {
    lastMs = nowMs;
    counter = bytes[6] & 0x0f;
  }
  // 48 bits of milliseconds, big-endian (a float holds them exactly).
  const high = Math.floor(nowMs / 0x1000000);
  const low = nowMs % 0x1000000;
  const h = HEX;
  const time = h[(high >>> 16) & 0xff] + h[(high >>> 8) & 0xff] + h[high & 0xff] + h[(low >>> 16) & 0xff] + h[(low >>> 8) & 0xff] + h[low & 0xff];
  const b6 = 0x70 | ((counter >> 8) & 0x0f);
  const b7 = counter & 0xff;
  const b8 = 0x80 | (bytes[8] & 0x3f);
  return `${time.slice(0, 8)}-${time.slice(8, 12)}-${h[b6]}${h[b7]}-${h[b8]}${h[bytes[9]]}-${h[bytes[10]]}${h[bytes[11]]}${h[bytes[12]]}${h[bytes[13]]}${h[bytes[14]]}${h[bytes[15]]}`;
}

export const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The `n`th id a mutation makes for rows of its own (a maintenance ticket's history event): a pure
 * function of the mutation's id, so the device's optimistic row and the server's have the same id.
 * Formatted as a UUID v8 (RFC 9562 §5.8, custom): 128 bits from four 32-bit FNV-1a lanes, mixed.
 */
export function derivedId(seed: string, n: number): string {
  const text = `${seed}#${n}`;
  // The four lanes in one pass over the text (an import derives tens of thousands of stage ids).
  let h0 = 0x811c9dc5, h1 = 0x050c5d1f, h2 = 0x2f8b5c3d, h3 = 0x6a09e667;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h0 = Math.imul(h0 ^ c, 0x01000193);
    h1 = Math.imul(h1 ^ (c + 1), 0x01000193);
    h2 = Math.imul(h2 ^ (c + 2), 0x01000193);
    h3 = Math.imul(h3 ^ (c + 3), 0x01000193);
  }
  const w1 = (fmix(h1) & 0xffff0fff) | 0x00008000; // version 8
  const w2 = (fmix(h2) & 0x3fffffff) | 0x80000000; // variant 10xx
  const a = hex32(fmix(h0)), b = hex32(w1), c = hex32(w2);
  return `${a}-${b.slice(0, 4)}-${b.slice(4)}-${c.slice(0, 4)}-${c.slice(4)}${hex32(fmix(h3))}`;
}

/** murmur3's finaliser: every input bit reaches every output bit. */
function fmix(h: number): number {
  h ^= h >>> 16; h = Math.imul(h, 0x85ebca6b); h ^= h >>> 13; h = Math.imul(h, 0xc2b2ae35); h ^= h >>> 16;
  return h >>> 0;
}

const hex32 = (w: number) => HEX[w >>> 24] + HEX[(w >>> 16) & 255] + HEX[(w >>> 8) & 255] + HEX[w & 255];
