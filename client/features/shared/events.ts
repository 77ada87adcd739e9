// A stage's recorded events (progress, downtime, corrections) in the words the floor uses.
import type { JobEvent } from '../../../sync/tables';
import { words } from '../../ui/format';

/** A stage's recorded event as people say it: "25 good, 0 rejected", "Correction −45 good: typed 50 instead of 5". */
export function eventText(e: Pick<JobEvent, 'kind' | 'goodQty' | 'rejectQty' | 'minutes' | 'downtimeReason' | 'note'>): string {
  if (e.kind === 'correction') {
    const parts = [e.goodQty ? `−${-e.goodQty} good` : '', e.rejectQty ? `−${-e.rejectQty} rejected` : ''].filter(Boolean);
    return `Correction ${parts.join(', ')}${e.note ? `: ${e.note}` : ''}`;
  }
  // quality: an approved reject sent back to the stage for rework (the note names it and its parts).
  if (e.kind === 'rework') return `Back for rework: ${e.note ?? ''}${e.rejectQty ? ` (−${-e.rejectQty} rejected)` : ''}`;
  const what = e.kind === 'downtime' ? `Downtime ${e.minutes} min: ${words(e.downtimeReason)}` : `${e.goodQty} good, ${e.rejectQty} rejected`;
  return e.note ? `${what} — ${e.note}` : what;
}
