// The demo plant's maintenance (issue 13): preventive plans (one due today), tickets near and past
// their SLA, one on hold waiting for parts, and months of history on PRS-01 for MTTR and MTBF.
import { uuidv7 } from '../../sync/ids';
import { DEFAULT_SLA } from '../../sync/maintenance';
import { dueTimes } from '../../sync/sla';
import type { ChecklistTick, MaintenanceTicket } from '../../sync/tables';
import type { NewRow } from '../../sync/store';
import type { Db } from '../db/db';
import { auditedWrite } from '../sync/write';
import type { ServerStore } from '../sync/server-store';

const H = 3_600_000;
const D = 24 * H;

export async function seedMaintenance(db: Db): Promise<void> {
  const machines = new Map((await db.selectFrom('machines').select(['id', 'code', 'departmentId', 'hoursPerDay']).execute()).map((m) => [m.code, m]));
  const users = new Map((await db.selectFrom('users').select(['id', 'username']).execute()).map((u) => [u.username, u.id]));
  if (!machines.size || !users.size) return;
  const tech = users.get('technician')!;
  const nowMs = Date.now();
  const at = (offsetMs: number) => new Date(nowMs + offsetMs).toISOString();

  await db.transaction().execute((trx) => auditedWrite(trx, { actor: { id: uuidv7(), username: null }, system: true, name: 'seed.maintenance' }, async (s) => {
    const plans: [string, string, number | null, number | null, number, string[], 'active' | 'paused'][] = [
      // code, task, days, run hours, due in (ms), checklist, status
      // Due today, on a machine no stage runs on: the job opens its ticket at the server's start.
      ['PRS-03', 'Lubricate the slide and check the hydraulic oil', 7, null, 2 * H, ['Oil level between the marks', 'Grease the slide gibs', 'Check the hoses for leaks', 'Note the oil temperature'], 'active'],
      ['PRS-01', 'Check the clutch and brake', 14, null, 6 * D, ['Brake stopping time', 'Clutch air pressure', 'Note the stopping angle'], 'active'],
      ['PNT-01', 'Replace the booth filters', 30, null, 4 * D, ['Ceiling filters replaced', 'Floor grates cleaned', 'Airflow reading at the door'], 'active'],
      ['PRS-02', 'Inspect the die cushion and accumulators', null, 250, 9 * D, ['Accumulator pre-charge pressure', 'Cushion stroke smooth'], 'active'],
      ['ASM-01', 'Calibrate the torque tools', 90, null, 20 * D, ['Tool 1 within ±4 %', 'Tool 2 within ±4 %', 'Certificates filed'], 'active'],
      ['PNT-02', 'Clean the powder recovery cyclone', 14, null, 3 * D, ['Cyclone emptied', 'Sieve checked'], 'paused'],
    ];
    let planOfPrs01 = '';
    for (const [code, task, days, hours, dueIn, list, status] of plans) {
      const m = machines.get(code)!;
      const id = uuidv7();
      if (code === 'PRS-01') planOfPrs01 = id;
      await s.insert('preventivePlans', {
        id, machineId: m.id, departmentId: m.departmentId, task, intervalDays: days, intervalHours: hours, priority: 3,
        checklist: list.map((text, i) => ({ text, required: i < list.length - 1 || list.length < 3 })), nextDueAt: at(dueIn), lastDoneAt: code === 'PRS-01' ? at(dueIn - 14 * D) : null, status,
      });
    }

    // [code, type, priority, raised (ms ago), status, responded (ms ago), completed (ms ago), hold, downtime, description]
    type Spec = { code: string; type: 'corrective' | 'preventive'; priority: number; raised: number; status: MaintenanceTicket['status']; responded?: number; completed?: number; held?: number; downtime?: number; text: string; parts?: string; work?: string; planId?: string; checklist?: ChecklistTick[] };
    const specs: Spec[] = [
      // Near breach: response due in 15 minutes.
      { code: 'PRS-03', type: 'corrective', priority: 2, raised: 3.75 * H, status: 'open', text: 'Light curtain trips at random; press stops mid-stroke.' },
      // Past breach: assigned 30 hours ago and never started.
      { code: 'ASM-01', type: 'corrective', priority: 2, raised: 30 * H, status: 'assigned', text: 'Screwdriver station 2 loses torque after a few cycles.' },
      // Being repaired (the machine is down), responded late.
      { code: 'PNT-02', type: 'corrective', priority: 1, raised: 2 * H, status: 'in_progress', responded: 0.5 * H, text: 'Conveyor chain jumped the drive sprocket.' },
      // On hold waiting for parts for two days: the resolution clock stood still meanwhile.
      { code: 'ASM-02', type: 'corrective', priority: 3, raised: 4 * D, status: 'on_hold', responded: 3.8 * D, held: 2 * D, text: 'Pneumatic cylinder on the gripper leaks.' },
      // History on PRS-01: three repairs and a preventive round.
      { code: 'PRS-01', type: 'corrective', priority: 2, raised: 55 * D, status: 'verified', responded: 55 * D - 1 * H, completed: 55 * D - 2 * H, downtime: 60, text: 'Die clamp does not release.', work: 'Replaced the clamp valve.', parts: '1 × clamp valve 24 V' },
      { code: 'PRS-01', type: 'corrective', priority: 1, raised: 30 * D, status: 'verified', responded: 30 * D - 0.5 * H, completed: 30 * D - 2.5 * H, downtime: 120, text: 'Main motor trips on overload.', work: 'Cleaned the cooling fins, reset the overload.', parts: '' },
      { code: 'PRS-01', type: 'corrective', priority: 3, raised: 9 * D, status: 'completed', responded: 9 * D - 3 * H, completed: 9 * D - 3.5 * H, downtime: 30, text: 'Lubrication pump alarm.', work: 'Refilled the reservoir, bled the line.', parts: '2 l slide oil' },
      { code: 'PRS-01', type: 'preventive', priority: 3, raised: 8 * D + 4 * H, status: 'completed', responded: 8 * D + 1 * H, completed: 8 * D, text: 'Check the clutch and brake', planId: planOfPrs01 },
    ];
    for (const t of specs) await ticket(s, machines.get(t.code)!, t, tech, at, users);
    for (const code of ['PNT-02', 'ASM-02']) await s.update('machines', machines.get(code)!.id, { status: 'down' });
    return { table: null, id: null, message: 'demo maintenance loaded' };
  }));

  async function ticket(s: ServerStore, m: { id: string; departmentId: string; hoursPerDay: number }, t: {
    type: string; priority: number; raised: number; status: MaintenanceTicket['status']; responded?: number; completed?: number; held?: number; downtime?: number; text: string; parts?: string; work?: string; planId?: string;
  }, techId: string, at: (ms: number) => string, users: Map<string, string>) {
    const id = uuidv7();
    const raisedAt = at(-t.raised);
    const due = dueTimes(raisedAt, t.priority, DEFAULT_SLA);
    const checklist: ChecklistTick[] = t.planId
      ? ['Brake stopping time', 'Clutch air pressure', 'Note the stopping angle'].map((text, i) => ({ text, required: i < 2, done: true, by: techId, at: at(-(t.completed ?? 0) - 600_000), note: null, reading: i === 0 ? '180 ms' : i === 2 ? '12°' : null }))
      : [];
    const row: NewRow<'maintenanceTickets'> = {
      id, number: await s.nextNumber('MT'), machineId: m.id, departmentId: m.departmentId, type: t.type, priority: t.priority, description: t.text,
      reportedBy: users.get(t.type === 'preventive' ? 'manager' : 'operator.press') ?? techId, assigneeId: t.status === 'open' ? null : techId,
      status: t.status, ...due, respondedAt: t.responded !== undefined ? at(-t.responded) : null, completedAt: t.completed !== undefined ? at(-t.completed) : null,
      verifiedAt: t.status === 'verified' ? at(-(t.completed ?? 0) + H) : null, downtimeMinutes: t.downtime ?? 0, workDone: t.work ?? '', partsUsed: t.parts ?? '',
      raisedAt, holdReason: t.held ? 'waiting_parts' : null, pausedSeconds: 0, pausedSince: t.held ? at(-t.held) : null,
      planId: t.planId ?? null, planDueAt: t.planId ? at(-(t.completed ?? 0) + 2 * H) : null, checklist,
    };
    await s.insert('maintenanceTickets', row);
    const ev = async (kind: string, when: string, fromStatus: string | null, toStatus: string | null, note: string | null, reason: string | null = null) =>
      s.insert('maintenanceEvents', { id: uuidv7(), ticketId: id, machineId: m.id, departmentId: m.departmentId, kind, fromStatus, toStatus, note, userId: kind === 'created' ? row.reportedBy : techId, at: when, reason, item: null, reading: null });
    await ev('created', raisedAt, null, 'open', t.text);
    if (t.status === 'open') return;
    await ev('transition', at(-t.raised + 60_000), 'open', 'assigned', null);
    if (t.responded === undefined) return;
    await ev('transition', at(-t.responded), 'assigned', 'in_progress', null);
    if (t.held) await ev('transition', at(-t.held), 'in_progress', 'on_hold', 'Waiting for parts', 'waiting_parts');
    if (t.completed !== undefined) await ev('transition', at(-t.completed), 'in_progress', 'completed', t.work ?? null);
    if (t.status === 'verified') await ev('transition', at(-t.completed! + H), 'completed', 'verified', null);
  }
}
