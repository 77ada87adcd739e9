// GET /api/reports/quality on hand-made counts: every number below is worked out in the comments.
import { beforeEach, describe, expect, it } from 'vitest';
import { uuidv7 } from '../../sync/ids';
import { byName } from '../db/db';
import { useHarness } from '../../tests/setup/harness';
import { expectCleanError, tokenFor } from '../../tests/setup/helpers';

const h = useHarness();
const FROM = '2026-01-05'; // Monday of 2026-W02
const TO = '2026-01-18'; // Sunday of 2026-W03

const ids = {} as Record<'press' | 'paint' | 'pressStage' | 'paintStage' | 'p1' | 'p2' | 'prs01' | 'prs02' | 'pnt01' | 'burr' | 'dim' | 'run', string>;

async function idOf(table: string, field: string, value: string) {
  return (await byName(h.deps.db).selectFrom(table).select('id').where(field, '=', value).executeTakeFirstOrThrow()).id as string;
}

beforeEach(async () => {
  const db = h.deps.db;
  ids.press = await idOf('departments', 'code', 'PRS');
  ids.paint = await idOf('departments', 'code', 'PNT');
  for (const [k, code] of [['prs01', 'PRS-01'], ['prs02', 'PRS-02'], ['pnt01', 'PNT-01']] as const) ids[k] = await idOf('machines', 'code', code);
  for (const [k, code] of [['burr', 'BURR'], ['dim', 'DIM'], ['run', 'RUN']] as const) ids[k] = await idOf('defectCodes', 'code', code);
  const stages = await db.selectFrom('stages').innerJoin('orderItems', 'orderItems.id', 'stages.orderItemId')
    .select(['stages.id', 'stages.orderId', 'stages.departmentId', 'orderItems.productId']).orderBy('stages.id').execute();
  const pressStage = stages.find((s) => s.departmentId === ids.press)!;
  const paintStage = stages.find((s) => s.departmentId === ids.paint && s.productId !== pressStage.productId)!;
  Object.assign(ids, { pressStage: pressStage.id, paintStage: paintStage.id, p1: pressStage.productId, p2: paintStage.productId });

  const meta = (at: string) => ({ id: uuidv7(), version: 1, createdAt: at, updatedAt: at, updatedBy: null, deletedAt: null, seq: 0 });
  const event = (stage: typeof pressStage, at: string, goodQty: number, rejectQty: number, kind = 'progress') => ({
    ...meta(at), stageId: stage.id, orderId: stage.orderId, departmentId: stage.departmentId, kind, goodQty, rejectQty,
    downtimeReason: null, minutes: 0, note: null, userId: null, at,
  });
  const userId = await idOf('users', 'username', 'operator.press');
  await byName(db).insertInto('jobEvents').values([
    event(pressStage, '2026-01-06T08:00:00.000Z', 90, 10), // W02, Press: 100 in
    event(pressStage, '2026-01-13T08:00:00.000Z', 95, 5), // W03, Press: 100 in
    event(pressStage, '2026-01-13T09:00:00.000Z', -5, 0, 'correction'), // W03, Press: −5
    event(paintStage, '2026-01-14T08:00:00.000Z', 48, 2), // W03, Paint: 50 in
    event(pressStage, '2026-01-20T08:00:00.000Z', 1000, 0), // after the period
    event(pressStage, '2026-01-14T10:00:00.000Z', 0, 0, 'downtime'), // not a count
  ].map((e) => ({ ...e, userId }))).execute();
  const reject = (machineId: string, departmentId: string, defectCodeId: string, productId: string, quantity: number, status: string, disposition: string | null, at: string) => ({
    ...meta(at), number: null, stageId: null, orderId: null, productId, machineId, departmentId, defectCodeId, quantity, description: null,
    reportedBy: userId, status, disposition, rootCause: null, correctiveAction: null, approvedBy: null, approvedAt: null, closedAt: null,
  });
  await byName(db).insertInto('rejects').values([
    reject(ids.prs01, ids.press, ids.burr, ids.p1, 10, 'approved', 'scrap', '2026-01-06T08:01:00.000Z'),
    reject(ids.prs02, ids.press, ids.dim, ids.p1, 5, 'closed', 'rework', '2026-01-13T08:01:00.000Z'),
    reject(ids.prs01, ids.press, ids.burr, ids.p1, 3, 'disputed', null, '2026-01-13T08:02:00.000Z'), // disputed: not counted
    reject(ids.pnt01, ids.paint, ids.run, ids.p2, 2, 'approved', 'scrap', '2026-01-14T08:01:00.000Z'),
    reject(ids.prs01, ids.press, ids.burr, ids.p1, 50, 'approved', 'scrap', '2026-02-01T08:00:00.000Z'), // after the period
  ]).execute();
});

const report = (token: string, qs = '') => h.call('GET', `/api/reports/quality?from=${FROM}&to=${TO}${qs}`, { token });

describe('GET /api/reports/quality', () => {
  it('answers the plant\'s Pareto, scrap rate and first-pass yield to a manager, per department, product and week', async () => {
    const r = await report(await tokenFor(h, 'manager'));
    expect(r.status).toBe(200);
    const b = r.body;
    // units in 100 + 100 − 5 + 50 = 245; scrapped 10 + 2 = 12; reworked 5; rejected 10 + 5 + 2 = 17 (the disputed 3 left out)
    expect(b.totals).toEqual({ unitsIn: 245, scrapped: 12, reworked: 5, rejected: 17, rejects: 3 });
    expect(b.scrapRate).toBe(0.049); // 12 / 245 = 0.04898
    expect(b.firstPassYield).toBe(0.9306); // (245 − 12 − 5) / 245 = 228 / 245 = 0.93061
    // 10/17 = 58.8 %, 15/17 = 88.2 %, 17/17
    expect(b.pareto.byDefectCode.map((p: any) => [p.label.split(' ')[0], p.quantity, p.cumulativePct])).toEqual([['BURR', 10, 58.8], ['DIM', 5, 88.2], ['RUN', 2, 100]]);
    expect(b.pareto.byMachine.map((p: any) => [p.key, p.quantity, p.cumulativePct])).toEqual([[ids.prs01, 10, 58.8], [ids.prs02, 5, 88.2], [ids.pnt01, 2, 100]]);
    expect(b.pareto.byDepartment.map((p: any) => [p.label, p.quantity, p.cumulativePct])).toEqual([['Press', 15, 88.2], ['Paint', 2, 100]]);
    const dept = Object.fromEntries(b.byDepartment.map((d: any) => [d.key, d]));
    // Press: 195 in, 10 scrapped, 5 reworked: 10/195 = 0.05128, 180/195 = 0.92308
    expect(dept[ids.press]).toMatchObject({ unitsIn: 195, scrapped: 10, reworked: 5, scrapRate: 0.0513, firstPassYield: 0.9231 });
    // Paint: 50 in, 2 scrapped: 0.04, 48/50 = 0.96
    expect(dept[ids.paint]).toMatchObject({ unitsIn: 50, scrapped: 2, reworked: 0, scrapRate: 0.04, firstPassYield: 0.96 });
    const prod = Object.fromEntries(b.byProduct.map((d: any) => [d.key, d]));
    expect(prod[ids.p1]).toMatchObject({ unitsIn: 195, scrapRate: 0.0513, firstPassYield: 0.9231 });
    expect(prod[ids.p2]).toMatchObject({ unitsIn: 50, scrapRate: 0.04, firstPassYield: 0.96 });
    // W02: 100 in, 10 scrapped: 0.1, 0.9. W03: 95 + 50 = 145 in, 2 scrapped, 5 reworked: 2/145 = 0.01379, 138/145 = 0.95172
    expect(b.byWeek.map((w: any) => [w.key, w.unitsIn, w.scrapRate, w.firstPassYield])).toEqual([['2026-W02', 100, 0.1, 0.9], ['2026-W03', 145, 0.0138, 0.9517]]);
  });

  it('gives a supervisor their own department only, and refuses another department and operators', async () => {
    const sup = await tokenFor(h, 'supervisor.press');
    const own = await report(sup);
    expect(own.status).toBe(200);
    expect(own.body.departmentId).toBe(ids.press);
    expect(own.body.totals).toMatchObject({ unitsIn: 195, scrapped: 10, reworked: 5 });
    expect(own.body.pareto.byDepartment.map((p: any) => p.label)).toEqual(['Press']);
    const other = await report(sup, `&departmentId=${ids.paint}`);
    expect(other.status).toBe(403);
    expectCleanError(other.body, 'forbidden');
    expect((await report(await tokenFor(h, 'operator.press'))).status).toBe(403);
  });

  it('narrows to a department or a product', async () => {
    const manager = await tokenFor(h, 'manager');
    expect((await report(manager, `&departmentId=${ids.paint}`)).body.totals).toEqual({ unitsIn: 50, scrapped: 2, reworked: 0, rejected: 2, rejects: 1 });
    expect((await report(manager, `&productId=${ids.p1}`)).body.totals).toMatchObject({ unitsIn: 195, scrapped: 10 });
  });

  it('refuses a period that ends before it starts, a made-up date and an unknown field', async () => {
    const manager = await tokenFor(h, 'manager');
    const backwards = await h.call('GET', '/api/reports/quality?from=2026-02-01&to=2026-01-01', { token: manager });
    expect(backwards.status).toBe(400);
    expect(backwards.body.error.details[0].field).toBe('from');
    expect((await h.call('GET', '/api/reports/quality?from=2026-02-30&to=2026-03-01', { token: manager })).status).toBe(400);
    expect((await h.call('GET', `/api/reports/quality?from=${FROM}&to=${TO}&x=1`, { token: manager })).status).toBe(400);
  });

  it('downloads the tables as CSV with a BOM, text that looks like a formula neutralised', async () => {
    await byName(h.deps.db).updateTable('departments').set({ name: '=HYPERLINK("http://x")' }).where('id', '=', ids.paint).execute();
    const manager = await tokenFor(h, 'manager');
    const res = await h.app.request(`/api/reports/quality?from=${FROM}&to=${TO}&format=csv`, { headers: { authorization: `Bearer ${manager}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="quality-${FROM}-${TO}.csv"`);
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = new TextDecoder().decode(bytes.subarray(3));
    const lines = text.split('\r\n');
    expect(lines[0]).toBe('section,key,label,quantity,cumulative %,units in,scrapped,reworked,scrap rate,first-pass yield');
    expect(lines.find((l) => l.startsWith(`Pareto by defect code,${ids.burr},`))).toMatch(/^Pareto by defect code,[^,]+,BURR [^,]+,10,58.8,,,,,$/);
    expect(text).toContain('Total,,2026-01-05 to 2026-01-18,17,,245,12,5,0.049,0.9306');
    // A department named like a formula is written as text a spreadsheet shows, never runs.
    expect(text).toContain(`Pareto by department,${ids.paint},"'=HYPERLINK(""http://x"")",2,100,,,,,`);
    expect(text).not.toMatch(/,=HYPERLINK/);
  });
});
