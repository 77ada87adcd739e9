// GET /api/dashboard on SQLite and MariaDB (the mysql project runs this file too): a small plant of its
// own (no demo seed), every figure worked out by hand from the rows below; the scope rules; bad input;
// and the number of queries, which must not grow with the number of rows.
import type { KyselyPlugin } from 'kysely';
import { beforeEach, describe, expect, it } from 'vitest';
import { uuidv7 } from '../../sync/ids';
import type { Dashboard } from '../../sync/dashboard';
import type { NewRow } from '../../sync/store';
import type { TableName } from '../../sync/tables';
import { createApp } from '../app';
import { byName } from '../db/db';
import { auditedWrite } from '../sync/write';
import type { ServerStore } from '../sync/server-store';
import { SHIFT_CALENDAR } from '../seed';
import { useHarness } from '../../tests/setup/harness';
import { expectCleanError, tokenFor } from '../../tests/setup/helpers';

const h = useHarness({ seed: false });

// The chosen day: Wednesday 2026-11-25 (over, so OEE counts whole days). Week 23–29 Nov, next week
// 30 Nov–6 Dec with a holiday on Friday 4 Dec (from the config's shift calendar: 06–14, 14–22, Mon–Fri).
const TODAY = '2026-11-25';
const at = (day: string, hhmm: string) => `${day}T${hhmm}:00.000Z`;
const H = 3_600_000;

const ids: Record<string, string> = {};
const id = (key: string) => (ids[key] ??= uuidv7());

async function write(body: (s: ServerStore) => Promise<void>) {
  await h.deps.db.transaction().execute((trx) => auditedWrite(trx, { actor: { id: uuidv7(), username: null }, system: true, name: 'test.dashboard' }, async (s) => {
    await body(s);
    return { table: null, id: null };
  }));
}
/** The row's createdAt as the test wants it (the store stamps its own). */
async function createdAt(table: TableName, rowId: string, when: string) {
  await byName(h.deps.db).updateTable(table).set({ createdAt: when }).where('id', '=', rowId).execute();
}

type StageSpec = { key: string; dept: string; machine: string | null; status: NewRow<'stages'>['status']; start?: string; minutes?: number; doneAt?: string };
type OrderSpec = { key: string; status: NewRow<'orders'>['status']; due: string; depts: string[]; holdReason?: string; completedAt?: string; items: StageSpec[][] };

async function order(s: ServerStore, o: OrderSpec) {
  const depts = o.depts.map(id);
  await s.insert('orders', {
    id: id(o.key), number: `ORD-${o.key}`, customerName: `Customer ${o.key}`, externalRef: null, dueDate: o.due, priority: 3, status: o.status,
    holdReason: o.holdReason ?? null, statusBeforeHold: o.status === 'on_hold' ? 'released' : null, source: 'manual', notes: null, departmentIds: depts, completedAt: o.completedAt ?? null,
  });
  for (const [i, stages] of o.items.entries()) {
    const itemId = id(`${o.key}-item${i}`);
    await s.insert('orderItems', { id: itemId, orderId: id(o.key), productId: id('product'), quantity: 100, goodQty: 0, rejectQty: 0, departmentIds: depts });
    for (const [n, st] of stages.entries()) {
      const end = st.start ? new Date(Date.parse(st.start) + (st.minutes ?? 60) * 60_000).toISOString() : null;
      await s.insert('stages', {
        id: id(st.key), orderId: id(o.key), orderItemId: itemId, sequence: n + 1, name: st.key, departmentId: id(st.dept), machineId: st.machine ? id(st.machine) : null,
        plannedMinutes: st.minutes ?? 60, scheduledStart: st.start ?? null, scheduledEnd: end, assigneeId: null, status: st.status, statusBeforeBlock: null,
        goodQty: 0, rejectQty: 0, downtimeMinutes: 0, startedAt: null, completedAt: st.doneAt ?? null,
      });
    }
  }
}

async function jobEvent(s: ServerStore, stage: string, dept: string, order: string, when: string, e: { kind: string; good?: number; reject?: number; minutes?: number }) {
  await s.insert('jobEvents', {
    id: uuidv7(), stageId: id(stage), orderId: id(order), departmentId: id(dept), kind: e.kind, goodQty: e.good ?? 0, rejectQty: e.reject ?? 0,
    downtimeReason: e.kind === 'downtime' ? 'breakdown' : null, minutes: e.minutes ?? 0, note: null, userId: id('operator.press'), at: when,
  });
}

type TicketSpec = { key: string; machine: string; dept: string; type?: string; priority: number; status: NewRow<'maintenanceTickets'>['status']; raisedAt: string; responseDueAt: string; resolutionDueAt: string; respondedAt?: string; completedAt?: string; pausedSince?: string; downtime?: number };
async function ticket(s: ServerStore, t: TicketSpec) {
  await s.insert('maintenanceTickets', {
    id: id(t.key), number: `MT-${t.key}`, machineId: id(t.machine), departmentId: id(t.dept), type: t.type ?? 'corrective', priority: t.priority, description: t.key,
    reportedBy: id('operator.press'), assigneeId: null, status: t.status, responseDueAt: t.responseDueAt, resolutionDueAt: t.resolutionDueAt,
    respondedAt: t.respondedAt ?? null, completedAt: t.completedAt ?? null, verifiedAt: null, downtimeMinutes: t.downtime ?? 0, workDone: '', partsUsed: '',
    raisedAt: t.raisedAt, holdReason: t.pausedSince ? 'waiting_parts' : null, pausedSeconds: 0, pausedSince: t.pausedSince ?? null, planId: null, planDueAt: null, checklist: [],
  });
}

/** The test plant. `now` anchors the alerts (they are read against the server's clock). */
async function seedPlant(now = Date.now()) {
  const ago = (ms: number) => new Date(now - ms).toISOString();
  const ahead = (ms: number) => new Date(now + ms).toISOString();
  await h.deps.db.insertInto('config').values({ key: 'shiftCalendar', value: JSON.stringify({ ...SHIFT_CALENDAR, holidays: ['2026-12-04'] }), updatedAt: ago(0), updatedBy: null }).execute();
  await write(async (s) => {
    for (const [code, name] of [['PRS', 'Press'], ['PNT', 'Paint']]) await s.insert('departments', { id: id(code), code, name, hodUserId: null, active: true });
    for (const [username, role, dept] of [['admin', 'admin', null], ['manager', 'manager', null], ['supervisor.press', 'supervisor', 'PRS'], ['supervisor.paint', 'supervisor', 'PNT'], ['operator.press', 'operator', 'PRS'], ['technician', 'technician', 'PRS']] as const) {
      await s.insert('users', { id: id(username), username, displayName: username, role, departmentId: dept ? id(dept) : null, active: true, passwordHash: 'x' } as never);
    }
    // [code, dept, hours per day, ideal cycle s]
    for (const [code, dept, hours, cycle] of [['P1', 'PRS', 16, 30], ['P2', 'PRS', 8, 60], ['P3', 'PRS', 8, 20], ['N1', 'PNT', 16, 45]] as const) {
      await s.insert('machines', { id: id(code), code, name: `Machine ${code}`, departmentId: id(dept), status: 'idle', hoursPerDay: hours, idealCycleSeconds: cycle, active: true, allowParallel: false });
    }
    await s.insert('products', { id: id('product'), sku: 'SKU-1', name: 'Bracket', revision: 'A', unit: 'pcs', sellPrice: 1, standardMinutes: 1, routing: [], active: true });
    await s.insert('defectCodes', { id: id('BURR'), code: 'BURR', name: 'Burr', category: 'machine', active: true });

    const orders: OrderSpec[] = [
      // In progress and late (due 20 Nov); its Press stage runs on P1 (10 h Monday), its Paint stage on N1 (8 h Wednesday).
      { key: 'O1', status: 'in_progress', due: '2026-11-20', depts: ['PRS', 'PNT'], items: [[
        { key: 's1', dept: 'PRS', machine: 'P1', status: 'running', start: at('2026-11-23', '06:00'), minutes: 600 },
        { key: 's2', dept: 'PNT', machine: 'N1', status: 'running', start: at('2026-11-25', '06:00'), minutes: 480 },
      ]] },
      // Released, due this week; next week on P2: three 12 h stages (Mon–Wed) and 2 h on the holiday.
      { key: 'O2', status: 'released', due: '2026-11-27', depts: ['PRS'], items: [[
        { key: 'n1', dept: 'PRS', machine: 'P2', status: 'ready', start: at('2026-11-30', '06:00'), minutes: 720 },
        { key: 'n2', dept: 'PRS', machine: 'P2', status: 'pending', start: at('2026-12-01', '06:00'), minutes: 720 },
        { key: 'n3', dept: 'PRS', machine: 'P2', status: 'pending', start: at('2026-12-02', '06:00'), minutes: 720 },
        { key: 'n4', dept: 'PRS', machine: 'P2', status: 'pending', start: at('2026-12-04', '06:00'), minutes: 120 },
      ]] },
      { key: 'O3', status: 'on_hold', due: '2026-11-26', depts: ['PRS'], holdReason: 'Waiting for drawing rev B', items: [[{ key: 'h1', dept: 'PRS', machine: null, status: 'blocked' }]] },
      // Completed on time: line A by its stage (done Tuesday on P2, 2 h: done, so no load), line B by the order's completion.
      { key: 'O4', status: 'completed', due: '2026-11-24', depts: ['PRS'], completedAt: at('2026-11-24', '15:00'), items: [
        [{ key: 'a1', dept: 'PRS', machine: 'P2', status: 'done', start: at('2026-11-24', '06:00'), minutes: 120, doneAt: at('2026-11-24', '12:00') }],
        [{ key: 'b1', dept: 'PRS', machine: null, status: 'ready' }],
      ] },
      // Completed a day late.
      { key: 'O5', status: 'completed', due: '2026-11-18', depts: ['PRS'], completedAt: at('2026-11-19', '10:00'), items: [[{ key: 'c1', dept: 'PRS', machine: 'P1', status: 'done', doneAt: at('2026-11-19', '10:00') }]] },
      { key: 'O6', status: 'cancelled', due: '2026-11-22', depts: ['PRS'], items: [[{ key: 'x1', dept: 'PRS', machine: null, status: 'pending' }]] },
      { key: 'O7', status: 'draft', due: '2026-12-10', depts: ['PNT'], items: [[{ key: 'd1', dept: 'PNT', machine: null, status: 'pending' }]] },
      // Due today, still open: due this week, not late, not yet counted by on-time delivery.
      { key: 'O8', status: 'released', due: TODAY, depts: ['PNT'], items: [[{ key: 'e1', dept: 'PNT', machine: null, status: 'ready' }]] },
    ];
    for (const o of orders) await order(s, o);

    // Production on P1 (stage s1), P2 (a1) and N1 (s2); P3 makes nothing.
    await jobEvent(s, 's1', 'PRS', 'O1', at('2026-11-23', '10:00'), { kind: 'progress', good: 900 });
    await jobEvent(s, 's1', 'PRS', 'O1', at('2026-11-24', '08:00'), { kind: 'downtime', minutes: 30 });
    await jobEvent(s, 's1', 'PRS', 'O1', at('2026-11-25', '09:00'), { kind: 'progress', good: 950, reject: 50 });
    await jobEvent(s, 's1', 'PRS', 'O1', at('2026-11-25', '12:00'), { kind: 'downtime', minutes: 60 });
    await jobEvent(s, 's1', 'PRS', 'O1', at('2026-11-25', '13:00'), { kind: 'note' });
    await jobEvent(s, 's1', 'PRS', 'O1', at('2026-11-26', '08:00'), { kind: 'progress', good: 500 }); // after the chosen day
    await jobEvent(s, 'a1', 'PRS', 'O4', at('2026-11-24', '10:00'), { kind: 'progress', good: 1500 });
    await jobEvent(s, 's2', 'PNT', 'O1', at('2026-11-25', '15:00'), { kind: 'progress', good: 100 });
    // Maintenance downtime on P1: a repair done on the day counts; a preventive round and last week's repair do not.
    await ticket(s, { key: 'R-today', machine: 'P1', dept: 'PRS', priority: 2, status: 'completed', raisedAt: at('2026-11-25', '13:00'), responseDueAt: at('2026-11-25', '17:00'), resolutionDueAt: at('2026-11-26', '13:00'), respondedAt: at('2026-11-25', '13:10'), completedAt: at('2026-11-25', '14:00'), downtime: 45 });
    await ticket(s, { key: 'R-prev', machine: 'P1', dept: 'PRS', priority: 2, status: 'completed', raisedAt: at('2026-11-20', '08:00'), responseDueAt: at('2026-11-20', '12:00'), resolutionDueAt: at('2026-11-21', '08:00'), respondedAt: at('2026-11-20', '08:10'), completedAt: at('2026-11-20', '09:00'), downtime: 500 });
    await ticket(s, { key: 'PM', type: 'preventive', machine: 'P1', dept: 'PRS', priority: 3, status: 'completed', raisedAt: at('2026-11-25', '06:00'), responseDueAt: at('2026-11-25', '14:00'), resolutionDueAt: at('2026-11-28', '06:00'), respondedAt: at('2026-11-25', '06:10'), completedAt: at('2026-11-25', '08:00'), downtime: 100 });

    // SLA alerts against the server's clock.
    await ticket(s, { key: 'T1', machine: 'P1', dept: 'PRS', priority: 1, status: 'open', raisedAt: ago(2 * H), responseDueAt: ago(1 * H), resolutionDueAt: ahead(6 * H) }); // response breached
    await ticket(s, { key: 'T2', machine: 'P3', dept: 'PRS', priority: 2, status: 'open', raisedAt: ago(3.75 * H), responseDueAt: ahead(0.25 * H), resolutionDueAt: ahead(20 * H) }); // 15 min of 4 h left: near
    await ticket(s, { key: 'T3', machine: 'N1', dept: 'PNT', priority: 3, status: 'in_progress', raisedAt: ago(10 * H), responseDueAt: ago(2 * H), respondedAt: ago(9 * H), resolutionDueAt: ago(0.5 * H) }); // resolution breached
    await ticket(s, { key: 'T4', machine: 'P2', dept: 'PRS', priority: 3, status: 'on_hold', raisedAt: ago(20 * H), responseDueAt: ago(12 * H), respondedAt: ago(19 * H), resolutionDueAt: ahead(10 * 60_000), pausedSince: ago(1 * H) }); // paused: no alert
    await ticket(s, { key: 'T5', machine: 'P1', dept: 'PRS', priority: 1, status: 'completed', raisedAt: ago(30 * H), responseDueAt: ago(29 * H), respondedAt: ago(28 * H), resolutionDueAt: ago(22 * H), completedAt: ago(20 * H) }); // closed
    await ticket(s, { key: 'T6', machine: 'N1', dept: 'PNT', priority: 4, status: 'open', raisedAt: ago(1 * H), responseDueAt: ahead(23 * H), resolutionDueAt: ahead(167 * H) }); // plenty of time

    // Rejects: two awaiting review in Press, one in Paint, one already approved.
    for (const [key, machine, dept, qty, status] of [['J1', 'P1', 'PRS', 5, 'open'], ['J2', 'P2', 'PRS', 2, 'under_review'], ['J3', 'N1', 'PNT', 7, 'open'], ['J4', 'P1', 'PRS', 9, 'approved']] as const) {
      await s.insert('rejects', {
        id: id(key), number: `REJ-${key}`, stageId: null, orderId: null, productId: null, machineId: id(machine), departmentId: id(dept), defectCodeId: id('BURR'),
        quantity: qty, description: null, reportedBy: id('operator.press'), status, disposition: status === 'approved' ? 'scrap' : null, rootCause: null, correctiveAction: null,
        approvedBy: null, approvedAt: null, closedAt: null,
      });
    }

    // SOP tickets: against Press two overdue (one escalated), one not yet due, one past the answer stage; against Paint one overdue and escalated.
    for (const [code, dept] of [['SOP-P', 'PRS'], ['SOP-N', 'PNT']]) await s.insert('sops', { id: id(code), code, title: code, departmentId: id(dept), revision: 'A', active: true });
    for (const [key, dept, status, dueIn, level] of [['S1', 'PRS', 'open', -2 * H, 1], ['S2', 'PRS', 'acknowledged', -1 * H, 0], ['S3', 'PRS', 'open', 2 * H, 0], ['S4', 'PRS', 'ncr_required', -5 * H, 1], ['S5', 'PNT', 'open', -3 * H, 1]] as const) {
      await s.insert('sopTickets', {
        id: id(key), number: `SOP-${key}`, sopId: id(dept === 'PRS' ? 'SOP-P' : 'SOP-N'), raisedBy: id('operator.press'), raisedByDepartmentId: id('PRS'), againstDepartmentId: id(dept),
        severity: 'high', description: key, machineId: null, orderId: null, status, escalationLevel: level, dueAt: new Date(now + dueIn).toISOString(), escalatedAt: level ? ago(0) : null,
        escalatedToId: null, respondedAt: null, closedAt: null, history: [],
      } as NewRow<'sopTickets'>);
    }

    // Preventive plans: overdue on P1, in 3 days on P2, in 6 days on N1; in 8 days (P3) and a paused one (N1) are not due.
    for (const [key, machine, dept, dueIn, status] of [['PP1', 'P1', 'PRS', -24 * H, 'active'], ['PP2', 'P2', 'PRS', 72 * H, 'active'], ['PP3', 'P3', 'PRS', 192 * H, 'active'], ['PP4', 'N1', 'PNT', 24 * H, 'paused'], ['PP5', 'N1', 'PNT', 144 * H, 'active']] as const) {
      await s.insert('preventivePlans', {
        id: id(key), machineId: id(machine), departmentId: id(dept), task: `Task ${key}`, intervalDays: 7, intervalHours: null, checklist: [], priority: 3,
        nextDueAt: new Date(now + dueIn).toISOString(), lastDoneAt: null, status,
      });
    }
  });
  await createdAt('rejects', id('J1'), ago(3 * H));
  await createdAt('rejects', id('J2'), ago(1 * H));
  await createdAt('rejects', id('J3'), ago(2 * H));
}

async function get(username: string, query = `today=${TODAY}`) {
  return h.call('GET', `/api/dashboard${query ? `?${query}` : ''}`, { token: await tokenFor(h, username) });
}
const machine = (d: Dashboard, i: 0 | 1, code: string, part: 'capacity' | 'oee' = 'oee') => (d[part][i].machines as { code: string }[]).find((m) => m.code === code) as any;
const dept = (d: Dashboard, i: 0 | 1, code: string, part: 'capacity' | 'oee' = 'oee') => (d[part][i].departments as { code: string }[]).find((m) => m.code === code) as any;

beforeEach(async () => {
  for (const k of Object.keys(ids)) delete ids[k];
  await seedPlant();
});

describe('GET /api/dashboard for the whole plant', () => {
  it('counts orders by status, due this week, late, and on-time delivery over this week and the four before', async () => {
    const r = await get('manager');
    expect(r.status).toBe(200);
    const d = r.body as Dashboard;
    expect(d).toMatchObject({ today: TODAY, week: { from: '2026-11-23', to: '2026-11-29' }, nextWeek: { from: '2026-11-30', to: '2026-12-06' }, scope: { departmentId: null, departmentName: null } });
    expect(d.orders.byStatus).toEqual({ draft: 1, released: 2, in_progress: 1, on_hold: 1, completed: 2, cancelled: 1 });
    // Open and due 23–29 Nov: O2 (27th), O3 (26th), O8 (today). Late: O1 (due 20th, in progress).
    expect(d.orders.dueThisWeek).toBe(3);
    expect(d.orders.late).toBe(1);
    // Lines due 26 Oct – 25 Nov: O1 (open: not on time), O4 A (stage done 24th: on time), O4 B (order completed 24th: on time),
    // O5 (done 19th, due 18th: late). O8 is due today and open (not counted), O6 is cancelled → 2 / 4.
    expect(d.orders.onTimeDelivery).toEqual({ from: '2026-10-26', to: TODAY, linesDue: 4, linesOnTime: 2, ratio: 0.5 });
  });

  it('shows capacity this week and next from hoursPerDay and the shift calendar, over 100 % as it is', async () => {
    const d = (await get('manager')).body as Dashboard;
    expect(d.capacity.map((c) => [c.label, c.from, c.to])).toEqual([['This week', '2026-11-23', '2026-11-29'], ['Next week', '2026-11-30', '2026-12-06']]);
    // This week, 5 working days: P1 16 h × 5 = 80 h with s1's 10 h → 0.125; P2's 2 h stage is done (no load); N1 80 h with s2's 8 h → 0.1.
    expect(machine(d, 0, 'P1', 'capacity')).toMatchObject({ scheduledHours: 10, availableHours: 80, utilisation: 0.125 });
    expect(machine(d, 0, 'P2', 'capacity')).toMatchObject({ scheduledHours: 0, availableHours: 40, utilisation: 0 });
    expect(machine(d, 0, 'N1', 'capacity')).toMatchObject({ scheduledHours: 8, availableHours: 80, utilisation: 0.1 });
    // Press: 10 h of 80 + 40 + 40 = 160 h → 0.0625.
    expect(dept(d, 0, 'PRS', 'capacity')).toMatchObject({ name: 'Press', scheduledHours: 10, availableHours: 160, utilisation: 0.0625 });
    // Next week has 4 working days (Friday 4 Dec is a holiday): P2 8 h × 4 = 32 h, scheduled 12 + 12 + 12 + 2 (on the holiday) = 38 h → 1.1875.
    expect(machine(d, 1, 'P2', 'capacity')).toMatchObject({ scheduledHours: 38, availableHours: 32, utilisation: 1.1875 });
    expect(machine(d, 1, 'P1', 'capacity')).toMatchObject({ scheduledHours: 0, availableHours: 64, utilisation: 0 });
    // Press next week: 38 h of 64 + 32 + 32 = 128 h → 0.296875; Paint: 0 of 64.
    expect(dept(d, 1, 'PRS', 'capacity')).toMatchObject({ scheduledHours: 38, availableHours: 128, utilisation: 0.296875 });
    expect(dept(d, 1, 'PNT', 'capacity')).toMatchObject({ scheduledHours: 0, availableHours: 64, utilisation: 0 });
  });

  it('computes OEE per machine and department for the day and the week, null for a machine without production', async () => {
    const d = (await get('manager')).body as Dashboard;
    expect(d.oee.map((o) => [o.label, o.from, o.to])).toEqual([['Today', TODAY, TODAY], ['This week', '2026-11-23', '2026-11-29']]);
    // P1 on the 25th: planned 16 h = 960 min; down 60 (event) + 45 (repair) = 105 → run 855; 950 good + 50 rejected = 1000.
    // availability 855/960; performance 30 s × 1000 = 500 min / 855; quality 0.95; OEE = 500/960 × 0.95 = 0.494791…
    const p1 = machine(d, 0, 'P1');
    expect(p1).toMatchObject({ plannedMinutes: 960, downtimeMinutes: 105, runMinutes: 855, totalCount: 1000, goodCount: 950 });
    expect(p1.availability).toBeCloseTo(855 / 960, 8);
    expect(p1.performance).toBeCloseTo(500 / 855, 8);
    expect(p1.quality).toBeCloseTo(0.95, 8);
    expect(p1.oee).toBeCloseTo(0.494791667, 8);
    // P1 Mon–Wed: planned 3 × 960 = 2880; down 30 + 60 + 45 = 135 → run 2745; 900 + 1000 = 1900 counted, 1850 good
    // (the 26th's 500 and last week's repair are outside). OEE = (30 × 1900 / 60 = 950) / 2880 × 1850/1900 = 0.321180…
    const p1w = machine(d, 1, 'P1');
    expect(p1w).toMatchObject({ plannedMinutes: 2880, downtimeMinutes: 135, runMinutes: 2745, totalCount: 1900, goodCount: 1850 });
    expect(p1w.oee).toBeCloseTo((950 / 2880) * (1850 / 1900), 8);
    // P2 made 1500 on Tuesday at an ideal 60 s = 1500 min in 3 × 480 = 1440 min run: performance capped at 1; OEE 1.
    expect(machine(d, 1, 'P2')).toMatchObject({ plannedMinutes: 1440, runMinutes: 1440, totalCount: 1500, availability: 1, performance: 1, quality: 1, oee: 1 });
    // P2 today and P3 all week made nothing: every factor null (shown as —).
    expect(machine(d, 0, 'P2')).toMatchObject({ plannedMinutes: 480, totalCount: 0, availability: null, performance: null, quality: null, oee: null });
    expect(machine(d, 1, 'P3')).toMatchObject({ plannedMinutes: 1440, runMinutes: 1440, totalCount: 0, availability: null, performance: null, quality: null, oee: null });
    // N1 today: 960 planned, no downtime; 45 s × 100 = 75 min / 960 → performance 0.078125, quality 1, OEE 0.078125.
    expect(machine(d, 0, 'N1')).toMatchObject({ plannedMinutes: 960, runMinutes: 960, totalCount: 100, availability: 1, performance: 0.078125, quality: 1, oee: 0.078125 });
    // Press today = P1 + P2 + P3: planned 960 + 480 + 480 = 1920, down 105 → run 1815; 1000 counted, 950 good, ideal 500 min.
    // availability 1815/1920 = 0.9453125, performance 500/1815, OEE = 500/1920 × 0.95 = 0.247395…
    const prs = dept(d, 0, 'PRS');
    expect(prs).toMatchObject({ plannedMinutes: 1920, downtimeMinutes: 105, runMinutes: 1815, totalCount: 1000, goodCount: 950, availability: 0.9453125 });
    expect(prs.oee).toBeCloseTo((500 / 1920) * 0.95, 8);
    // Press this week: planned 2880 + 1440 + 1440 = 5760, down 135 → run 5625; counted 1900 + 1500 = 3400, good 3350;
    // ideal 950 + 1500 = 2450 min → performance 2450/5625; OEE = 2450/5760 × 3350/3400.
    const prsw = dept(d, 1, 'PRS');
    expect(prsw).toMatchObject({ plannedMinutes: 5760, runMinutes: 5625, totalCount: 3400, goodCount: 3350 });
    expect(prsw.performance).toBeCloseTo(2450 / 5625, 8);
    expect(prsw.oee).toBeCloseTo((2450 / 5760) * (3350 / 3400), 8);
  });

  it('raises every alert kind, the most urgent first', async () => {
    const d = (await get('manager')).body as Dashboard;
    // Rejects open or under review, oldest first: J1 (3 h ago), J3 (2 h), J2 (1 h); J4 is approved.
    expect(d.alerts.rejectsAwaitingReview.count).toBe(3);
    expect(d.alerts.rejectsAwaitingReview.items.map((r) => [r.number, r.quantity, r.machineCode, r.defectCode])).toEqual([['REJ-J1', 5, 'P1', 'BURR'], ['REJ-J3', 7, 'N1', 'BURR'], ['REJ-J2', 2, 'P2', 'BURR']]);
    // SLA: T1's response and T3's resolution breached, T2 with 15 min of a 4 h response target left (< 25 %); T4 paused, T5 closed, T6 in time.
    expect(d.alerts.sla).toMatchObject({ breached: 2, nearBreach: 1 });
    expect(d.alerts.sla.items.map((s) => [s.number, s.clock, s.state, s.machineCode, s.priority])).toEqual([
      ['MT-T1', 'response', 'breached', 'P1', 1], ['MT-T3', 'resolution', 'breached', 'N1', 3], ['MT-T2', 'response', 'near', 'P3', 2],
    ]);
    // SOP tickets open or acknowledged past due: S5 (3 h), S1 (2 h), S2 (1 h); two of them escalated.
    expect(d.alerts.sopOverdue).toMatchObject({ count: 3, escalated: 2 });
    expect(d.alerts.sopOverdue.items.map((s) => [s.number, s.againstDepartmentCode, s.status, s.escalationLevel])).toEqual([['SOP-S5', 'PNT', 'open', 1], ['SOP-S1', 'PRS', 'open', 1], ['SOP-S2', 'PRS', 'acknowledged', 0]]);
    // Preventive plans overdue or due within 7 days: PP1 (overdue), PP2 (3 days), PP5 (6 days).
    expect(d.alerts.preventiveDue.count).toBe(3);
    expect(d.alerts.preventiveDue.items.map((p) => [p.machineCode, p.task])).toEqual([['P1', 'Task PP1'], ['P2', 'Task PP2'], ['N1', 'Task PP5']]);
    expect(d.alerts.ordersOnHold).toEqual({ count: 1, items: [{ id: id('O3'), number: 'ORD-O3', customerName: 'Customer O3', holdReason: 'Waiting for drawing rev B' }] });
  });
});

describe('GET /api/dashboard scope', () => {
  it('gives a supervisor their own department only, and a manager the department they choose', async () => {
    for (const r of [await get('supervisor.press'), await get('supervisor.press', `today=${TODAY}&departmentId=${id('PRS')}`), await get('manager', `today=${TODAY}&departmentId=${id('PRS')}`)]) {
      expect(r.status).toBe(200);
      const d = r.body as Dashboard;
      expect(d.scope).toEqual({ departmentId: id('PRS'), departmentName: 'Press' });
      // Orders with a Press stage: O1–O6.
      expect(d.orders.byStatus).toEqual({ draft: 0, released: 1, in_progress: 1, on_hold: 1, completed: 2, cancelled: 1 });
      expect(d.orders).toMatchObject({ dueThisWeek: 2, late: 1, onTimeDelivery: { linesDue: 4, linesOnTime: 2, ratio: 0.5 } });
      expect(d.capacity[0].machines.map((m) => m.code)).toEqual(['P1', 'P2', 'P3']);
      expect(d.capacity[0].departments.map((x) => x.code)).toEqual(['PRS']);
      expect(d.oee[1].departments.map((x) => x.code)).toEqual(['PRS']);
      expect(d.alerts.rejectsAwaitingReview.items.map((x) => x.number)).toEqual(['REJ-J1', 'REJ-J2']);
      expect(d.alerts.sla).toMatchObject({ breached: 1, nearBreach: 1 });
      expect(d.alerts.sopOverdue).toMatchObject({ count: 2, escalated: 1 });
      expect(d.alerts.preventiveDue.count).toBe(2);
      expect(d.alerts.ordersOnHold.count).toBe(1);
    }
    const paint = (await get('supervisor.paint')).body as Dashboard;
    // Paint: O1 (in progress, late, its line not done), O7 draft, O8 due today → OTD 0 of 1.
    expect(paint.orders.byStatus).toMatchObject({ draft: 1, released: 1, in_progress: 1, on_hold: 0 });
    expect(paint.orders.onTimeDelivery).toMatchObject({ linesDue: 1, linesOnTime: 0, ratio: 0 });
    expect(paint.oee[0].machines.map((m) => m.code)).toEqual(['N1']);
    expect(paint.alerts.ordersOnHold).toEqual({ count: 0, items: [] });
  });

  it('refuses a supervisor another department, and operators and technicians altogether', async () => {
    const other = await get('supervisor.press', `departmentId=${id('PNT')}`);
    expect(other.status).toBe(403);
    expectCleanError(other.body, 'forbidden');
    for (const who of ['operator.press', 'technician']) {
      const r = await get(who);
      expect(r.status).toBe(403);
      expectCleanError(r.body, 'forbidden');
    }
    expect((await h.call('GET', '/api/dashboard')).status).toBe(401);
  });

  it('answers 400 to a bad query', async () => {
    for (const q of ['today=2026-13-01', 'today=yesterday', 'departmentId=PRS', 'window=week', `departmentId=${uuidv7()}`]) {
      const r = await get('manager', q);
      expect(r.status, q).toBe(400);
      expectCleanError(r.body, 'validation_failed');
    }
  });
});

describe('GET /api/dashboard queries', () => {
  /** The queries one dashboard costs, read through a counting database handle. */
  async function queriesFor(username: string, query: string) {
    let queries = 0;
    const counting: KyselyPlugin = { transformQuery: (a) => { queries += 1; return a.node; }, transformResult: async (a) => a.result };
    const app = createApp({ ...h.deps, db: h.deps.db.withPlugin(counting) });
    const token = await tokenFor(h, username);
    const res = await app.request(`/api/dashboard?${query}`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    return { queries, body: (await res.json()) as Dashboard };
  }

  it('runs the same handful of queries however many orders, machines and tickets there are', async () => {
    const before = await queriesFor('manager', `today=${TODAY}`);
    // The session check and 13 dashboard queries (server/dashboard/dashboard.repository.ts), whatever the rows.
    expect(before.queries).toBeLessThanOrEqual(14);
    const now = Date.now();
    await write(async (s) => {
      for (let i = 0; i < 15; i++) {
        const m = `M${i}`;
        await s.insert('machines', { id: id(m), code: `X${String(i).padStart(2, '0')}`, name: m, departmentId: id('PRS'), status: 'idle', hoursPerDay: 8, idealCycleSeconds: 10, active: true, allowParallel: false });
        await order(s, { key: `Z${i}`, status: 'in_progress', due: '2026-11-21', depts: ['PRS'], items: [[{ key: `z${i}`, dept: 'PRS', machine: m, status: 'running', start: at('2026-11-24', '06:00'), minutes: 60 }]] });
        await jobEvent(s, `z${i}`, 'PRS', `Z${i}`, at('2026-11-24', '09:00'), { kind: 'progress', good: 10 });
        await ticket(s, { key: `W${i}`, machine: m, dept: 'PRS', priority: 1, status: 'open', raisedAt: new Date(now - 3 * H).toISOString(), responseDueAt: new Date(now - H).toISOString(), resolutionDueAt: new Date(now + H).toISOString() });
        await s.insert('rejects', {
          id: uuidv7(), number: `REJ-Y${i}`, stageId: null, orderId: null, productId: null, machineId: id(m), departmentId: id('PRS'), defectCodeId: id('BURR'),
          quantity: 1, description: null, reportedBy: id('operator.press'), status: 'open', disposition: null, rootCause: null, correctiveAction: null, approvedBy: null, approvedAt: null, closedAt: null,
        });
      }
    });
    const after = await queriesFor('manager', `today=${TODAY}`);
    expect(after.queries).toBe(before.queries);
    // The rows are there: 15 more machines, 15 more late orders, 15 more breaches and rejects (items capped at 10).
    expect(after.body.capacity[0].machines).toHaveLength(before.body.capacity[0].machines.length + 15);
    expect(after.body.orders.late).toBe(before.body.orders.late + 15);
    expect(after.body.alerts.sla.breached).toBe(before.body.alerts.sla.breached + 15);
    expect(after.body.alerts.rejectsAwaitingReview.count).toBe(18);
    expect(after.body.alerts.rejectsAwaitingReview.items).toHaveLength(10);
    expect(after.body.alerts.sla.items).toHaveLength(10);
    // A department's dashboard costs no more.
    expect((await queriesFor('supervisor.press', `today=${TODAY}`)).queries).toBe(before.queries);
  });
});
