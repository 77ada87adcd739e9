// The SOP rules on a device (issue 12): the shared mutators refuse offline what the server refuses — a
// closure without an approved NCR, an NCR submitted with empty fields (each named) — and an offline
// ticket arrives with the server's number and due time; the report's formulas on their own.
import { describe, expect, it } from 'vitest';
import { uuidv7 } from '../../sync/ids';
import { Rejection } from '../../sync/store';
import { useHarness } from '../../tests/setup/harness';
import { makeDevice } from '../../tests/setup/device';
import { oneRow } from '../../tests/setup/helpers';
import { sopReport, type ReportTicket } from './sop.report';

const h = useHarness();

async function refusal(p: Promise<unknown>) {
  try {
    await p;
  } catch (err) {
    if (err instanceof Rejection) return err;
    throw err;
  }
  throw new Error('expected a refusal');
}

describe('SOP rules on the device', () => {
  it('offline, a ticket is raised and queued; the head cannot close the seeded ncr_required ticket, nor submit an NCR missing its root cause', async () => {
    const paint = await makeDevice(h, 'operator.paint');
    await paint.engine.sync();
    paint.network.offline = true;
    const id = uuidv7();
    const press = await oneRow(h, 'departments', { code: 'PRS' });
    const sop = await oneRow(h, 'sops', { code: 'SOP-PRS-001' });
    await paint.engine.mutate('sop.raise', { id, sopId: sop.id, againstDepartmentId: press.id, severity: 'high', description: 'Burrs' });
    expect(await paint.db.rows('sopTickets').get(id)).toMatchObject({ number: null, status: 'open' });
    // Against one's own department: refused before anything is queued.
    const own = await refusal(paint.engine.mutate('sop.raise', { id: uuidv7(), sopId: sop.id, againstDepartmentId: paint.user.departmentId!, severity: 'low', description: 'x' }));
    expect(own.details).toEqual([expect.objectContaining({ field: 'againstDepartmentId' })]);
    expect(await paint.engine.pendingCount()).toBe(1);
    paint.network.offline = false;
    await paint.engine.sync();
    expect((await paint.db.rows('sopTickets').get(id))?.number).toMatch(/^SOP-\d{6}$/);
    paint.close();

    const head = await makeDevice(h, 'supervisor.press');
    await head.engine.sync();
    head.network.offline = true;
    const waiting = (await head.db.rows('sopTickets').toArray()).find((t) => t.status === 'ncr_required')!;
    const close = await refusal(head.engine.mutate('sop.transition', { id: waiting.id, from: 'ncr_required', to: 'closed' }));
    expect(close.code).toBe('illegal_transition');
    const ncr = (await head.db.rows('ncrReports').toArray())[0];
    await head.engine.mutate('ncr.update', { id: ncr.id, base: { rootCause: ncr.rootCause, containment: ncr.containment }, changes: { rootCause: '', containment: ' ' } });
    const submit = await refusal(head.engine.mutate('ncr.transition', { id: ncr.id, from: 'draft', to: 'submitted' }));
    expect(submit.details).toEqual([
      { field: 'containment', message: 'is required to submit' }, { field: 'rootCause', message: 'is required to submit' },
    ]);
    expect(await head.engine.pendingCount()).toBe(1); // only the edit
    head.close();
  });
});

describe('the SOP report formulas', () => {
  const t = (o: Partial<ReportTicket>): ReportTicket => ({
    severity: 'high', status: 'open', escalationLevel: 0, dueAt: '2026-01-01T10:00:00.000Z', respondedAt: null, closedAt: null,
    createdAt: '2026-01-01T09:00:00.000Z', againstDepartmentId: 'p', departmentCode: 'PRS', departmentName: 'Press', sopId: 's', sopCode: 'S-1', sopTitle: 'T', ...o,
  });
  it('on-time response counts answered-by-due over answered or due; mean time to close over closed ones; escalations are steps', () => {
    const r = sopReport([
      t({ respondedAt: '2026-01-01T09:30:00.000Z', status: 'closed', closedAt: '2026-01-01T13:00:00.000Z' }), // on time, 4 h to close
      t({ respondedAt: '2026-01-01T11:00:00.000Z', escalationLevel: 1 }), // late
      t({ escalationLevel: 2 }), // due, unanswered
      t({ dueAt: '2026-01-03T00:00:00.000Z' }), // not due yet: not counted
    ], '2026-01-02T00:00:00.000Z');
    expect(r.onTimeResponsePct).toBe(33.3);
    expect(r.meanTimeToCloseHours).toBe(4);
    expect(r.escalations).toBe(3);
    expect(r.byDepartment[0]).toMatchObject({ tickets: 4, open: 3, escalations: 3 });
  });
});
