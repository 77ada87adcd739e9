// The board sequences work (issue 10): a start that overlaps another stage on the machine asks first
// (`details[0].code = "overlap"`), the answer says when the machine is free, and a confirmed overlap is
// scheduled. Checked through real pushes, on SQLite and on MariaDB.
import { beforeEach, describe, expect, it } from 'vitest';
import { useHarness } from '../../tests/setup/harness';
import { devicePush, oneRow } from '../../tests/setup/helpers';

const h = useHarness();
const { send, reset } = devicePush(h);
beforeEach(reset);
const one = (table: string, where: Record<string, unknown>) => oneRow(h, table, where);

describe('one job after another on a machine', () => {
  it('a start that overlaps another stage on the machine asks first, names when it is free, and is scheduled once confirmed', async () => {
    const machine = await one('machines', { code: 'PRS-01' });
    const [a, b] = await h.deps.db.selectFrom('stages').selectAll().where('departmentId', '=', machine.departmentId).where('status', '!=', 'done').orderBy('plannedMinutes').limit(2).execute();
    const six = '2026-12-02T06:00:00.000Z'; // a Wednesday
    expect((await send('manager', 'stage.schedule', { id: a.id, machineId: machine.id, scheduledStart: six })).status).toBe('applied');
    const freeAt = new Date(Date.parse(six) + a.plannedMinutes * 60_000).toISOString();

    const asked = await send('manager', 'stage.schedule', { id: b.id, machineId: machine.id, scheduledStart: six });
    expect(asked).toMatchObject({ status: 'rejected', code: 'validation_failed' });
    expect(asked.details?.[0]).toMatchObject({ field: 'confirmOverlap', code: 'overlap', nextFreeStart: freeAt });
    expect(asked.message).toContain(`PRS-01 has another stage from 06:00 to ${freeAt.slice(11, 16)}`);
    expect((await one('stages', { id: b.id })).scheduledStart).toBeNull();

    // Right after the first one is no overlap; so is moving the first stage within its own slot.
    expect((await send('manager', 'stage.schedule', { id: b.id, machineId: machine.id, scheduledStart: freeAt })).status).toBe('applied');
    expect((await send('manager', 'stage.schedule', { id: a.id, machineId: machine.id, scheduledStart: six })).status).toBe('applied');

    const forced = await send('manager', 'stage.schedule', { id: b.id, machineId: machine.id, scheduledStart: six, confirmOverlap: true });
    expect(forced.status).toBe('applied');
    expect(await one('stages', { id: b.id })).toMatchObject({ machineId: machine.id, scheduledStart: six });
  });

  it('a done stage on the machine does not block its slot', async () => {
    const machine = await one('machines', { code: 'PRS-02' });
    const ready = await h.deps.db.selectFrom('stages').selectAll().where('departmentId', '=', machine.departmentId).where('status', '!=', 'done').executeTakeFirstOrThrow();
    const done = await h.deps.db.selectFrom('stages').selectAll().where('departmentId', '=', machine.departmentId).where('status', '=', 'done').executeTakeFirstOrThrow();
    const six = '2026-12-02T06:00:00.000Z';
    await h.deps.db.updateTable('stages').set({ machineId: machine.id, scheduledStart: six, scheduledEnd: '2026-12-02T10:00:00.000Z' }).where('id', '=', done.id).execute();
    expect((await send('manager', 'stage.schedule', { id: ready.id, machineId: machine.id, scheduledStart: six })).status).toBe('applied');
  });
});
