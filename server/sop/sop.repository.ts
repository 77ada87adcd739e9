// All SQL of the SOP module: the escalation job's candidates and the SOP report.
import { DEFAULT_ESCALATE_AFTER_MINUTES, ESCALATES_TO_HEAD, ESCALATES_TO_MANAGERS, SOP_CONFIG } from '../../sync/sop';
import type { Db } from '../db/db';
import { readConfig } from '../sync/sync.repository';

/** Tickets still at level 0, unanswered past their due time. */
export async function dueForHead(db: Db, now: string): Promise<string[]> {
  const rows = await db.selectFrom('sopTickets').select('id')
    .where('deletedAt', 'is', null).where('escalationLevel', '=', 0)
    .where('status', 'in', [...ESCALATES_TO_HEAD]).where('dueAt', '<=', now)
    .orderBy('dueAt').execute();
  return rows.map((r) => r.id);
}

/** Tickets at level 1 escalated at or before `escalatedBefore`, still without an NCR (the mutator checks the NCR). */
export async function dueForManagers(db: Db, escalatedBefore: string): Promise<string[]> {
  const rows = await db.selectFrom('sopTickets').select('id')
    .where('deletedAt', 'is', null).where('escalationLevel', '=', 1)
    .where('status', 'in', [...ESCALATES_TO_MANAGERS]).where('escalatedAt', '<=', escalatedBefore)
    .where((eb) => eb.not(eb.exists(eb.selectFrom('ncrReports').select('ncrReports.id')
      .whereRef('ncrReports.sourceId', '=', 'sopTickets.id').where('ncrReports.sourceType', '=', 'sop')
      .where('ncrReports.status', 'in', ['submitted', 'approved']))))
    .orderBy('escalatedAt').execute();
  return rows.map((r) => r.id);
}

export async function escalateAfterMinutes(db: Db): Promise<number> {
  const n = await readConfig(db, SOP_CONFIG.escalateAfterMinutes);
  return typeof n === 'number' && n >= 0 ? n : DEFAULT_ESCALATE_AFTER_MINUTES;
}

/** The tickets raised in [from, to] (ISO times), with what the report needs. */
export async function ticketsRaisedBetween(db: Db, from: string, to: string) {
  return db.selectFrom('sopTickets')
    .innerJoin('departments', 'departments.id', 'sopTickets.againstDepartmentId')
    .innerJoin('sops', 'sops.id', 'sopTickets.sopId')
    .select([
      'sopTickets.id', 'sopTickets.severity', 'sopTickets.status', 'sopTickets.escalationLevel', 'sopTickets.dueAt',
      'sopTickets.respondedAt', 'sopTickets.closedAt', 'sopTickets.createdAt', 'sopTickets.againstDepartmentId',
      'departments.code as departmentCode', 'departments.name as departmentName', 'sopTickets.sopId', 'sops.code as sopCode', 'sops.title as sopTitle',
    ])
    .where('sopTickets.deletedAt', 'is', null)
    .where('sopTickets.createdAt', '>=', from).where('sopTickets.createdAt', '<=', to)
    .execute();
}
