// The demo plant's SOP compliance (issue 12): a head for every department, a few SOP tickets in
// several states and one NCR waiting for approval. Called at the end of the demo seed.
import { uuidv7 } from '../../sync/ids';
import { DEFAULT_RESPONSE_MINUTES, DEFAULT_ESCALATE_AFTER_MINUTES, SOP_CONFIG, type Severity } from '../../sync/sop';
import type { HistoryEntry, SopTicket } from '../../sync/tables';
import type { Db } from '../db/db';
import { auditedWrite } from '../sync/write';
import { SYSTEM_ACTOR } from '../jobs/jobs';

const HEADS: Record<string, string> = { PRS: 'supervisor.press', PNT: 'head.paint', ASM: 'head.assembly', MNT: 'head.maintenance', QA: 'quality.lead' };

export async function seedSopNcr(db: Db): Promise<void> {
  const depts = Object.fromEntries((await db.selectFrom('departments').select(['id', 'code']).execute()).map((d) => [d.code, d.id]));
  const users = Object.fromEntries((await db.selectFrom('users').select(['id', 'username']).execute()).map((u) => [u.username, u.id]));
  const sops = Object.fromEntries((await db.selectFrom('sops').select(['id', 'code']).execute()).map((s) => [s.code, s.id]));
  const machines = Object.fromEntries((await db.selectFrom('machines').select(['id', 'code']).execute()).map((m) => [m.code, m.id]));
  await db.transaction().execute((trx) => auditedWrite(trx, { actor: { id: uuidv7(), username: null }, system: true, name: 'seed.sop' }, async (s, { now }) => {
    for (const [code, username] of Object.entries(HEADS)) if (depts[code] && users[username]) await s.update('departments', depts[code], { hodUserId: users[username] });
    for (const [key, value] of [[SOP_CONFIG.responseMinutes, DEFAULT_RESPONSE_MINUTES], [SOP_CONFIG.escalateAfterMinutes, DEFAULT_ESCALATE_AFTER_MINUTES]] as const) {
      await trx.insertInto('config').values({ key, value: JSON.stringify(value), updatedAt: now, updatedBy: null }).execute();
    }
    const ago = (minutes: number) => new Date(Date.parse(now) - minutes * 60_000).toISOString();
    type Seed = { by: string; from: string; against: string; sop: string; severity: Severity; text: string; machine?: string; status: SopTicket['status']; raisedMinutesAgo: number; level?: 0 | 1 };
    const tickets: Seed[] = [
      { by: 'operator.paint', from: 'PNT', against: 'PRS', sop: 'SOP-PRS-001', severity: 'high', machine: 'PRS-01', status: 'open', raisedMinutesAgo: 20,
        text: 'Brackets from PRS-01 arrive with burrs on the long edge: no first-off inspection after the die change.' },
      { by: 'operator.paint', from: 'PNT', against: 'PRS', sop: 'SOP-PRS-001', severity: 'critical', machine: 'PRS-02', status: 'open', raisedMinutesAgo: 90, level: 1,
        text: 'Housings with split corners delivered to the paint line; the batch was not quarantined.' },
      { by: 'head.assembly', from: 'ASM', against: 'PNT', sop: 'SOP-PNT-001', severity: 'medium', machine: 'PNT-01', status: 'acknowledged', raisedMinutesAgo: 300,
        text: 'Paint film too thin on panel doors: scratches through to the metal at assembly.' },
      { by: 'head.assembly', from: 'ASM', against: 'PRS', sop: 'SOP-PRS-001', severity: 'high', machine: 'PRS-02', status: 'ncr_required', raisedMinutesAgo: 2000,
        text: 'Hole pitch out of tolerance on three pallets of brackets; fasteners do not fit.' },
      { by: 'operator.press', from: 'PRS', against: 'PNT', sop: 'SOP-PNT-001', severity: 'low', status: 'rejected', raisedMinutesAgo: 4000,
        text: 'Paint racks left in the press aisle.' },
    ];
    let ncrTicket: { id: string; against: string; from: string; machine?: string; number: string | null } | undefined;
    for (const t of tickets) {
      const id = uuidv7();
      const at = ago(t.raisedMinutesAgo);
      const by = users[t.by];
      const head = users[HEADS[t.against]];
      const history: HistoryEntry[] = [{ at, userId: by, kind: 'raised', to: 'open', note: t.text }];
      const answered = ago(t.raisedMinutesAgo - 10);
      if (t.status !== 'open') history.push({ at: answered, userId: head, kind: 'transition', from: 'open', to: t.status === 'rejected' ? 'rejected' : 'acknowledged', note: t.status === 'rejected' ? 'Not an SOP breach: the aisle is shared and marked for racks.' : null });
      if (t.status === 'ncr_required') history.push({ at: ago(t.raisedMinutesAgo - 30), userId: head, kind: 'transition', from: 'acknowledged', to: 'ncr_required', note: 'Second time this month: we will write an NCR.' });
      const dueAt = new Date(Date.parse(at) + DEFAULT_RESPONSE_MINUTES[t.severity] * 60_000).toISOString();
      const escalated = t.level === 1 ? ago(t.raisedMinutesAgo - DEFAULT_RESPONSE_MINUTES[t.severity]) : null;
      if (escalated) history.push({ at: escalated, userId: SYSTEM_ACTOR.id, kind: 'escalated', from: '0', to: '1', note: "Escalated by the system to the head of Press: not answered by its due time." });
      const number = await s.nextNumber('SOP');
      await s.insert('sopTickets', {
        id, number, sopId: sops[t.sop], raisedBy: by, raisedByDepartmentId: depts[t.from], againstDepartmentId: depts[t.against],
        severity: t.severity, description: t.text, machineId: t.machine ? machines[t.machine] : null, orderId: null, status: t.status,
        escalationLevel: t.level ?? 0, dueAt, escalatedAt: escalated, escalatedToId: escalated ? head : null,
        respondedAt: t.status === 'open' ? null : answered, closedAt: null, history,
      });
      if (escalated) {
        await s.insert('notifications', {
          id: uuidv7(), userId: head, kind: 'sop_escalated', title: `Escalated: SOP ticket ${number} against Press (${t.sop})`, body: t.text,
          entity: 'sopTickets', entityId: id, status: 'unread', at: escalated, readAt: null,
        });
      }
      if (t.status === 'ncr_required') ncrTicket = { id, against: t.against, from: t.from, machine: t.machine, number };
    }
    if (ncrTicket) {
      const ncrId = uuidv7();
      const owner = users['operator.press'];
      await s.insert('ncrReports', {
        id: ncrId, number: await s.nextNumber('NCR'), sourceType: 'sop', sourceId: ncrTicket.id,
        what: 'SOP-PRS-001 rev A: Die change and first-off inspection', departmentId: depts[ncrTicket.against],
        departmentIds: [depts[ncrTicket.against], depts[ncrTicket.from]], machineId: ncrTicket.machine ? machines[ncrTicket.machine] : null, orderId: null,
        quantityAffected: 1200, containment: 'Three pallets quarantined in the QA cage; stock in Assembly sorted with a go/no-go gauge.',
        rootCause: 'The first-off part after the die change on PRS-02 was not measured: the gauge was at calibration.',
        correctiveAction: 'Re-punch the sorted-out brackets; release only measured batches.',
        preventiveAction: 'A second hole-pitch gauge at PRS-02; the die-change checklist blocks start-up without a first-off record.',
        ownerId: owner, dueDate: new Date(Date.parse(now) + 14 * 86_400_000).toISOString().slice(0, 10), status: 'draft',
        submittedBy: null, submittedAt: null, approvedBy: null, approvedAt: null, returnNote: null, createdBy: users['supervisor.press'],
        history: [{ at: ago(1900), userId: users['supervisor.press'], kind: 'created', to: 'draft' }],
      });
    }
    return { table: null, id: null, message: 'demo SOP tickets and NCR loaded' };
  }));
}
