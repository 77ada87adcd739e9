import { describe, expect, it } from 'vitest';
import { eventText } from './events';

const ev = (o: Partial<Parameters<typeof eventText>[0]>) => ({ kind: 'progress', goodQty: 0, rejectQty: 0, minutes: 0, downtimeReason: null, note: null, ...o });

describe('a stage event in words', () => {
  it('says a correction is one, with what it took off and why', () => {
    expect(eventText(ev({ kind: 'correction', goodQty: -45, note: 'Typed 50 instead of 5' }))).toBe('Correction −45 good: Typed 50 instead of 5');
    expect(eventText(ev({ kind: 'correction', goodQty: -2, rejectQty: -1, note: 'Counted twice' }))).toBe('Correction −2 good, −1 rejected: Counted twice');
  });
  it('says progress and downtime as before', () => {
    expect(eventText(ev({ goodQty: 25 }))).toBe('25 good, 0 rejected');
    expect(eventText(ev({ kind: 'downtime', minutes: 15, downtimeReason: 'tool_change', note: 'die 4' }))).toBe('Downtime 15 min: tool change — die 4');
  });
});
