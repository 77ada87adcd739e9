// Corrective actions (issue 11 §3): who raises, owns, marks done and verifies them, who receives
// them in a pull, and what is refused — through real pushes and pulls, on SQLite and on MariaDB.
import { beforeEach, describe, expect, it } from 'vitest';
import { uuidv7 } from '../../sync/ids';
import { Rejection } from '../../sync/store';
import { useHarness } from '../../tests/setup/harness';
import { auditRows, devicePush, oneRow, tokenFor, userByName } from '../../tests/setup/helpers';
import { makeDevice } from '../../tests/setup/device';
import { overdueActionCount } from '../../client/db/rows';

const h = useHarness();
const push = devicePush(h);
beforeEach(() => push.reset());

const inDays = (n: number) => new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);
/** The demo's open reject on a machine (PRS-01 is Press, PNT-01 Paint). */
async function rejectOn(machineCode: string) {
  const machine = await oneRow(h, 'machines', { code: machineCode });
  return oneRow(h, 'rejects', { machineId: machine.id });
}
async function idOf(username: string) {
  return (await userByName(h, username)).id;
}
async function raise(by: string, fields: { sourceId: string; ownerId: string; sourceType?: string; description?: string; dueDate?: string }) {
  const id = uuidv7();
  const r = await push.send(by, 'action.create', { id, sourceType: 'reject', description: 'Regrind the die edge and check the first ten parts', dueDate: inDays(7), ...fields });
  return { id, r };
}
/** Every row of a table one user receives in a full pull. */
async function pulled(username: string, table: string) {
  const token = await tokenFor(h, username);
  const clientId = uuidv7();
  const rows: Record<string, any>[] = [];
  let cursor: string | undefined;
  for (let hasMore = true; hasMore;) {
    const qs = new URLSearchParams({ clientId, limit: '500', ...(cursor ? { cursor } : {}) });
    const r = await h.call('GET', `/api/sync/pull?${qs}`, { token });
    expect(r.status).toBe(200);
    for (const c of r.body.changes) if (c.table === table && c.row) rows.push(c.row);
    cursor = r.body.cursor;
    hasMore = r.body.hasMore;
  }
  return rows;
}

describe('raising a corrective action', () => {
  it('a supervisor raises one on a reject of their department: numbered (CA-000002 after the demo\'s), open, owned, audited', async () => {
    const reject = await rejectOn('PRS-01');
    const owner = await idOf('operator.press');
    const { id, r } = await raise('supervisor.press', { sourceId: reject.id, ownerId: owner });
    expect(r.status).toBe('applied');
    expect(await oneRow(h, 'correctiveActions', { id })).toMatchObject({
      number: 'CA-000002', sourceType: 'reject', sourceId: reject.id, ownerId: owner, status: 'open',
      departmentIds: JSON.stringify([reject.departmentId]), verifiedBy: null,
    });
    const [entry] = (await auditRows(h, 'action.create')).filter((a) => a.entityId === id);
    expect(entry).toMatchObject({ outcome: 'applied', entity: 'correctiveActions', entityId: id });
    expect(entry.after).toMatchObject({ status: 'open', ownerId: owner });
  });

  it('an operator may not raise one; a supervisor may not raise one on another department\'s reject (it reads as not found)', async () => {
    const press = await rejectOn('PRS-01');
    const paint = await rejectOn('PNT-01');
    const owner = await idOf('operator.press');
    expect((await raise('operator.press', { sourceId: press.id, ownerId: owner })).r).toMatchObject({ status: 'rejected', code: 'forbidden' });
    expect((await raise('supervisor.press', { sourceId: paint.id, ownerId: owner })).r).toMatchObject({ status: 'rejected', code: 'not_found' });
    expect((await raise('manager', { sourceId: paint.id, ownerId: owner })).r.status).toBe('applied');
  });

  it('refuses a past due date, a blank description, an inactive owner, an unknown source and a source type not available yet', async () => {
    const reject = await rejectOn('PRS-01');
    const owner = await idOf('operator.press');
    const past = await raise('manager', { sourceId: reject.id, ownerId: owner, dueDate: '2020-01-01' });
    expect(past.r).toMatchObject({ status: 'rejected', code: 'validation_failed', details: [{ field: 'dueDate' }] });
    const blank = await raise('manager', { sourceId: reject.id, ownerId: owner, description: '   ' });
    expect(blank.r).toMatchObject({ status: 'rejected', code: 'validation_failed', details: [{ field: 'description', message: 'is required' }] });
    await h.deps.db.updateTable('users').set({ active: 0 }).where('id', '=', await idOf('operator.paint')).execute();
    const inactive = await raise('manager', { sourceId: reject.id, ownerId: await idOf('operator.paint') });
    expect(inactive.r).toMatchObject({ status: 'rejected', code: 'validation_failed', details: [{ field: 'ownerId' }] });
    expect((await raise('manager', { sourceId: uuidv7(), ownerId: owner })).r).toMatchObject({ status: 'rejected', code: 'not_found' });
    // SOP compliance (issue 12): NCRs are a source now; an id that is no NCR reads as not found.
    expect((await raise('manager', { sourceId: reject.id, ownerId: owner, sourceType: 'ncr' })).r).toMatchObject({ status: 'rejected', code: 'not_found' });
    expect((await raise('manager', { sourceId: reject.id, ownerId: owner, sourceType: 'supplier' })).r).toMatchObject({ status: 'rejected', code: 'validation_failed' });
    const n = await h.deps.db.selectFrom('correctiveActions').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
    expect(Number(n.n)).toBe(1); // the demo plant's one
  });
});

describe('who receives an action in a pull', () => {
  it('the owner receives it wherever the source lives; the source\'s department does; other departments and technicians do not', async () => {
    const paint = await rejectOn('PNT-01');
    const mine = await raise('manager', { sourceId: paint.id, ownerId: await idOf('technician') });
    const theirs = await raise('manager', { sourceId: paint.id, ownerId: await idOf('operator.paint') });
    expect([mine.r.status, theirs.r.status]).toEqual(['applied', 'applied']);
    // Only this test's two (the demo plant has an action on a Press reject).
    const ids = async (u: string) => (await pulled(u, 'correctiveActions')).map((r) => r.id).filter((id) => id === mine.id || id === theirs.id).sort();
    expect(await ids('technician')).toEqual([mine.id]);
    expect(await ids('operator.paint')).toEqual([mine.id, theirs.id].sort());
    expect(await ids('operator.press')).toEqual([]);
    expect(await ids('supervisor.press')).toEqual([]);
    expect(await ids('manager')).toEqual([mine.id, theirs.id].sort());
    // A new owner receives it; the old one (a technician, who sees no Paint work) no longer does.
    const moved = await push.send('manager', 'action.update', { id: mine.id, base: { ownerId: await idOf('technician') }, changes: { ownerId: await idOf('operator.press') } });
    expect(moved.status).toBe('applied');
    expect(await ids('technician')).toEqual([]);
    expect(await ids('operator.press')).toEqual([mine.id]);
    // Sending it by its id from outside the scope reads as not found.
    expect(await push.send('supervisor.press', 'action.transition', { id: theirs.id, from: 'open', to: 'done' })).toMatchObject({ status: 'rejected', code: 'not_found' });
  });

  it('the owner\'s device keeps an action offline and marks it done there; the server takes it after sync', async () => {
    const reject = await rejectOn('PRS-01');
    const { id } = await raise('supervisor.press', { sourceId: reject.id, ownerId: await idOf('operator.press') });
    const d = await makeDevice(h, 'operator.press');
    await d.engine.sync();
    expect(await d.db.rows('correctiveActions').get(id)).toMatchObject({ status: 'open', number: 'CA-000002' });
    // The nav badge counts open actions past their due day (seen from the day after it is due): this one, not before.
    const owner = await idOf('operator.press');
    expect(await overdueActionCount(d.db, owner, inDays(7))).toBe(0);
    expect(await overdueActionCount(d.db, owner, inDays(8))).toBe(1);
    expect(await overdueActionCount(d.db, await idOf('operator.paint'), inDays(8))).toBe(0);
    d.network.offline = true;
    await d.engine.mutate('action.transition', { id, from: 'open', to: 'done', note: 'Die reground, ten parts measured' });
    expect(await d.db.rows('correctiveActions').get(id)).toMatchObject({ status: 'done', doneNote: 'Die reground, ten parts measured' });
    // Done is no longer overdue, even late.
    expect(await overdueActionCount(d.db, owner, inDays(8))).toBe(0);
    d.network.offline = false;
    await d.engine.sync();
    d.close();
    expect(await oneRow(h, 'correctiveActions', { id })).toMatchObject({ status: 'done', doneNote: 'Die reground, ten parts measured' });
  });
});

describe('done, verified, sent back', () => {
  it('only the owner or a lead marks it done; the owner may not verify it, on the device (offline) nor on the server; someone else does', async () => {
    const reject = await rejectOn('PRS-01');
    const supervisor = await idOf('supervisor.press');
    const { id } = await raise('manager', { sourceId: reject.id, ownerId: supervisor });
    // Another Press operator sees it (their department's reject) but does not own it.
    expect(await push.send('operator.press', 'action.transition', { id, from: 'open', to: 'done' })).toMatchObject({ status: 'rejected', code: 'forbidden' });
    expect((await push.send('supervisor.press', 'action.transition', { id, from: 'open', to: 'done', note: 'Die changed' })).status).toBe('applied');

    const d = await makeDevice(h, 'supervisor.press');
    await d.engine.sync();
    d.network.offline = true;
    const refused = await d.engine.mutate('action.transition', { id, from: 'done', to: 'verified' }).then(() => null, (e: unknown) => e);
    expect(refused).toBeInstanceOf(Rejection);
    expect((refused as Rejection).message).toMatch(/owner of a corrective action cannot verify it/);
    expect((refused as Rejection).details).toEqual([{ field: 'to', message: expect.stringMatching(/someone other than the owner/) }]);
    expect(await d.engine.pendingCount()).toBe(0);
    d.close();

    const server = await push.send('supervisor.press', 'action.transition', { id, from: 'done', to: 'verified' });
    expect(server).toMatchObject({ status: 'rejected', code: 'forbidden', message: expect.stringMatching(/cannot verify/) });
    expect((await oneRow(h, 'correctiveActions', { id })).status).toBe('done');
    expect(await push.send('operator.press', 'action.transition', { id, from: 'done', to: 'verified' })).toMatchObject({ status: 'rejected', code: 'forbidden' });

    expect((await push.send('manager', 'action.transition', { id, from: 'done', to: 'verified' })).status).toBe('applied');
    const verified = await oneRow(h, 'correctiveActions', { id });
    expect(verified).toMatchObject({ status: 'verified', verifiedBy: await idOf('manager') });
    expect(verified.verifiedAt).toBeTruthy();
    const moves = (await auditRows(h, 'action.transition')).filter((a) => a.outcome === 'applied' && a.entityId === id);
    expect(moves.map((a) => [a.before.status, a.after.status])).toEqual([['open', 'done'], ['done', 'verified']]);
    // Verified is the end: no edit, no move back.
    expect(await push.send('manager', 'action.update', { id, base: { description: verified.description }, changes: { description: 'Other' } })).toMatchObject({ status: 'rejected', code: 'validation_failed' });
    expect(await push.send('manager', 'action.transition', { id, from: 'verified', to: 'open', note: 'x' })).toMatchObject({ status: 'rejected', code: 'illegal_transition' });
  });

  it('a failed verification sends it back open with a note; without one it is refused', async () => {
    const reject = await rejectOn('PRS-01');
    const { id } = await raise('supervisor.press', { sourceId: reject.id, ownerId: await idOf('operator.press') });
    expect((await push.send('operator.press', 'action.transition', { id, from: 'open', to: 'done' })).status).toBe('applied');
    expect(await push.send('supervisor.press', 'action.transition', { id, from: 'done', to: 'open' })).toMatchObject({ status: 'rejected', code: 'validation_failed', details: [{ field: 'note' }] });
    expect(await push.send('operator.press', 'action.transition', { id, from: 'done', to: 'open', note: 'mine' })).toMatchObject({ status: 'rejected', code: 'forbidden' });
    expect((await push.send('supervisor.press', 'action.transition', { id, from: 'done', to: 'open', note: 'Burrs again on part 12' })).status).toBe('applied');
    expect(await oneRow(h, 'correctiveActions', { id })).toMatchObject({ status: 'open', reopenNote: 'Burrs again on part 12', doneAt: null });
  });
});

describe('editing an action', () => {
  it('merges field by field: a stale base is a conflict that keeps the server\'s value; a supervisor of another department may not edit', async () => {
    const reject = await rejectOn('PRS-01');
    const { id } = await raise('supervisor.press', { sourceId: reject.id, ownerId: await idOf('operator.press'), description: 'First' });
    const due = inDays(14);
    const r = await push.send('supervisor.press', 'action.update', { id, base: { description: 'First', dueDate: inDays(7) }, changes: { description: 'Second', dueDate: due } });
    expect(r.status).toBe('applied');
    const stale = await push.send('manager', 'action.update', { id, base: { description: 'First' }, changes: { description: 'Third' } });
    expect(stale.status).toBe('conflict');
    expect(stale.conflicts).toMatchObject([{ field: 'description' }]);
    expect(await oneRow(h, 'correctiveActions', { id })).toMatchObject({ description: 'Second', dueDate: due });
    const paint = await rejectOn('PNT-01');
    const other = await raise('manager', { sourceId: paint.id, ownerId: await idOf('supervisor.press') });
    // The Press supervisor owns it (and receives it) but edits only their department's actions.
    expect(await push.send('supervisor.press', 'action.update', { id: other.id, base: { description: 'Regrind the die edge and check the first ten parts' }, changes: { description: 'Mine now' } })).toMatchObject({ status: 'rejected', code: 'forbidden' });
    expect(await push.send('manager', 'action.update', { id, base: { dueDate: due }, changes: { dueDate: '2020-01-01' } })).toMatchObject({ status: 'rejected', code: 'validation_failed', details: [{ field: 'changes.dueDate' }] });
  });
});
