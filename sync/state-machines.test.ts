import { describe, expect, it } from 'vitest';
import { allowedMoves, checkTransition, MAINTENANCE, ORDER, REJECT, STAGE } from './state-machines';
import { mergeFields } from './merge';

describe('state machines', () => {
  it('a technician takes, works and completes a ticket but cannot verify it', () => {
    expect(allowedMoves(MAINTENANCE, 'open', 'technician')).toEqual(['assigned']);
    expect(allowedMoves(MAINTENANCE, 'in_progress', 'technician').sort()).toEqual(['completed', 'on_hold']);
    expect(checkTransition(MAINTENANCE, 'completed', 'completed', 'verified', 'technician')).toMatchObject({ ok: false, code: 'forbidden' });
    expect(checkTransition(MAINTENANCE, 'completed', 'completed', 'verified', 'supervisor')).toEqual({ ok: true, noop: false });
  });

  it('a transition to the state the row is already in is applied with nothing to do; from the wrong state it is illegal', () => {
    expect(checkTransition(STAGE, 'running', 'ready', 'running', 'operator')).toEqual({ ok: true, noop: true });
    expect(checkTransition(STAGE, 'done', 'ready', 'running', 'operator')).toMatchObject({ ok: false, code: 'illegal_transition' });
    expect(checkTransition(MAINTENANCE, 'cancelled', 'in_progress', 'completed', 'technician')).toMatchObject({ ok: false, code: 'illegal_transition' });
  });

  it('only managers hold, resume, cancel, start or complete orders by hand; nobody moves a stage into or out of blocked by hand', () => {
    for (const role of ['operator', 'supervisor'] as const) {
      expect(allowedMoves(ORDER, 'released', role)).toEqual([]);
      expect(allowedMoves(ORDER, 'in_progress', role)).toEqual([]);
    }
    expect(allowedMoves(ORDER, 'released', 'manager').sort()).toEqual(['cancelled', 'in_progress', 'on_hold']);
    for (const role of ['admin', 'manager', 'supervisor', 'operator'] as const) {
      expect(allowedMoves(STAGE, 'blocked', role)).toEqual([]);
    }
  });

  it('rejects are reviewed by supervisors and approved only by managers', () => {
    expect(allowedMoves(REJECT, 'under_review', 'supervisor')).toEqual(['disputed']);
    expect(allowedMoves(REJECT, 'under_review', 'manager').sort()).toEqual(['approved', 'disputed']);
    expect(allowedMoves(REJECT, 'open', 'operator')).toEqual([]);
  });
});

describe('field merge', () => {
  it('applies fields whose server value still equals the base and reports the others as conflicts', () => {
    const current = { description: 'theirs', priority: 2, workDone: '' };
    const r = mergeFields(current, { description: 'orig', priority: 2, workDone: '' }, { description: 'mine', priority: 1, workDone: '' });
    expect(r.apply).toEqual({ priority: 1 });
    expect(r.conflicts).toEqual([{ field: 'description', base: 'orig', mine: 'mine', theirs: 'theirs' }]);
  });

  it('treats a change the server already has as done, not as a conflict', () => {
    expect(mergeFields({ a: 'x' }, { a: 'old' }, { a: 'x' })).toEqual({ apply: {}, conflicts: [] });
  });
});
