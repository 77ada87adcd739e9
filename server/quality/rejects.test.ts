// Reject review (issue 11 §1): approval needs a disposition, closing a root cause, disputing a note;
// `rework` puts the parts back on the stage through a job event; the operator's device sees the
// review's outcome; the history is read by whoever may see the reject. SQLite and MariaDB.
import { beforeEach, describe, expect, it } from 'vitest';
import { uuidv7 } from '../../sync/ids';
import { useHarness } from '../../tests/setup/harness';
import { auditRows, devicePush, oneRow, tokenFor, userByName } from '../../tests/setup/helpers';
import { makeDevice } from '../../tests/setup/device';
import { byName } from '../db/db';

const h = useHarness();
const push = devicePush(h);
beforeEach(() => push.reset());

/** The demo's running Press stage; a reject logged from its progress entry (so the stage counted it). */
async function rejectFromProgress(quantity = 4) {
  const stage = await oneRow(h, 'stages', { name: 'Blank and form', status: 'running' });
  const defect = await oneRow(h, 'defectCodes', { code: 'BURR' });
  const id = uuidv7();
  const r = await push.send('operator.press', 'job.progress', { id: uuidv7(), stageId: stage.id, goodQty: 0, rejectQty: quantity, reject: { id, defectCodeId: defect.id } });
  expect(r.status).toBe('applied');
  return { id, stage: await oneRow(h, 'stages', { id: stage.id }) };
}
const move = (by: string, id: string, from: string, to: string, extra: Record<string, unknown> = {}) => push.send(by, 'reject.transition', { id, from, to, ...extra });

describe('reviewing a reject', () => {
  it('approval needs a disposition, disputing a note, closing a root cause; each step is audited', async () => {
    const { id } = await rejectFromProgress();
    expect((await move('supervisor.press', id, 'open', 'under_review')).status).toBe('applied');
    expect(await move('manager', id, 'under_review', 'approved')).toMatchObject({ status: 'rejected', code: 'validation_failed', details: [{ field: 'disposition' }] });
    expect(await move('manager', id, 'under_review', 'approved', { disposition: 'burn' })).toMatchObject({ status: 'rejected', code: 'validation_failed' });
    expect(await move('supervisor.press', id, 'under_review', 'disputed')).toMatchObject({ status: 'rejected', code: 'validation_failed', details: [{ field: 'note' }] });
    expect((await move('supervisor.press', id, 'under_review', 'disputed', { note: 'Parts measure in tolerance' })).status).toBe('applied');
    expect(await oneRow(h, 'rejects', { id })).toMatchObject({ status: 'disputed', reviewNote: 'Parts measure in tolerance' });
    expect((await move('supervisor.press', id, 'disputed', 'under_review')).status).toBe('applied');
    expect((await move('manager', id, 'under_review', 'approved', { disposition: 'scrap' })).status).toBe('applied');
    expect(await oneRow(h, 'rejects', { id })).toMatchObject({ status: 'approved', disposition: 'scrap', approvedBy: (await userByName(h, 'manager')).id });
    expect(await move('supervisor.press', id, 'approved', 'closed')).toMatchObject({ status: 'rejected', code: 'validation_failed', details: [{ field: 'rootCause' }] });
    expect(await move('supervisor.press', id, 'approved', 'closed', { rootCause: 'Worn die', disposition: 'use_as_is' })).toMatchObject({ status: 'rejected', code: 'validation_failed', details: [{ field: 'disposition' }] });
    expect((await move('supervisor.press', id, 'approved', 'closed', { rootCause: 'Worn die' })).status).toBe('applied');
    expect(await oneRow(h, 'rejects', { id })).toMatchObject({ status: 'closed', rootCause: 'Worn die', disposition: 'scrap' });
    const steps = (await auditRows(h, 'reject.transition')).filter((a) => a.entityId === id && a.outcome === 'applied');
    expect(steps.map((a) => `${a.before.status}→${a.after.status}`)).toEqual(['open→under_review', 'under_review→disputed', 'disputed→under_review', 'under_review→approved', 'approved→closed']);
    // An operator does not review; a supervisor does not approve.
    const other = await rejectFromProgress(1);
    expect(await move('operator.press', other.id, 'open', 'under_review')).toMatchObject({ status: 'rejected', code: 'forbidden' });
    expect((await move('supervisor.press', other.id, 'open', 'under_review')).status).toBe('applied');
    expect(await move('supervisor.press', other.id, 'under_review', 'approved', { disposition: 'scrap' })).toMatchObject({ status: 'rejected', code: 'forbidden' });
  });

  it('a rework disposition puts the parts back on the stage as work to redo through a job event; the counts stay a sum of events', async () => {
    const start = await oneRow(h, 'stages', { name: 'Blank and form', status: 'running' });
    const { id, stage } = await rejectFromProgress(4);
    const before = stage.rejectQty;
    expect(before).toBe(start.rejectQty + 4);
    expect((await move('supervisor.press', id, 'open', 'under_review')).status).toBe('applied');
    expect((await move('manager', id, 'under_review', 'approved', { disposition: 'rework' })).status).toBe('applied');
    const after = await oneRow(h, 'stages', { id: stage.id });
    expect(after.rejectQty).toBe(before - 4);
    const events = await byName(h.deps.db).selectFrom('jobEvents').selectAll().where('stageId', '=', stage.id).execute();
    const rework = events.filter((e) => e.kind === 'rework');
    expect(rework).toHaveLength(1);
    expect(rework[0]).toMatchObject({ rejectQty: -4, goodQty: 0, note: expect.stringMatching(/^4 to rework \(REJ-\d{6}\)$/) });
    // What moved the stage's totals since the test began is exactly its events: +4 logged, −4 to rework.
    const sum = (k: 'goodQty' | 'rejectQty') => events.reduce((n, e) => n + Number(e[k]), 0);
    expect(events.map((e) => [e.kind, Number(e.rejectQty)]).sort()).toEqual([['progress', 4], ['rework', -4]]);
    expect({ good: after.goodQty - start.goodQty, rejected: after.rejectQty - start.rejectQty }).toEqual({ good: sum('goodQty'), rejected: sum('rejectQty') });
    // Approving it again changes nothing (already approved): no second event.
    expect((await move('manager', id, 'under_review', 'approved', { disposition: 'rework' })).status).toBe('applied');
    expect((await oneRow(h, 'stages', { id: stage.id })).rejectQty).toBe(start.rejectQty);
  });

  it('the operator who logged it sees it approved on their device after the next sync', async () => {
    const d = await makeDevice(h, 'operator.press');
    await d.engine.sync();
    const stage = await oneRow(h, 'stages', { name: 'Blank and form', status: 'running' });
    const defect = await oneRow(h, 'defectCodes', { code: 'BURR' });
    const id = uuidv7();
    await d.engine.mutate('job.progress', { id: uuidv7(), stageId: stage.id, goodQty: 0, rejectQty: 2, reject: { id, defectCodeId: defect.id } });
    await d.engine.sync();
    expect(await d.db.rows('rejects').get(id)).toMatchObject({ status: 'open' });
    expect((await move('supervisor.press', id, 'open', 'under_review')).status).toBe('applied');
    expect((await move('manager', id, 'under_review', 'approved', { disposition: 'scrap' })).status).toBe('applied');
    await d.engine.sync();
    expect(await d.db.rows('rejects').get(id)).toMatchObject({ status: 'approved', disposition: 'scrap' });
    d.close();
  });
});

describe('bad input', () => {
  it('a reject of a negative or fractional quantity is refused at the quantity, nothing written', async () => {
    const machine = await oneRow(h, 'machines', { code: 'PRS-01' });
    const defect = await oneRow(h, 'defectCodes', { code: 'BURR' });
    const before = (await h.deps.db.selectFrom('rejects').select('id').execute()).length;
    for (const quantity of [-2, 0, 1.5]) {
      expect(await push.send('operator.press', 'reject.create', { id: uuidv7(), machineId: machine.id, defectCodeId: defect.id, quantity }))
        .toMatchObject({ status: 'rejected', code: 'validation_failed', details: [{ field: 'quantity' }] });
    }
    expect((await h.deps.db.selectFrom('rejects').select('id').execute()).length).toBe(before);
  });
});

describe('GET /api/quality/history', () => {
  it('the reject\'s history for whoever may see it (a supervisor of its department too); another department\'s reads as not found', async () => {
    const machine = await oneRow(h, 'machines', { code: 'PRS-01' });
    const defect = await oneRow(h, 'defectCodes', { code: 'BURR' });
    const id = uuidv7();
    expect((await push.send('operator.press', 'reject.create', { id, machineId: machine.id, defectCodeId: defect.id, quantity: 3 })).status).toBe('applied');
    expect((await move('supervisor.press', id, 'open', 'under_review')).status).toBe('applied');
    const r = await h.call('GET', `/api/quality/history?entity=rejects&id=${id}`, { token: await tokenFor(h, 'supervisor.press') });
    expect(r.status).toBe(200);
    expect(r.body.entries.map((e: { mutationName: string }) => e.mutationName)).toEqual(['reject.transition', 'reject.create']);
    expect(r.body.entries[0]).toMatchObject({ before: { status: 'open' }, after: { status: 'under_review' }, username: 'supervisor.press' });
    const paint = await h.call('GET', `/api/quality/history?entity=rejects&id=${id}`, { token: await tokenFor(h, 'operator.paint') });
    expect(paint.status).toBe(404);
    expect(paint.body.error.code).toBe('not_found');
    const made = await h.call('GET', `/api/quality/history?entity=rejects&id=${uuidv7()}`, { token: await tokenFor(h, 'manager') });
    expect(made.status).toBe(404);
    expect((await h.call('GET', `/api/quality/history?entity=users&id=${id}`, { token: await tokenFor(h, 'manager') })).status).toBe(400);
    expect((await h.call('GET', `/api/quality/history?entity=rejects&id=${id}`)).status).toBe(401);
  });
});
