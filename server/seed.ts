// The demo plant of DOMAIN.md: departments, users, machines, products with routings, a dozen
// orders in every state a planner meets, open tickets and rejects. Written through the same
// store as every other change, so devices receive it by pull.
import bcrypt from 'bcryptjs';
import { uuidv7 } from '../sync/ids';
import { DEFAULT_SLA } from '../sync/mutations';
import type { Role } from '../sync/roles';
import type { OrderStatus, StageStatus } from '../sync/state-machines';
import type { NewRow } from '../sync/store';
import type { Db } from './db/db';
import { auditedWrite } from './sync/write';
import { seedQuality } from './quality/seed';
import { seedSopNcr } from './sop/sop.seed';
// finance (issue 14)
import { seedFinance } from './finance/finance.seed';
import { seedMaintenance } from './maintenance/maintenance.seed';
// dashboard (issue 15 §2)
import { seedDashboard } from './dashboard/dashboard.seed';

export const DEMO_PASSWORD = 'barron-demo-2026';

export const DEMO_USERS: { username: string; displayName: string; role: Role; dept: string | null }[] = [
  { username: 'admin', displayName: 'Alex Admin', role: 'admin', dept: null },
  { username: 'manager', displayName: 'Morgan Manager', role: 'manager', dept: null },
  { username: 'supervisor.press', displayName: 'Sam Supervisor (Press)', role: 'supervisor', dept: 'PRS' },
  { username: 'operator.press', displayName: 'Olivia Operator (Press)', role: 'operator', dept: 'PRS' },
  { username: 'operator.paint', displayName: 'Pat Operator (Paint)', role: 'operator', dept: 'PNT' },
  { username: 'technician', displayName: 'Terry Technician', role: 'technician', dept: 'MNT' },
  // quality: takes in customer returns and verifies corrective actions
  { username: 'quality.lead', displayName: 'Quinn Quality (QA)', role: 'supervisor', dept: 'QA' },
  // SOP compliance (issue 12): every department has a head (server/sop/sop.seed.ts makes them heads).
  { username: 'head.paint', displayName: 'Paula Head (Paint)', role: 'supervisor', dept: 'PNT' },
  { username: 'head.assembly', displayName: 'Andy Head (Assembly)', role: 'supervisor', dept: 'ASM' },
  { username: 'head.maintenance', displayName: 'Mia Head (Maintenance)', role: 'supervisor', dept: 'MNT' },
];

export const SHIFT_CALENDAR = {
  workingDays: [1, 2, 3, 4, 5],
  shifts: [
    { name: 'Early', start: '06:00', end: '14:00' },
    { name: 'Late', start: '14:00', end: '22:00' },
  ],
  holidays: [] as string[],
};

export async function isEmpty(db: Db): Promise<boolean> {
  const r = await db.selectFrom('users').select((eb) => eb.fn.countAll().as('n')).executeTakeFirst();
  return Number(r?.n ?? 0) === 0;
}

const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);

/**
 * Hashed once per process: tests seed before every case and bcrypt is slow on purpose. The demo
 * password is printed at start, so sharing one salt between seeded databases hides nothing.
 */
let demoHash: Promise<string> | undefined;

export async function seedDemo(db: Db): Promise<void> {
  const hash = await (demoHash ??= bcrypt.hash(DEMO_PASSWORD, 10));
  // The app itself writes the demo plant: rows carry a system id as author, the audit entry no user.
  await db.transaction().execute((trx) => auditedWrite(trx, { actor: { id: uuidv7(), username: null }, system: true, name: 'seed.demo' }, async (s, { now }) => {
    const ids: Record<string, string> = {};
    const id = (key: string) => (ids[key] ??= uuidv7());

    for (const [code, name] of [['PRS', 'Press'], ['PNT', 'Paint'], ['ASM', 'Assembly'], ['MNT', 'Maintenance'], ['QA', 'Quality']]) {
      await s.insert('departments', { id: id(code), code, name, hodUserId: null, active: true });
    }
    for (const u of DEMO_USERS) {
      await s.insert('users', {
        id: id(u.username), username: u.username, displayName: u.displayName, role: u.role,
        departmentId: u.dept ? id(u.dept) : null, active: true, passwordHash: hash,
      });
    }
    const hods: Record<string, string> = { PRS: 'supervisor.press', PNT: 'manager', ASM: 'manager', MNT: 'manager', QA: 'manager' };
    for (const [dept, user] of Object.entries(hods)) await s.update('departments', id(dept), { hodUserId: id(user) });

    const machines: [string, string, string, number, number][] = [
      ['PRS-01', 'Press 250 t', 'PRS', 16, 6], ['PRS-02', 'Press 400 t', 'PRS', 16, 9], ['PRS-03', 'Servo press 100 t', 'PRS', 8, 4],
      ['PNT-01', 'Paint booth 1', 'PNT', 16, 45], ['PNT-02', 'Powder coating line', 'PNT', 16, 30],
      ['ASM-01', 'Assembly cell 1', 'ASM', 8, 90], ['ASM-02', 'Assembly cell 2', 'ASM', 8, 120],
    ];
    for (const [code, name, dept, hours, cycle] of machines) {
      await s.insert('machines', { id: id(code), code, name, departmentId: id(dept), status: 'idle', hoursPerDay: hours, idealCycleSeconds: cycle, active: true, allowParallel: false });
    }

    const step = (name: string, dept: string, plannedMinutes: number) => ({ name, departmentId: id(dept), plannedMinutes });
    const products: [string, string, number, number, ReturnType<typeof step>[]][] = [
      ['BRK-100', 'Mounting bracket', 4.2, 3, [step('Blank and form', 'PRS', 120), step('Powder coat', 'PNT', 180), step('Fit fasteners', 'ASM', 90)]],
      ['HSG-200', 'Pump housing cover', 18.5, 9, [step('Deep draw', 'PRS', 240), step('Prime and paint', 'PNT', 300), step('Assemble gasket', 'ASM', 150)]],
      ['PNL-300', 'Control panel door', 32, 14, [step('Punch and bend', 'PRS', 180), step('Paint', 'PNT', 240)]],
      ['CLP-400', 'Spring clip', 0.35, 0.5, [step('Progressive die', 'PRS', 90)]],
    ];
    for (const [sku, name, price, minutes, routing] of products) {
      await s.insert('products', { id: id(sku), sku, name, revision: 'A', unit: 'pcs', sellPrice: price, standardMinutes: minutes, routing, active: true });
    }

    const defects: [string, string, string][] = [
      ['BURR', 'Burr on cut edge', 'machine'], ['DENT', 'Dent or ding', 'material'], ['SCRATCH', 'Surface scratch', 'man'],
      ['DIM', 'Dimension out of tolerance', 'measurement'], ['RUN', 'Paint run or sag', 'method'], ['PEEL', 'Orange peel', 'environment'],
      ['MISSING', 'Missing component', 'man'],
    ];
    for (const [code, name, category] of defects) await s.insert('defectCodes', { id: id(code), code, name, category, active: true });

    const sops: [string, string, string][] = [
      ['SOP-PRS-001', 'Die change and first-off inspection', 'PRS'], ['SOP-PNT-001', 'Booth preparation and film thickness check', 'PNT'],
      ['SOP-ASM-001', 'Torque check of fasteners', 'ASM'], ['SOP-QA-001', 'Quarantine of suspect material', 'QA'],
    ];
    for (const [code, title, dept] of sops) await s.insert('sops', { id: id(code), code, title, departmentId: id(dept), revision: 'A', active: true });

    for (const [name, contact, email, lead] of [['Nordic Steel AB', 'Eva Lind', 'orders@nordicsteel.example', 14], ['ColorCoat Ltd', 'Raj Patel', 'sales@colorcoat.example', 7]] as const) {
      await s.insert('suppliers', { id: uuidv7(), name, contact, email, leadTimeDays: lead, active: true });
    }
    for (const [key, value] of [['sla', DEFAULT_SLA], ['shiftCalendar', SHIFT_CALENDAR], ['syncWindowDays', 30]] as const) {
      await trx.insertInto('config').values({ key, value: JSON.stringify(value), updatedAt: now, updatedBy: null }).execute();
    }

    // Orders: [customer, due in days, status, items [sku, qty], how far the stages are]
    type Progress = 'none' | 'first_ready' | 'first_running' | 'first_done_second_running' | 'all_done' | 'held';
    const orders: [string, number, OrderStatus, [string, number][], Progress, string?][] = [
      ['Volvo Cars Torslanda', 14, 'draft', [['BRK-100', 500]], 'none'],
      ['Scania Södertälje', 21, 'draft', [['HSG-200', 120], ['CLP-400', 2000]], 'none'],
      ['ABB Robotics', 5, 'released', [['PNL-300', 60]], 'first_ready'],
      ['Husqvarna', 7, 'released', [['BRK-100', 800]], 'first_ready'],
      ['Electrolux', 10, 'released', [['CLP-400', 5000]], 'first_ready'],
      ['Sandvik Coromant', 3, 'released', [['HSG-200', 200]], 'first_ready'],
      ['Atlas Copco', 2, 'in_progress', [['BRK-100', 300]], 'first_running'],
      ['SKF Göteborg', 4, 'in_progress', [['PNL-300', 40]], 'first_done_second_running'],
      ['Alfa Laval', -1, 'in_progress', [['HSG-200', 90]], 'first_done_second_running'],
      ['Epiroc', 6, 'on_hold', [['BRK-100', 250]], 'held', 'Customer changed the hole pattern; waiting for revision B drawing'],
      ['Trelleborg', -5, 'completed', [['CLP-400', 1500]], 'all_done'],
      ['Saab Linköping', 12, 'cancelled', [['PNL-300', 20]], 'none'],
    ];
    for (const [customerName, due, status, items, progress, holdReason] of orders) {
      const orderId = uuidv7();
      const depts = new Set<string>();
      const stageRows: NewRow<'stages'>[] = [];
      // The departments of all the order's stages are known only after every item is routed.
      const itemRows: Omit<NewRow<'orderItems'>, 'departmentIds'>[] = [];
      for (const [sku, quantity] of items) {
        const itemId = uuidv7();
        const routing = products.find((p) => p[0] === sku)![4];
        let itemGood = 0;
        routing.forEach((r, i) => {
          depts.add(r.departmentId);
          const last = i === routing.length - 1;
          let st: StageStatus = 'pending';
          let good = 0;
          if (progress === 'all_done') { st = 'done'; good = quantity; }
          else if (progress === 'first_ready' && i === 0) st = 'ready';
          else if (progress === 'first_running' && i === 0) { st = 'running'; good = Math.round(quantity * 0.4); }
          else if (progress === 'first_done_second_running') {
            if (i === 0) { st = 'done'; good = quantity; }
            else if (i === 1) { st = 'running'; good = Math.round(quantity * 0.3); }
          } else if (progress === 'held') st = i === 0 ? 'blocked' : 'pending';
          if (last) itemGood = good;
          const machine = machines.find((m) => m[2] === Object.keys(ids).find((k) => ids[k] === r.departmentId))?.[0];
          stageRows.push({
            id: uuidv7(), orderId, orderItemId: itemId, sequence: i + 1, name: r.name, departmentId: r.departmentId,
            machineId: machine ? id(machine) : null, plannedMinutes: r.plannedMinutes * Math.max(1, Math.round(quantity / 250)),
            scheduledStart: null, scheduledEnd: null, assigneeId: null, status: st,
            statusBeforeBlock: st === 'blocked' ? 'ready' : null, goodQty: good, rejectQty: 0, downtimeMinutes: 0,
            startedAt: ['running', 'done'].includes(st) ? now : null, completedAt: st === 'done' ? now : null,
          });
        });
        itemRows.push({ id: itemId, orderId, productId: id(sku), quantity, goodQty: itemGood, rejectQty: 0 });
      }
      await s.insert('orders', {
        id: orderId, number: await s.nextNumber('ORD'), customerName, externalRef: null, dueDate: day(due), priority: due < 5 ? 2 : 3,
        status, holdReason: holdReason ?? null, statusBeforeHold: status === 'on_hold' ? 'released' : null, source: 'manual', notes: null,
        departmentIds: [...depts], completedAt: status === 'completed' ? now : null,
      });
      for (const item of itemRows) await s.insert('orderItems', { ...item, departmentIds: [...depts] });
      for (const stage of stageRows) await s.insert('stages', stage);
    }

    const tickets: [string, string, number, string, string][] = [
      ['PRS-02', 'corrective', 1, 'Hydraulic leak at the main cylinder seal; oil on the floor.', 'operator.press'],
      ['PNT-01', 'corrective', 2, 'Extraction fan vibrating and noisy since the night shift.', 'operator.paint'],
      ['ASM-01', 'preventive', 3, 'Quarterly calibration of the torque tools.', 'supervisor.press'],
    ];
    for (const [i, [machine, type, priority, description, by]] of tickets.entries()) {
      const tid = uuidv7();
      const mdept = machines.find((m) => m[0] === machine)![2];
      const hours = DEFAULT_SLA[String(priority)];
      await s.insert('maintenanceTickets', {
        id: tid, number: await s.nextNumber('MT'), machineId: id(machine), departmentId: id(mdept), type, priority, description,
        reportedBy: id(by), assigneeId: i === 0 ? id('technician') : null, status: i === 0 ? 'assigned' : 'open',
        responseDueAt: new Date(Date.now() + hours.responseHours * 3_600_000).toISOString(),
        resolutionDueAt: new Date(Date.now() + hours.resolutionHours * 3_600_000).toISOString(),
        respondedAt: null, completedAt: null, verifiedAt: null, downtimeMinutes: 0, workDone: '', partsUsed: '',
        raisedAt: now, holdReason: null, pausedSeconds: 0, pausedSince: null, planId: null, planDueAt: null, checklist: [],
      });
      await s.insert('maintenanceEvents', {
        id: uuidv7(), ticketId: tid, machineId: id(machine), departmentId: id(mdept), kind: 'created', fromStatus: null,
        toStatus: 'open', note: description, userId: id(by), at: now, reason: null, item: null, reading: null,
      });
    }

    const rejects: [string, string, number, string][] = [
      ['PRS-01', 'BURR', 12, 'Burr on the long edge after the die change.'],
      ['PNT-01', 'RUN', 5, 'Runs on the lower flange, left side of the rack.'],
      ['PRS-02', 'DIM', 3, 'Hole pitch 0.3 mm over tolerance.'],
    ];
    for (const [machine, code, quantity, description] of rejects) {
      const mdept = machines.find((m) => m[0] === machine)![2];
      await s.insert('rejects', {
        id: uuidv7(), number: await s.nextNumber('REJ'), stageId: null, orderId: null, productId: null, machineId: id(machine),
        departmentId: id(mdept), defectCodeId: id(code), quantity, description, reportedBy: id(mdept === 'PRS' ? 'operator.press' : 'operator.paint'),
        status: 'open', disposition: null, rootCause: null, correctiveAction: null, approvedBy: null, approvedAt: null, closedAt: null,
      });
    }
    return { table: null, id: null, message: 'demo data loaded into an empty database' };
  }));
  await seedQuality(db);
  // SOP compliance (issue 12)
  await seedSopNcr(db);
  // finance (issue 14)
  await seedFinance(db);
  // Each module's demo data, after the plant it refers to.
  await seedMaintenance(db);
  // dashboard (issue 15 §2): job events behind the stages' counts, a machine over capacity next week
  await seedDashboard(db);
}
