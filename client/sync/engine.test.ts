import { describe, expect, it } from 'vitest';
import { uuidv7 } from '../../sync/ids';
import { Rejection } from '../../sync/store';
import { useHarness } from '../../tests/setup/harness';
import { makeDevice } from '../../tests/setup/device';
import { LoginRequired, SyncEngine } from './engine';
import { pruneWindow } from '../db/prune';

const h = useHarness();

describe('client sync engine', () => {
  it('a new engine on the same device starts from the last sync time it stored, and a failed sync keeps it', async () => {
    const d = await makeDevice(h, 'operator.press');
    await d.engine.sync();
    const at = d.engine.state.lastSyncAt;
    expect(at).toBeTruthy();
    // A reload: a fresh engine over the same database, with no network.
    const again = new SyncEngine({ db: d.db, sessions: (d.engine as any).o.sessions, userId: d.user.id, fetch: async () => { throw new TypeError('Failed to fetch (offline)'); } });
    await again.restore();
    expect(again.state.lastSyncAt).toBe(at);
    await expect(again.sync()).rejects.toThrow();
    expect(again.state.lastSyncAt).toBe(at);
    d.close();
  });

  it('a reject logged offline stays queued, shows without a number, and carries the server number after sync', async () => {
    const d = await makeDevice(h, 'operator.press');
    await d.engine.sync();
    const machine = (await d.db.rows('machines').toArray()).find((m) => m.code === 'PRS-01')!;
    const defect = (await d.db.rows('defectCodes').toArray())[0];
    d.network.offline = true;
    const id = uuidv7();
    await d.engine.mutate('reject.create', { id, machineId: machine.id, defectCodeId: defect.id, quantity: 7 });
    await expect(d.engine.sync()).rejects.toThrow(/offline/i);
    expect(await d.engine.pendingCount()).toBe(1);
    expect(await d.db.rows('rejects').get(id)).toMatchObject({ quantity: 7, number: null, status: 'open' });
    d.network.offline = false;
    await d.engine.sync();
    expect(await d.db.outbox.count()).toBe(0);
    expect((await d.db.rows('rejects').get(id))?.number).toMatch(/^REJ-\d{6}$/);
    d.close();
  });

  it('a push stopped by a gap after two committed mutations keeps their results and sends the rest renumbered', async () => {
    const d = await makeDevice(h, 'operator.press');
    await d.engine.sync();
    const stage = (await d.db.rows('stages').toArray()).find((s) => s.status === 'running')!;
    for (const goodQty of [1, 2, 4]) await d.engine.mutate('job.progress', { id: uuidv7(), stageId: stage.id, goodQty, rejectQty: 0 });
    // The third entry's seq jumps (as after a restored backup): the server commits 1 and 2, then stops at the gap.
    const third = (await d.db.outbox.get(3))!;
    await d.db.outbox.delete(3);
    await d.db.outbox.add({ ...third, seq: 5 });
    await d.engine.sync();
    expect(await d.db.outbox.count()).toBe(0);
    const server = await h.deps.db.selectFrom('stages').select('goodQty').where('id', '=', stage.id).executeTakeFirstOrThrow();
    expect(Number(server.goodQty)).toBe(Number(stage.goodQty) + 7);
    d.close();
  });

  it('an answer lost after the server committed is resent and applied once', async () => {
    const d = await makeDevice(h, 'operator.press');
    await d.engine.sync();
    const stage = (await d.db.rows('stages').toArray()).find((s) => s.status === 'running')!;
    await d.engine.mutate('job.progress', { id: uuidv7(), stageId: stage.id, goodQty: 10, rejectQty: 0 });
    d.network.drop = () => 'after';
    await expect(d.engine.sync()).rejects.toThrow();
    d.network.drop = () => null;
    await d.engine.sync();
    const server = await h.deps.db.selectFrom('stages').select('goodQty').where('id', '=', stage.id).executeTakeFirstOrThrow();
    expect(Number(server.goodQty)).toBe(Number(stage.goodQty) + 10);
    expect((await d.db.rows('stages').get(stage.id))?.goodQty).toBe(Number(stage.goodQty) + 10);
    d.close();
  });

  it("an operator's offline start of a stage whose order was put on hold meanwhile lands in Sync issues with the reason", async () => {
    const op = await makeDevice(h, 'operator.press');
    const mgr = await makeDevice(h, 'manager');
    await op.engine.sync();
    await mgr.engine.sync();
    const stages = await op.db.rows('stages').toArray();
    const ready = stages.find((s) => s.status === 'ready')!;
    // One job per machine: what runs on its machine is paused first.
    for (const busy of stages.filter((o) => o.status === 'running' && o.machineId && o.machineId === ready.machineId)) {
      await op.engine.mutate('stage.transition', { id: busy.id, from: 'running', to: 'paused' });
    }
    op.network.offline = true;
    await op.engine.mutate('stage.transition', { id: ready.id, from: 'ready', to: 'running' });
    expect((await op.db.rows('stages').get(ready.id))?.status).toBe('running');
    const order = (await mgr.db.rows('orders').get(ready.orderId as string))!;
    await mgr.engine.mutate('order.transition', { id: order.id, from: order.status as 'released', to: 'on_hold', holdReason: 'Steel coil failed incoming inspection' });
    await mgr.engine.sync();
    op.network.offline = false;
    await op.engine.sync();
    const issues = await op.db.syncIssues.toArray();
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ status: 'rejected', code: 'illegal_transition', name: 'stage.transition' });
    expect(issues[0].message).toContain('Steel coil failed incoming inspection');
    expect((await op.db.rows('stages').get(ready.id))?.status).toBe('blocked');
    op.close();
    mgr.close();
  });

  it('a pending local edit stays visible after a pull brings other changes to the same ticket', async () => {
    const tech = await makeDevice(h, 'technician');
    const sup = await makeDevice(h, 'supervisor.press');
    await tech.engine.sync();
    await sup.engine.sync();
    const t = (await sup.db.rows('maintenanceTickets').toArray()).find((x) => x.status === 'open')!;
    await sup.engine.mutate('maintenance.update', { id: t.id, base: { priority: t.priority as number }, changes: { priority: 1 } });
    await sup.engine.sync();
    await tech.engine.mutate('maintenance.update', { id: t.id, base: { workDone: '' }, changes: { workDone: 'Bearing replaced' } });
    // A pull page arrives while the edit is still queued: the supervisor's change lands, the local edit stays on top.
    await tech.engine.applyPage((await h.call('GET', `/api/sync/pull?clientId=${await tech.engine.clientId()}&cursor=${await tech.db.getMeta('cursor')}`, { token: (await h.login('technician')).accessToken })).body);
    expect(await tech.db.rows('maintenanceTickets').get(t.id)).toMatchObject({ priority: 1, workDone: 'Bearing replaced' });
    await tech.engine.sync();
    expect(await tech.db.rows('maintenanceTickets').get(t.id)).toMatchObject({ priority: 1, workDone: 'Bearing replaced', version: Number(t.version) + 2 });
    tech.close();
    sup.close();
  });

  it('an invalid or forbidden action throws at once and queues nothing', async () => {
    const d = await makeDevice(h, 'operator.press');
    await d.engine.sync();
    const machine = (await d.db.rows('machines').toArray())[0];
    await expect(d.engine.mutate('maintenance.create', { id: uuidv7(), machineId: machine.id, type: 'corrective', priority: 9, description: '' })).rejects.toBeInstanceOf(Rejection);
    const order = (await d.db.rows('orders').toArray()).find((o) => o.status === 'released')!;
    await expect(d.engine.mutate('order.transition', { id: order.id, from: 'released', to: 'cancelled' })).rejects.toMatchObject({ code: 'forbidden' });
    expect(await d.db.outbox.count()).toBe(0);
    d.close();
  });

  it('an expired session is refreshed once; a revoked one keeps the outbox and asks for login', async () => {
    const d = await makeDevice(h, 'operator.press');
    await d.engine.sync();
    const s = (await d.sessions.get(d.user.id))!;
    await d.sessions.save({ ...s, accessToken: 'expired.or.garbage' });
    const t = (await d.db.rows('maintenanceTickets').toArray())[0];
    await d.engine.mutate('maintenance.comment', { id: uuidv7(), ticketId: t.id, note: 'after refresh' });
    await d.engine.sync();
    expect(await d.db.outbox.count()).toBe(0);
    const refreshed = (await d.sessions.get(d.user.id))!;
    expect(refreshed.refreshToken).not.toBe(s.refreshToken);
    // Logged out elsewhere: the refresh token family is revoked.
    await h.call('POST', '/api/auth/logout', { body: { refreshToken: refreshed.refreshToken } });
    await d.sessions.save({ ...refreshed, accessToken: 'garbage' });
    await d.engine.mutate('maintenance.comment', { id: uuidv7(), ticketId: t.id, note: 'kept' });
    await expect(d.engine.sync()).rejects.toBeInstanceOf(LoginRequired);
    expect(d.engine.state.needsLogin).toBe(true);
    expect(await d.engine.pendingCount()).toBe(1);
    d.close();
  });

  it('the device prunes work that closed before the sync window, with its history, but keeps rows with pending changes', async () => {
    const d = await makeDevice(h, 'manager');
    await d.engine.sync();
    const [closedReject, openReject] = await d.db.rows('rejects').toArray();
    const ticket = (await d.db.rows('maintenanceTickets').toArray())[0];
    await d.db.rows('rejects').update(closedReject.id, { status: 'closed' });
    await d.db.rows('maintenanceTickets').update(ticket.id, { status: 'cancelled' });
    const commentId = uuidv7();
    await d.engine.mutate('maintenance.comment', { id: commentId, ticketId: ticket.id, note: 'written offline' });
    const horizonIso = new Date(Date.now() + 86_400_000).toISOString(); // everything closed counts as old
    expect(await pruneWindow(d.db, horizonIso)).toBeGreaterThan(0);
    expect(await d.db.rows('rejects').get(closedReject.id)).toBeUndefined();
    expect(await d.db.rows('rejects').get(openReject.id)).toBeDefined();
    expect(await d.db.rows('maintenanceTickets').get(ticket.id)).toBeUndefined();
    expect(await d.db.rows('maintenanceEvents').where('ticketId').equals(ticket.id).primaryKeys()).toEqual([commentId]);
    expect(await d.engine.pendingCount()).toBe(1);
    d.close();
  });

  it('two operators logging progress on the same stage offline both count, on the server and on both devices', async () => {
    const a = await makeDevice(h, 'operator.press');
    const b = await makeDevice(h, 'supervisor.press');
    await a.engine.sync();
    await b.engine.sync();
    const stage = (await a.db.rows('stages').toArray()).find((s) => s.status === 'running')!;
    a.network.offline = true;
    b.network.offline = true;
    const defect = (await a.db.rows('defectCodes').toArray())[0];
    await a.engine.mutate('job.progress', { id: uuidv7(), stageId: stage.id, goodQty: 12, rejectQty: 1, reject: { id: uuidv7(), defectCodeId: defect.id } });
    await b.engine.mutate('job.progress', { id: uuidv7(), stageId: stage.id, goodQty: 30, rejectQty: 0 });
    expect((await a.db.rows('stages').get(stage.id))?.goodQty).toBe(Number(stage.goodQty) + 12);
    a.network.offline = false;
    b.network.offline = false;
    await a.engine.sync();
    await b.engine.sync();
    await a.engine.sync();
    for (const d of [a, b]) expect(await d.db.rows('stages').get(stage.id)).toMatchObject({ goodQty: Number(stage.goodQty) + 42, rejectQty: Number(stage.rejectQty) + 1 });
    const server = await h.deps.db.selectFrom('stages').select(['goodQty', 'rejectQty']).where('id', '=', stage.id).executeTakeFirstOrThrow();
    expect(Number(server.goodQty)).toBe(Number(stage.goodQty) + 42);
    a.close();
    b.close();
  });

  it('progress sent while other changes fill several pull pages stays on screen when the network drops between pages', async () => {
    const op = await makeDevice(h, 'operator.press', { pullLimit: 2 });
    const mgr = await makeDevice(h, 'manager');
    await op.engine.sync();
    await mgr.engine.sync();
    const stage = (await op.db.rows('stages').toArray()).find((s) => s.status === 'running')!;
    const ticket = (await mgr.db.rows('maintenanceTickets').toArray())[0];
    // Changes of others land first, so the operator's progress comes on a later page.
    for (let i = 0; i < 4; i++) await mgr.engine.mutate('maintenance.comment', { id: uuidv7(), ticketId: ticket.id, note: `note ${i}` });
    await mgr.engine.sync();
    await op.engine.mutate('job.progress', { id: uuidv7(), stageId: stage.id, goodQty: 10, rejectQty: 0 });
    let pulls = 0;
    op.network.onRequest = (url) => {
      if (url.includes('/pull')) pulls++;
    };
    op.network.drop = () => (pulls > 1 ? 'before' : null);
    await expect(op.engine.sync()).rejects.toThrow();
    expect(pulls).toBe(2); // one page applied, the next one lost
    expect((await op.db.rows('stages').get(stage.id))?.goodQty).toBe(Number(stage.goodQty) + 10);
    op.network.drop = () => null;
    await op.engine.sync();
    expect(await op.db.outbox.count()).toBe(0);
    expect((await op.db.rows('stages').get(stage.id))?.goodQty).toBe(Number(stage.goodQty) + 10);
    op.close();
    mgr.close();
  });

  it('a start queued while the machine was free stays on screen when a pull page shows another stage running on it (the question is not asked again in rebase)', async () => {
    const op = await makeDevice(h, 'operator.press', { pullLimit: 1 });
    const sup = await makeDevice(h, 'supervisor.press');
    await sup.engine.sync();
    const stages = await sup.db.rows('stages').toArray();
    const running = stages.find((s) => s.status === 'running' && s.machineId)!;
    const ready = stages.find((s) => s.status === 'ready' && s.departmentId === running.departmentId)!;
    // The supervisor pauses the running stage and plans the ready one on the same machine.
    await sup.engine.mutate('stage.transition', { id: running.id, from: 'running', to: 'paused' });
    await sup.engine.mutate('stage.schedule', { id: ready.id, machineId: running.machineId, scheduledStart: null });
    await sup.engine.sync();
    await op.engine.sync();
    // Offline, the operator starts the ready stage: the machine is free as far as the device knows.
    op.network.offline = true;
    await op.engine.mutate('stage.transition', { id: ready.id, from: 'ready', to: 'running' });
    // Meanwhile the supervisor resumes the other stage on that machine.
    await sup.engine.mutate('stage.transition', { id: running.id, from: 'paused', to: 'running' });
    await sup.engine.sync();
    // Back online: the push applies, the first pull page brings the other stage running, the next page is lost.
    op.network.offline = false;
    let pulls = 0;
    op.network.onRequest = (url) => {
      if (url.includes('/pull') && ++pulls > 1) throw new TypeError('Failed to fetch (dropped)');
    };
    await expect(op.engine.sync()).rejects.toThrow();
    expect((await op.db.rows('stages').get(running.id))?.status).toBe('running');
    expect((await op.db.rows('stages').get(ready.id))?.status).toBe('running');
    op.network.onRequest = undefined;
    await op.engine.sync();
    expect((await op.db.rows('stages').get(ready.id))?.status).toBe('running');
    op.close();
    sup.close();
  });

  it('progress on a stage that someone else changes again before the pull stays on screen when the network drops after the first page', async () => {
    const op = await makeDevice(h, 'operator.press', { pullLimit: 2 });
    await op.engine.sync();
    const stage = (await op.db.rows('stages').toArray()).find((s) => s.status === 'running')!;
    await op.engine.mutate('job.progress', { id: uuidv7(), stageId: stage.id, goodQty: 10, rejectQty: 0 });
    const sup = await h.login('supervisor.press');
    let pulls = 0;
    op.network.onRequest = async (url) => {
      if (url.includes('/pull') && pulls++ === 0) {
        // Between the operator's push and pull, the supervisor's progress on the same stage lands.
        const m = { id: uuidv7(), seq: 1, name: 'job.progress', args: { id: uuidv7(), stageId: stage.id, goodQty: 5, rejectQty: 0 }, at: new Date().toISOString() };
        expect((await h.call('POST', '/api/sync/push', { token: sup.accessToken, body: { clientId: uuidv7(), schemaVersion: 1, mutations: [m] } })).status).toBe(200);
      }
      if (pulls > 1) throw new TypeError('Failed to fetch (dropped)');
    };
    await expect(op.engine.sync()).rejects.toThrow();
    expect((await op.db.rows('stages').get(stage.id))?.goodQty).toBeGreaterThanOrEqual(Number(stage.goodQty) + 10);
    op.network.onRequest = undefined;
    await op.engine.sync();
    expect((await op.db.rows('stages').get(stage.id))?.goodQty).toBe(Number(stage.goodQty) + 15);
    op.close();
  });
});
