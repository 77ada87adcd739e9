// The demo plant's shop-floor history for the dashboard (issue 15 §2): the counts behind some running
// and finished stages as job events (progress in the last hours, some rejects and downtime, so OEE has
// figures), and a draft order planned ahead on ASM-01 past its hours next week (over capacity), with
// its paint work on the powder line (PNT-02, down for repair) this week. The main seed already has a
// late order, one on hold, SLA breaches, overdue SOP tickets, preventive plans due and open rejects.
// Times are relative to now; the machines used for schedules are ones the board tests leave alone.
import { uuidv7 } from '../../sync/ids';
import { addToTotals } from '../../sync/production';
import { mondayOf, addDays } from '../../sync/kpi';
import type { Stage } from '../../sync/tables';
import type { Db } from '../db/db';
import { auditedWrite } from '../sync/write';
import type { ServerStore } from '../sync/server-store';

const MIN = 60_000;
const H = 60 * MIN;

export async function seedDashboard(db: Db): Promise<void> {
  const orders = new Map((await db.selectFrom('orders').select(['id', 'customerName']).execute()).map((o) => [o.customerName, o.id]));
  const machines = new Map((await db.selectFrom('machines').select(['id', 'code']).execute()).map((m) => [m.code, m.id]));
  const products = new Map((await db.selectFrom('products').select(['id', 'sku', 'routing']).execute()).map((p) => [p.sku, p]));
  const users = new Map((await db.selectFrom('users').select(['id', 'username']).execute()).map((u) => [u.username, u.id]));
  if (!orders.has('SKF Göteborg') || !machines.has('ASM-01') || !products.has('BRK-100')) return;
  const nowMs = Date.now();
  const at = (agoMs: number) => new Date(nowMs - agoMs).toISOString();

  await db.transaction().execute((trx) => auditedWrite(trx, { actor: { id: uuidv7(), username: null }, system: true, name: 'seed.dashboard' }, async (s) => {
    /** The order's stage of a department (its only one in the demo plant). */
    const stageOf = async (customer: string, deptCode: string) => {
      const dept = (await s.find('departments', 'code', deptCode))[0];
      return (await s.find('stages', 'orderId', orders.get(customer)!)).find((st) => st.departmentId === dept.id)!;
    };
    const event = async (stage: Stage, kind: 'progress' | 'downtime', ago: number, f: { good?: number; reject?: number; minutes?: number; reason?: string; by: string }) => {
      await s.insert('jobEvents', {
        id: uuidv7(), stageId: stage.id, orderId: stage.orderId, departmentId: stage.departmentId, kind, goodQty: f.good ?? 0, rejectQty: f.reject ?? 0,
        downtimeReason: f.reason ?? null, minutes: f.minutes ?? 0, note: null, userId: users.get(f.by) ?? users.get('admin')!, at: at(ago),
      });
    };
    // The good parts the main seed put on stages, logged as the events that would have made them; the
    // rejects and downtime are added to the totals the way job.progress and job.downtime add them.
    const rejected = async (stage: Stage, n: number) => addToTotals(s, (await s.get('stages', stage.id))!, 0, n);
    const down = async (stage: Stage, minutes: number, ago: number, reason: string, by: string) => {
      await event(stage, 'downtime', ago, { minutes, reason, by });
      const now = (await s.get('stages', stage.id))!;
      await s.update('stages', stage.id, { downtimeMinutes: now.downtimeMinutes + minutes });
    };

    // Press: SKF's first stage (40 good, finished today) in the last hours with a changeover, and the
    // finished stages of Trelleborg and Alfa Laval yesterday. Atlas Copco's running stage is left as it
    // is: the floor suites log and correct counts on it from a clean slate.
    const skfPress = await stageOf('SKF Göteborg', 'PRS');
    await event(skfPress, 'progress', 5 * H, { good: 25, by: 'operator.press' });
    await down(skfPress, 35, 3 * H, 'changeover', 'operator.press');
    await event(skfPress, 'progress', 2 * H, { good: 15, by: 'operator.press' });
    for (const [customer, ago] of [['Trelleborg', 22 * H], ['Alfa Laval', 30 * H]] as const) {
      const done = await stageOf(customer, 'PRS');
      await event(done, 'progress', ago, { good: done.goodQty, by: 'operator.press' });
    }
    const skf = await stageOf('SKF Göteborg', 'PNT'); // running, 12 of 40
    await event(skf, 'progress', 2 * H, { good: 12, by: 'operator.paint' });
    await down(skf, 20, 90 * MIN, 'no_material', 'operator.paint');
    const alfa = await stageOf('Alfa Laval', 'PNT'); // running, 27 of 90
    await event(alfa, 'progress', 40 * MIN, { good: 27, reject: 3, by: 'operator.paint' });
    await rejected(alfa, 3);

    await plannedAhead(s);
    return { table: null, id: null, message: 'demo shop-floor history for the dashboard' };
  }));

  /**
   * A draft order of six lines (BRK-100 × 1250: each 10 h Press, 15 h Paint, 7.5 h Assembly) with its
   * assembly on ASM-01 next week: Monday to Friday and twice on Friday = 45 h of 40 h (112.5 %); two
   * lines' paint on PNT-02 this Wednesday and Thursday.
   */
  async function plannedAhead(s: ServerStore) {
    const product = products.get('BRK-100')!;
    const routing = (typeof product.routing === 'string' ? JSON.parse(product.routing) : product.routing) as { name: string; departmentId: string; plannedMinutes: number }[];
    const monday = mondayOf(new Date(nowMs).toISOString().slice(0, 10));
    const slot = (day: string, hhmm: string) => `${day}T${hhmm}:00.000Z`;
    const assembly = [0, 1, 2, 3, 4, 4].map((d, i) => slot(addDays(monday, 7 + d), i === 5 ? '13:30' : '06:00'));
    const paint = [slot(addDays(monday, 2), '06:00'), slot(addDays(monday, 3), '06:00')];
    const orderId = uuidv7();
    const depts = [...new Set(routing.map((r) => r.departmentId))];
    const quantity = 1250;
    await s.insert('orders', {
      id: orderId, number: await s.nextNumber('ORD'), customerName: 'Bosch Rexroth', externalRef: null, dueDate: addDays(monday, 18), priority: 3, status: 'draft',
      holdReason: null, statusBeforeHold: null, source: 'manual', notes: null, departmentIds: depts, completedAt: null,
    });
    for (let line = 0; line < 6; line++) {
      const itemId = uuidv7();
      await s.insert('orderItems', { id: itemId, orderId, productId: product.id, quantity, goodQty: 0, rejectQty: 0, departmentIds: depts });
      for (const [i, r] of routing.entries()) {
        const minutes = r.plannedMinutes * Math.max(1, Math.round(quantity / 250));
        const start = i === 2 ? assembly[line] : i === 1 && line < 2 ? paint[line] : null;
        await s.insert('stages', {
          id: uuidv7(), orderId, orderItemId: itemId, sequence: i + 1, name: r.name, departmentId: r.departmentId,
          machineId: i === 2 ? machines.get('ASM-01')! : i === 1 && line < 2 ? machines.get('PNT-02')! : null, plannedMinutes: minutes,
          scheduledStart: start, scheduledEnd: start ? new Date(Date.parse(start) + minutes * MIN).toISOString() : null, assigneeId: null,
          status: 'pending', statusBeforeBlock: null, goodQty: 0, rejectQty: 0, downtimeMinutes: 0, startedAt: null, completedAt: null,
        });
      }
    }
  }
}
