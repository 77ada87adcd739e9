// UUID v7: time-ordered ids that a device can make offline (RFC 9562 §5.7).
let lastMs = 0;
let counter = 0;

/** A new UUID v7. Monotonic within one process/tab even when the clock stands still. */
export function uuidv7(nowMs: number = Date.now()): string {
  const bytes = new Uint8Array(16);
  globalThis.crypto.getRandomValues(bytes);
  if (nowMs <= lastMs) {
    counter = (counter + 1) & 0xfff;
    if (counter === 0) lastMs += 1;
    nowMs = lastMs;
  } else {
    lastMs = nowMs;
    counter = bytes[6] & 0x0f;
  }
  const ms = BigInt(nowMs);
  for (let i = 0; i < 6; i++) bytes[i] = Number((ms >> BigInt(8 * (5 - i))) & 0xffn);
  bytes[6] = 0x70 | ((counter >> 8) & 0x0f);
  bytes[7] = counter & 0xff;
  bytes[8] = 0x80 | (bytes[8] & 0x3f);
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
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
