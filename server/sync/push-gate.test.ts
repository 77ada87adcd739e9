import { describe, expect, it } from 'vitest';
import { PushGate } from './push-gate';
import { AppError } from '../http/errors';

/** A task that runs until released, recording when it started. */
function task(log: string[], name: string) {
  let release!: () => void;
  const done = new Promise<void>((ok) => (release = ok));
  return { release, fn: async () => { log.push(`start ${name}`); await done; log.push(`end ${name}`); return name; } };
}
const settle = () => new Promise((ok) => setTimeout(ok, 0));

describe('the push gate', () => {
  it('runs at most its limit at once and admits the waiting ones in arrival order', async () => {
    const gate = new PushGate(2);
    const log: string[] = [];
    const tasks = ['a', 'b', 'c', 'd', 'e'].map((n) => task(log, n));
    const results = tasks.map((t) => gate.run(t.fn));
    await settle();
    expect(log).toEqual(['start a', 'start b']);
    expect(gate.queued).toBe(3);
    tasks[1].release();
    await settle();
    expect(log).toEqual(['start a', 'start b', 'end b', 'start c']);
    tasks[0].release();
    await settle();
    expect(log.slice(4)).toEqual(['end a', 'start d']);
    // A push that arrives now waits behind e, which was there first.
    const late = task(log, 'f');
    const lateResult = gate.run(late.fn);
    tasks[2].release();
    await settle();
    expect(log.slice(6)).toEqual(['end c', 'start e']);
    for (const t of [...tasks, late]) t.release();
    expect(await Promise.all([...results, lateResult])).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
    expect(gate.active).toBe(0);
    expect(gate.queued).toBe(0);
  });

  it('passes a failure on and frees the slot for the next', async () => {
    const gate = new PushGate(1);
    const failing = gate.run(async () => { throw new Error('the database is gone'); });
    const next = gate.run(async () => 'next');
    await expect(failing).rejects.toThrow('the database is gone');
    expect(await next).toBe('next');
    expect(gate.active).toBe(0);
  });

  it('drops a waiting push whose device went away, without running it or holding others up', async () => {
    const gate = new PushGate(1);
    const log: string[] = [];
    const first = task(log, 'first');
    const running = gate.run(first.fn);
    const gone = new AbortController();
    const abandoned = gate.run(async () => { log.push('abandoned ran'); return 'x'; }, gone.signal);
    const after = gate.run(async () => { log.push('after ran'); return 'after'; });
    gone.abort();
    await expect(abandoned).rejects.toBeInstanceOf(AppError);
    expect(gate.queued).toBe(1);
    first.release();
    expect(await running).toBe('first');
    expect(await after).toBe('after');
    expect(log).toEqual(['start first', 'end first', 'after ran']);
  });
});
