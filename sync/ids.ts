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
  const words = [0x811c9dc5, 0x050c5d1f, 0x2f8b5c3d, 0x6a09e667].map((h, lane) => {
    for (let i = 0; i < text.length; i++) {
      h ^= text.charCodeAt(i) + lane;
      h = Math.imul(h, 0x01000193);
    }
    // murmur3's finaliser: every input bit reaches every output bit.
    h ^= h >>> 16; h = Math.imul(h, 0x85ebca6b); h ^= h >>> 13; h = Math.imul(h, 0xc2b2ae35); h ^= h >>> 16;
    return h >>> 0;
  });
  const hex = words.map((w) => w.toString(16).padStart(8, '0')).join('').split('');
  hex[12] = '8'; // version 8
  hex[16] = ((parseInt(hex[16], 16) & 0x3) | 0x8).toString(16); // variant 10xx
  const h = hex.join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
