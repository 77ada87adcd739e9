import { describe, expect, it } from 'vitest';
import { uuidv7 } from '../../sync/ids';
import { useHarness } from '../../tests/setup/harness';
import { byName } from '../db/db';

const h = useHarness();

async function firstRow(table: string, where: Record<string, unknown> = {}) {
  let q = byName(h.deps.db).selectFrom(table).selectAll();
  for (const [k, v] of Object.entries(where)) q = q.where(k, '=', v);
  return q.executeTakeFirstOrThrow();
}

function mutation(seq: number, name: string, args: Record<string, unknown>) {
  return { id: uuidv7(), seq, name, args, at: new Date().toISOString() };
}

async function push(token: string, clientId: string, mutations: unknown[]) {
  return h.call('POST', '/api/sync/push', { token, body: { clientId, schemaVersion: 1, mutations } });
}

async function count(table: string, where: Record<string, unknown> = {}) {
  let q = byName(h.deps.db).selectFrom(table).select((eb) => eb.fn.countAll().as('n'));
  for (const [k, v] of Object.entries(where)) q = q.where(k, '=', v);
  return Number((await q.executeTakeFirst())?.n);
}

describe('push', () => {
  it('a push replayed 3 times writes once and answers the same result each time', async () => {
    const { accessToken } = await h.login('operator.press');
    const machine = await firstRow('machines', { code: 'PRS-01' });
    const defect = await firstRow('defectCodes', { code: 'BURR' });
    const clientId = uuidv7();
    const m = mutation(1, 'reject.create', { id: uuidv7(), machineId: machine.id, defectCodeId: defect.id, quantity: 4 });
    const before = await count('rejects');
    const answers = [];
    for (let i = 0; i < 3; i++) answers.push(await push(accessToken, clientId, [m]));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    expect(answers[1].body.results).toEqual(answers[0].body.results);
    expect(answers[0].body.results[0]).toMatchObject({ status: 'applied', entity: { table: 'rejects', version: 1 } });
    expect(await count('rejects')).toBe(before + 1);
    expect(await count('auditLog', { mutationId: m.id })).toBe(1);
    const row = await firstRow('rejects', { id: (m.args as any).id });
    expect(row.number).toMatch(/^REJ-\d{6}$/);
  });

  it('two devices edit different fields of one ticket and both changes apply', async () => {
    const tech = await h.login('technician');
    const sup = await h.login('supervisor.press');
    const t = await firstRow('maintenanceTickets', { status: 'open', reportedBy: sup.user.id });
    const a = await push(tech.accessToken, uuidv7(), [mutation(1, 'maintenance.update', { id: t.id, base: { workDone: t.workDone }, changes: { workDone: 'Replaced seal kit' } })]);
    const b = await push(sup.accessToken, uuidv7(), [mutation(1, 'maintenance.update', { id: t.id, base: { priority: t.priority }, changes: { priority: 1 } })]);
    expect(a.body.results[0].status).toBe('applied');
    expect(b.body.results[0].status).toBe('applied');
    const row = await firstRow('maintenanceTickets', { id: t.id });
    expect(row.workDone).toBe('Replaced seal kit');
    expect(row.priority).toBe(1);
    expect(row.version).toBe(t.version + 2);
  });

  it('two devices edit the same field: the second gets a conflict with base, mine and theirs, and the server value stays', async () => {
    const tech = await h.login('technician');
    const sup = await h.login('supervisor.press');
    const t = await firstRow('maintenanceTickets', { status: 'open', reportedBy: sup.user.id });
    await push(tech.accessToken, uuidv7(), [mutation(1, 'maintenance.update', { id: t.id, base: { description: t.description }, changes: { description: 'Tech says: seal' } })]);
    const second = mutation(1, 'maintenance.update', { id: t.id, base: { description: t.description }, changes: { description: 'Supervisor says: cylinder' } });
    const r = await push(sup.accessToken, uuidv7(), [second]);
    expect(r.body.results[0]).toMatchObject({
      status: 'conflict',
      conflicts: [{ field: 'description', base: t.description, mine: 'Supervisor says: cylinder', theirs: 'Tech says: seal' }],
    });
    expect((await firstRow('maintenanceTickets', { id: t.id })).description).toBe('Tech says: seal');
    const audit = await firstRow('auditLog', { mutationId: second.id });
    expect(audit.outcome).toBe('conflict');
    expect(JSON.parse(audit.conflicts)[0].mine).toBe('Supervisor says: cylinder');
  });

  it('completing a cancelled ticket is rejected as an illegal transition and changes nothing', async () => {
    const sup = await h.login('supervisor.press');
    const tech = await h.login('technician');
    const t = await firstRow('maintenanceTickets', { status: 'open', reportedBy: sup.user.id });
    const cancel = await push(sup.accessToken, uuidv7(), [mutation(1, 'maintenance.transition', { id: t.id, from: 'open', to: 'cancelled' })]);
    expect(cancel.body.results[0].status).toBe('applied');
    const r = await push(tech.accessToken, uuidv7(), [mutation(1, 'maintenance.transition', { id: t.id, from: 'in_progress', to: 'completed' })]);
    expect(r.status).toBe(200);
    expect(r.body.results[0]).toMatchObject({ status: 'rejected', code: 'illegal_transition' });
    expect(r.body.lastSeq).toBe(1);
    expect((await firstRow('maintenanceTickets', { id: t.id })).status).toBe('cancelled');
  });

  it('an operator sending a manager-only transition is rejected as forbidden', async () => {
    const op = await h.login('operator.press');
    const order = await firstRow('orders', { status: 'released' });
    const r = await push(op.accessToken, uuidv7(), [mutation(1, 'order.transition', { id: order.id, from: 'released', to: 'on_hold', holdReason: 'no steel' })]);
    expect(r.body.results[0]).toMatchObject({ status: 'rejected', code: 'forbidden' });
    expect((await firstRow('orders', { id: order.id })).status).toBe('released');
    expect(await count('auditLog', { outcome: 'rejected', mutationName: 'order.transition' })).toBe(1);
  });

  it('a malformed mutation in the middle of a batch is rejected and the ones after it still apply', async () => {
    const op = await h.login('operator.press');
    const machine = await firstRow('machines', { code: 'PRS-01' });
    const defect = await firstRow('defectCodes', { code: 'BURR' });
    const ok = (seq: number) => mutation(seq, 'reject.create', { id: uuidv7(), machineId: machine.id, defectCodeId: defect.id, quantity: seq });
    const bad = mutation(2, 'reject.create', { id: uuidv7(), machineId: machine.id, quantity: 'three', extra: true });
    const r = await push(op.accessToken, uuidv7(), [ok(1), bad, ok(3), mutation(4, 'no.such', {})]);
    expect(r.body.results.map((x: any) => x.status)).toEqual(['applied', 'rejected', 'applied', 'rejected']);
    expect(r.body.results[1].code).toBe('validation_failed');
    expect(r.body.results[3].code).toBe('unknown_mutation');
    expect(r.body.lastSeq).toBe(4);
  });

  it('a seq gap stops the batch with 409 seq_gap naming the expected seq', async () => {
    const op = await h.login('operator.press');
    const t = await firstRow('maintenanceTickets', { status: 'open' });
    const clientId = uuidv7();
    const r = await push(op.accessToken, clientId, [mutation(3, 'maintenance.comment', { id: uuidv7(), ticketId: t.id, note: 'hi' })]);
    expect(r.status).toBe(409);
    expect(r.body.error).toMatchObject({ code: 'seq_gap', details: [{ expected: 1 }] });
  });

  it('a client id bound to one user is refused for another user', async () => {
    const a = await h.login('operator.press');
    const b = await h.login('operator.paint');
    const t = await firstRow('maintenanceTickets', { status: 'open' });
    const clientId = uuidv7();
    await push(a.accessToken, clientId, [mutation(1, 'maintenance.comment', { id: uuidv7(), ticketId: t.id, note: 'mine' })]);
    const r = await push(b.accessToken, clientId, [mutation(2, 'maintenance.comment', { id: uuidv7(), ticketId: t.id, note: 'theirs' })]);
    expect(r.status).toBe(403);
    expect(r.body.error.code).toBe('client_not_owned');
  });

  it('a 2 MiB body is refused with 413 and 501 mutations with 400', async () => {
    const op = await h.login('operator.press');
    const big = await h.call('POST', '/api/sync/push', { token: op.accessToken, raw: JSON.stringify({ clientId: uuidv7(), schemaVersion: 1, mutations: [], pad: 'x'.repeat(2 * 1024 * 1024) }) });
    expect(big.status).toBe(413);
    expect(big.body.error.code).toBe('payload_too_large');
    const many = Array.from({ length: 501 }, (_, i) => mutation(i + 1, 'maintenance.comment', { id: uuidv7(), ticketId: uuidv7(), note: 'x' }));
    const r = await push(op.accessToken, uuidv7(), many);
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('validation_failed');
    expect(await count('syncMutations')).toBe(0);
  });

  it('a device time sent with a time-zone offset is applied (not a 500 on MySQL), stored as UTC and never later than the server received it', async () => {
    const op = await h.login('operator.press');
    const stage = await firstRow('stages', { status: 'running' });
    // One hour ahead of the server, written at UTC-05:00: as text it sorts before the server's time.
    const ahead = new Date(Date.now() + 3_600_000 - 5 * 3_600_000).toISOString().replace('Z', '-05:00');
    const id = uuidv7();
    const before = new Date().toISOString();
    const r = await push(op.accessToken, uuidv7(), [{ ...mutation(1, 'job.progress', { id, stageId: stage.id, goodQty: 1, rejectQty: 0 }), at: ahead }]);
    expect(r.body.results[0].status).toBe('applied');
    const event = await firstRow('jobEvents', { id });
    expect(event.at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(event.at >= before && event.at <= new Date().toISOString()).toBe(true);
    expect((await firstRow('auditLog', { mutationId: r.body.results[0].id })).clientAt).toBe(new Date(ahead).toISOString());
  });

  it("a different mutation sent with a seq the device already used is rejected and audited, not answered with the other's result", async () => {
    const { accessToken, user } = await h.login('operator.press');
    const t = await firstRow('maintenanceTickets', { departmentId: user.departmentId });
    const clientId = uuidv7();
    const first = mutation(1, 'maintenance.comment', { id: uuidv7(), ticketId: t.id, note: 'first' });
    const reused = mutation(1, 'maintenance.comment', { id: uuidv7(), ticketId: t.id, note: 'second' });
    await push(accessToken, clientId, [first]);
    const r = await push(accessToken, clientId, [reused]);
    expect(r.status).toBe(200);
    expect(r.body.results[0]).toMatchObject({ id: reused.id, seq: 1, status: 'rejected', code: 'validation_failed' });
    expect(r.body.results[0].message).toContain('already used by another change');
    expect(await count('maintenanceEvents', { note: 'second' })).toBe(0);
    expect(await count('auditLog', { mutationId: reused.id, outcome: 'rejected' })).toBe(1);
    // The real replay still answers the stored result.
    expect((await push(accessToken, clientId, [first])).body.results[0]).toMatchObject({ id: first.id, status: 'applied' });
  });

  it('a device clock far in the past is not trusted for the time of the action', async () => {
    const { accessToken, user } = await h.login('operator.press');
    const stage = await firstRow('stages', { departmentId: user.departmentId, status: 'running' });
    const m = { ...mutation(1, 'job.progress', { id: uuidv7(), stageId: stage.id, goodQty: 1, rejectQty: 0 }), at: '1970-01-01T00:00:05.000Z' };
    const before = Date.now();
    expect((await push(accessToken, uuidv7(), [m])).body.results[0].status).toBe('applied');
    const event = await firstRow('jobEvents', { id: (m.args as any).id });
    expect(Date.parse(event.at)).toBeGreaterThanOrEqual(before - 1000);
    expect((await firstRow('auditLog', { mutationId: m.id })).clientAt).toBe('1970-01-01T00:00:05.000Z');
  });
});
