// Devices that work offline and sync in random order over a lossy network end up agreeing with the
// server, with every mutation applied once and audited once.
import { describe, expect, it } from 'vitest';
import { uuidv7 } from '../sync/ids';
import { MAINTENANCE, REJECT, STAGE, allowedMoves, type MaintenanceStatus, type RejectStatus, type StageStatus } from '../sync/state-machines';
import { Rejection } from '../sync/store';
import { editOf } from '../sync/merge';
import { mayUse } from '../sync/mutations';
import { canSee, SYNCED_TABLES, type Order, type Stage, type TableName } from '../sync/tables';
import { fromDb, toWire } from '../server/sync/codec';
import { useHarness } from './setup/harness';
import { makeDevice, type Device } from './setup/device';
import { rng, type Rng } from './setup/random';

const h = useHarness();
const SEED = Number(process.env.CONVERGENCE_SEED ?? 20261125);
const ROUNDS = Number(process.env.CONVERGENCE_ROUNDS ?? (process.env.TEST_DIALECT === 'mysql' ? 60 : 30));

async function randomAction(d: Device, r: Rng): Promise<boolean> {
  const { db, engine, user } = d;
  const tickets = (await db.rows('maintenanceTickets').toArray()).filter((t) => !t.deletedAt);
  const stages = (await db.rows('stages').toArray()).filter((s) => !s.deletedAt);
  const rejects = (await db.rows('rejects').toArray()).filter((x) => !x.deletedAt);
  const machines = await db.rows('machines').toArray();
  const defects = await db.rows('defectCodes').toArray();
  const technicians = (await db.rows('users').toArray()).filter((u) => u.role === 'technician');
  const orders = ((await db.rows('orders').toArray()) as unknown as Order[]).filter((o) => !o.deletedAt);
  const kind = r.int(0, 10);
  try {
    if (kind === 0 && tickets.length) {
      const t = r.pick(tickets)!;
      const field = r.pick(['description', 'workDone', 'partsUsed', 'priority'] as const)!;
      const value = field === 'priority' ? r.int(1, 4) : `${field} by ${user.username} #${r.int(1, 999)}`;
      await engine.mutate('maintenance.update', { id: t.id, base: { [field]: t[field] }, changes: { [field]: value } } as never);
    } else if (kind === 1 && tickets.length) {
      const t = r.pick(tickets)!;
      const to = r.pick(allowedMoves(MAINTENANCE, t.status as string, user.role));
      if (!to) return false;
      await engine.mutate('maintenance.transition', { id: t.id, from: t.status as MaintenanceStatus, to, assigneeId: to === 'assigned' ? r.pick(technicians)?.id : undefined });
    } else if (kind === 2 && machines.length) {
      await engine.mutate('maintenance.create', { id: uuidv7(), machineId: r.pick(machines)!.id, type: 'corrective', priority: r.int(1, 4), description: `Fault seen by ${user.username}` });
    } else if (kind === 3 && machines.length && defects.length) {
      await engine.mutate('reject.create', { id: uuidv7(), machineId: r.pick(machines)!.id, defectCodeId: r.pick(defects)!.id, quantity: r.int(1, 20) });
    } else if (kind === 4 && rejects.length) {
      const x = r.pick(rejects)!;
      const to = r.pick(allowedMoves(REJECT, x.status as string, user.role));
      if (!to) return false;
      await engine.mutate('reject.transition', { id: x.id, from: x.status as RejectStatus, to, disposition: 'rework', rootCause: 'Worn punch' });
    } else if (kind === 5 && stages.length) {
      const rejectQty = r.int(0, 3);
      await engine.mutate('job.progress', {
        id: uuidv7(), stageId: r.pick(stages)!.id, goodQty: r.int(1, 30), rejectQty,
        ...(rejectQty ? { reject: { id: uuidv7(), defectCodeId: r.pick(defects)!.id, machineId: r.pick(machines)!.id } } : {}), confirmOverPlan: true,
      });
    } else if (kind === 6 && stages.length) {
      const s = r.pick(stages)!;
      const to = r.pick(allowedMoves(STAGE, s.status as string, user.role));
      if (!to) return false;
      await engine.mutate('stage.transition', { id: s.id, from: s.status as StageStatus, to });
    } else if (kind === 7 && tickets.length) {
      await engine.mutate('maintenance.comment', { id: uuidv7(), ticketId: r.pick(tickets)!.id, note: `note ${r.int(1, 99)}` });
    } else if (kind === 8 && stages.length && mayUse(user.role, 'stage.schedule')) {
      // Planning on the same devices: schedule a stage onto a machine of its department (or take it off).
      const s = r.pick(stages)!;
      const options = machines.filter((m) => m.departmentId === s.departmentId && m.active);
      const machine = r.chance(0.2) ? null : r.pick(options);
      const day = 1 + r.int(0, 9);
      await engine.mutate('stage.schedule', { id: s.id, machineId: machine?.id ?? null, scheduledStart: machine ? `2030-01-${String(day).padStart(2, '0')}T06:00:00.000Z` : null, confirmOverCapacity: true });
    } else if (kind === 9 && stages.length && mayUse(user.role, 'stage.update')) {
      const s = r.pick(stages)! as unknown as Stage;
      await engine.mutate('stage.update', { id: s.id, ...editOf(s, { plannedMinutes: 30 * r.int(1, 8) }) });
    } else if (kind === 10 && orders.length && mayUse(user.role, 'order.update')) {
      const o = r.pick(orders)!;
      const edit = r.chance(0.5) ? editOf(o, { priority: r.int(1, 4) }) : editOf(o, { notes: `note by ${user.username} #${r.int(1, 99)}` });
      if (!Object.keys(edit.changes).length) return false;
      await engine.mutate('order.update', { id: o.id, ...edit });
    } else return false;
    return true;
  } catch (err) {
    if (err instanceof Rejection) return false; // the device refused it locally: nothing queued
    throw err;
  }
}

async function trySync(d: Device) {
  try {
    await d.engine.sync();
  } catch (err) {
    if (!(err instanceof Error) || !/offline|fetch|dropped|lost|reached/i.test(err.message)) throw err;
  }
}

/** What the server shows this user: every live row in scope, as a device would receive it. */
async function serverView(user: Device['user'], table: TableName) {
  const rows = await h.deps.db.selectFrom(table).selectAll().where('deletedAt', 'is', null).execute();
  return rows
    .map((row) => fromDb(table, row))
    .filter((row) => canSee(user as never, table, row))
    .map((row) => toWire(table, row))
    .sort((a, b) => String(a.id).localeCompare(String(b.id)));
}

describe('convergence', () => {
  it(`devices that change the same tickets, rejects, stages and plans offline and sync in random order over a lossy network converge (seed ${SEED}, ${ROUNDS} rounds)`, async () => {
    const r = rng(SEED);
    const devices = [
      await makeDevice(h, 'operator.press'),
      await makeDevice(h, 'operator.press'),
      await makeDevice(h, 'supervisor.press'),
      await makeDevice(h, 'technician'),
      await makeDevice(h, 'manager'),
    ];
    for (const d of devices) await d.engine.sync();
    const initial = new Map(
      (await h.deps.db.selectFrom('stages').select(['id', 'goodQty', 'rejectQty']).execute()).map((s) => [s.id as string, { goodQty: Number(s.goodQty), rejectQty: Number(s.rejectQty) }]),
    );
    // dashboard (issue 15 §2): the demo plant's own job events (its stages' totals already hold them).
    const seeded = new Set((await h.deps.db.selectFrom('jobEvents').select('id').execute()).map((e) => e.id));
    let queued = 0;
    for (let round = 0; round < ROUNDS; round++) {
      for (const d of devices) {
        d.network.offline = r.chance(0.3);
        d.network.drop = () => (r.chance(0.15) ? 'before' : r.chance(0.15) ? 'after' : null);
        for (let i = r.int(0, 3); i > 0; i--) if (await randomAction(d, r)) queued++;
      }
      const order = [...devices].sort(() => r.next() - 0.5);
      if (r.chance(0.3)) await Promise.all(order.slice(0, 2).map(trySync));
      for (const d of order.slice(0, r.int(1, devices.length))) await trySync(d);
    }
    for (const d of devices) {
      d.network.offline = false;
      d.network.drop = () => null;
    }
    // Two full rounds: the second brings every device the effects of the others' last pushes.
    for (let i = 0; i < 2; i++) for (const d of devices) await d.engine.sync();

    expect(queued).toBeGreaterThan(ROUNDS); // the run did real work
    for (const d of devices) {
      expect(await d.db.outbox.count()).toBe(0);
      expect(await d.db.shadows.count()).toBe(0);
      for (const table of SYNCED_TABLES) {
        const local = (await d.db.rows(table).toArray()).sort((a, b) => a.id.localeCompare(b.id));
        expect(local, `${d.user.username}'s ${table}`).toEqual(await serverView(d.user, table));
      }
    }
    // Each queued mutation was handled exactly once and audited exactly once.
    const stored = await h.deps.db.selectFrom('syncMutations').select(['mutationId', 'name', 'result']).execute();
    expect(stored.length).toBe(queued);
    for (const name of ['stage.schedule', 'stage.update', 'order.update']) expect(stored.some((x) => x.name === name), name).toBe(true);
    expect(new Set(stored.map((s) => s.mutationId)).size).toBe(queued);
    const audits = await h.deps.db.selectFrom('auditLog').select('mutationId').where('clientId', 'is not', null).execute();
    expect(audits.length).toBe(queued);
    expect(new Set(audits.map((a) => a.mutationId)).size).toBe(queued);
    // Derived totals agree with their events: no progress counted twice.
    const events = (await h.deps.db.selectFrom('jobEvents').select(['id', 'kind', 'stageId', 'goodQty', 'rejectQty']).execute()).filter((e) => !seeded.has(e.id));
    const applied = stored.map((x) => JSON.parse(x.result as string));
    // A reject approved for rework writes its own job event (its mutation's entity is the reject).
    expect(events.filter((e) => e.kind !== 'rework').length).toBe(applied.filter((x) => x.status === 'applied' && x.entity?.table === 'jobEvents').length);
    for (const s of await h.deps.db.selectFrom('stages').select(['id', 'goodQty', 'rejectQty']).execute()) {
      const mine = events.filter((e) => e.stageId === s.id);
      const before = initial.get(s.id)!;
      expect(Number(s.goodQty)).toBe(before.goodQty + mine.reduce((n, e) => n + Number(e.goodQty), 0));
      expect(Number(s.rejectQty)).toBe(before.rejectQty + mine.reduce((n, e) => n + Number(e.rejectQty), 0));
    }
    console.log(`convergence: ${queued} mutations, ${applied.filter((x) => x.status === 'applied').length} applied, ${applied.filter((x) => x.status === 'conflict').length} conflicts, ${applied.filter((x) => x.status === 'rejected').length} rejected, ${events.length} job events`);
    for (const d of devices) d.close();
  });
});
