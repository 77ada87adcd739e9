// CSV exports of the lists managers and supervisors read: GET /api/<list>/export.csv with the same
// filters as the screen (query parameters named as docs/api.md lists) and the user's department scope
// (server/db/scope.ts, the rule the device's copy is made with). Streamed (server/http/csv.ts):
// a page of rows is read from the database only when the previous chunk has gone out.
import { orderRefs } from './exports.repository';
import { ActionsCsvQuery, exportActions, exportNcrs, exportReturns, exportSopTickets, NcrsCsvQuery, ReturnsCsvQuery, SopCsvQuery } from './lists';
import { Hono } from 'hono';
import * as v from 'valibot';
import type { AppEnv } from '../context';
import { requireRole, requireUser } from '../http/auth';
import { csvStream } from '../http/csv';
import { exportCsv, lookups, mapRows, scopedRows, type Row } from './export-csv';
import { SLA_OPEN_STATUSES, slaState } from '../../sync/sla';
import type { MaintenanceTicket } from '../../sync/tables';
import { query } from '../http/errors';
import { describeRoute } from '../http/openapi';
import { mayViewAudit } from '../../sync/permissions';
import { IsoDate, IsoTime } from '../../sync/protocol';
import { ROLES } from '../../sync/roles';
import { addDays, mondayOf } from '../../sync/kpi';

/** The screens' filter chips, by the name the screen shows (client/features/*). */
export const ORDER_VIEWS = { Open: 'open', Late: 'late', 'Due this week': 'due_week', Draft: 'draft', Released: 'released', 'In progress': 'in_progress', 'On hold': 'on_hold', Completed: 'completed', Cancelled: 'cancelled', All: 'all' } as const;
export const STAGE_VIEWS = { now: ['running', 'paused', 'ready'], active: ['running', 'paused'], open: ['ready', 'running', 'paused', 'blocked', 'pending'] } as const;
export const REJECT_VIEWS = { Open: ['open', 'under_review', 'disputed'], Approved: ['approved'], Closed: ['closed'], All: ['open', 'under_review', 'approved', 'disputed', 'closed'] } as const;
export const TICKET_VIEWS = { Open: ['open', 'assigned', 'in_progress', 'on_hold'], Done: ['completed', 'verified'], Cancelled: ['cancelled'], All: ['open', 'assigned', 'in_progress', 'on_hold', 'completed', 'verified', 'cancelled'] } as const;

const Id = v.pipe(v.string(), v.maxLength(36));
const Search = v.pipe(v.string(), v.maxLength(100));

export const OrdersCsvQuery = v.strictObject({
  show: v.optional(v.picklist(Object.keys(ORDER_VIEWS) as (keyof typeof ORDER_VIEWS)[]), 'Open'),
  q: v.optional(Search),
  /** The device's local day, for "Late" (the screen's own day); the server's UTC day when absent. */
  today: v.optional(IsoDate),
});
export const StagesCsvQuery = v.strictObject({
  show: v.optional(v.picklist(Object.keys(STAGE_VIEWS) as (keyof typeof STAGE_VIEWS)[]), 'now'),
  departmentId: v.optional(Id),
});
/** The Rejects list's period presets: days back from today ('0' today, '6' the last 7 days, '29' the last 30). */
export const REJECT_PERIODS = ['0', '6', '29'] as const;
export const RejectsCsvQuery = v.strictObject({
  show: v.optional(v.picklist(Object.keys(REJECT_VIEWS) as (keyof typeof REJECT_VIEWS)[]), 'Open'),
  departmentId: v.optional(Id),
  machineId: v.optional(Id),
  defectCodeId: v.optional(Id),
  period: v.optional(v.picklist(REJECT_PERIODS, 'must be 0, 6 or 29 (days back from today)')),
  /** The start of the period as the device counts it (its local midnight, `period` days back); the server's UTC midnight when absent. */
  since: v.optional(IsoTime),
});
export const TicketsCsvQuery = v.strictObject({
  show: v.optional(v.picklist(Object.keys(TICKET_VIEWS) as (keyof typeof TICKET_VIEWS)[]), 'Open'),
  priority: v.optional(v.picklist(['1', '2', '3', '4'])),
  machineId: v.optional(Id),
  q: v.optional(Search),
  /** Open tickets whose running SLA clock has run out, or has less than 25 % of its target left (sync/sla.ts slaState). */
  sla: v.optional(v.picklist(['breached', 'near'], 'must be breached or near')),
});
export const AuditCsvQuery = v.strictObject({
  entity: v.optional(v.pipe(v.string(), v.maxLength(32))),
  entityId: v.optional(Id),
  userId: v.optional(Id),
  from: v.optional(IsoTime),
  to: v.optional(IsoTime),
});

/** UTC midnight `days` days before today: a period's start when the device did not send its own. */
const periodStart = (days: number) => new Date(Date.parse(`${new Date().toISOString().slice(0, 10)}T00:00:00.000Z`) - days * 86_400_000).toISOString();

async function* filterRows(rows: AsyncIterable<Row>, keep: (r: Row) => boolean): AsyncGenerator<Row> {
  for await (const r of rows) if (keep(r)) yield r;
}

const like = (text: string) => `%${text.trim().toLowerCase().replace(/[%_\\]/g, '')}%`;
const stamp = () => new Date().toISOString().slice(0, 10);
const ids = (text: unknown): string[] => {
  try {
    return typeof text === 'string' ? JSON.parse(text) : Array.isArray(text) ? text : [];
  } catch {
    return [];
  }
};

export const exportRoutes = new Hono<AppEnv>()
  .get('/orders/export.csv', describeRoute({ summary: 'Orders as CSV (the Orders list: show, search)', tags: ['Exports'], query: OrdersCsvQuery, csv: true }), requireUser, async (c) => {
    const f = query(c, OrdersCsvQuery);
    const { db } = c.get('deps');
    const l = await lookups(db);
    const today = f.today ?? new Date().toISOString().slice(0, 10);
    const view = ORDER_VIEWS[f.show];
    const rows = scopedRows(db, c.get('user'), 'orders', 'dueDate', 'asc', (q) => {
      if (view === 'open') q = q.where('status', 'not in', ['completed', 'cancelled']);
      else if (view === 'late') q = q.where('dueDate', '<', today).where('status', 'not in', ['completed', 'cancelled']);
      // The dashboard's "due this week": open orders due Monday to Sunday of the week holding today.
      else if (view === 'due_week') q = q.where('dueDate', '>=', mondayOf(today)).where('dueDate', '<=', addDays(mondayOf(today), 6)).where('status', 'not in', ['completed', 'cancelled']);
      else if (view !== 'all') q = q.where('status', '=', view);
      if (f.q?.trim()) {
        const s = like(f.q);
        q = q.where((eb: any) => eb.or(['number', 'customerName', 'externalRef'].map((k) => eb(eb.fn('lower', [k]), 'like', s))));
      }
      return q;
    });
    return csvStream(`orders-${stamp()}.csv`, ['Number', 'Customer', 'External ref', 'Status', 'Priority', 'Due date', 'Late', 'Hold reason', 'Departments', 'Source', 'Notes', 'Completed at', 'Created at'],
      mapRows(rows, (o) => [o.number, o.customerName, o.externalRef, o.status, o.priority, o.dueDate, o.dueDate < today && !['completed', 'cancelled'].includes(o.status) ? 'yes' : 'no', o.holdReason, ids(o.departmentIds).map(l.dept).join('; '), o.source, o.notes, o.completedAt, o.createdAt]));
  })
  .get('/stages/export.csv', describeRoute({ summary: 'Stages as CSV (the Stages list: show, department)', tags: ['Exports'], query: StagesCsvQuery, csv: true }), requireUser, async (c) => {
    const f = query(c, StagesCsvQuery);
    const { db } = c.get('deps');
    const l = await lookups(db);
    const orders = await orderRefs(db);
    const rows = scopedRows(db, c.get('user'), 'stages', 'createdAt', 'asc', (q) => {
      q = q.where('status', 'in', [...STAGE_VIEWS[f.show]]);
      return f.departmentId ? q.where('departmentId', '=', f.departmentId) : q;
    });
    return csvStream(`stages-${stamp()}.csv`, ['Order', 'Due date', 'Step', 'Stage', 'Department', 'Machine', 'Status', 'Planned minutes', 'Scheduled start', 'Scheduled end', 'Good', 'Rejected', 'Downtime minutes', 'Assignee', 'Started at', 'Completed at'],
      mapRows(rows, (s) => [orders.get(s.orderId)?.number ?? '', orders.get(s.orderId)?.dueDate ?? '', s.sequence, s.name, l.dept(s.departmentId), l.machine(s.machineId), s.status, s.plannedMinutes, s.scheduledStart, s.scheduledEnd, s.goodQty, s.rejectQty, s.downtimeMinutes, l.user(s.assigneeId), s.startedAt, s.completedAt]));
  })
  .get('/rejects/export.csv', describeRoute({ summary: 'Rejects as CSV (the Rejects list: show, department, machine, defect code, period)', tags: ['Exports'], query: RejectsCsvQuery, csv: true }), requireUser, (c) => {
    const f = query(c, RejectsCsvQuery);
    return exportCsv(c, {
      name: 'rejects', table: 'rejects', sort: ['createdAt', 'desc'], where: (q) => {
        q = q.where('status', 'in', [...REJECT_VIEWS[f.show]]);
        if (f.departmentId) q = q.where('departmentId', '=', f.departmentId);
        if (f.machineId) q = q.where('machineId', '=', f.machineId);
        if (f.defectCodeId) q = q.where('defectCodeId', '=', f.defectCodeId);
        if (f.period) q = q.where('createdAt', '>=', f.since ? new Date(f.since).toISOString() : periodStart(Number(f.period)));
        return q;
      },
      columns: {
        Number: (r) => r.number, 'Created at': (r) => r.createdAt, Machine: (r, l) => l.machine(r.machineId), Department: (r, l) => l.dept(r.departmentId),
        Defect: (r, l) => l.defect(r.defectCodeId), Quantity: (r) => r.quantity, Product: (r, l) => l.product(r.productId), Description: (r) => r.description,
        'Reported by': (r, l) => l.user(r.reportedBy), Status: (r) => r.status, Disposition: (r) => r.disposition, 'Root cause': (r) => r.rootCause,
        'Corrective action': (r) => r.correctiveAction, 'Approved by': (r, l) => l.user(r.approvedBy), 'Approved at': (r) => r.approvedAt, 'Closed at': (r) => r.closedAt,
      },
    });
  })
  .get('/maintenance/export.csv', describeRoute({ summary: 'Maintenance tickets as CSV (the Maintenance list: show, priority, machine, search, SLA breached or near)', tags: ['Exports'], query: TicketsCsvQuery, csv: true }), requireUser, async (c) => {
    const f = query(c, TicketsCsvQuery);
    const { db } = c.get('deps');
    const l = await lookups(db);
    const rows = scopedRows(db, c.get('user'), 'maintenanceTickets', 'createdAt', 'desc', (q) => {
      q = q.where('status', 'in', [...TICKET_VIEWS[f.show]]);
      if (f.sla) q = q.where('status', 'in', [...SLA_OPEN_STATUSES]);
      if (f.priority) q = q.where('priority', '=', Number(f.priority));
      if (f.machineId) q = q.where('machineId', '=', f.machineId);
      if (f.q?.trim()) {
        const s = like(f.q);
        q = q.where((eb: any) => eb.or([eb(eb.fn('lower', ['number']), 'like', s), eb(eb.fn('lower', ['description']), 'like', s)]));
      }
      return q;
    });
    const now = new Date().toISOString();
    const shown = f.sla ? filterRows(rows, (t) => slaState(t as MaintenanceTicket, now) === f.sla) : rows;
    return csvStream(`maintenance-${stamp()}.csv`, ['Number', 'Created at', 'Machine', 'Department', 'Type', 'Priority', 'Description', 'Reported by', 'Assignee', 'Status', 'Response due', 'Resolution due', 'Responded at', 'Completed at', 'Verified at', 'Downtime minutes', 'Work done', 'Parts used'],
      mapRows(shown, (t) => [t.number, t.createdAt, l.machine(t.machineId), l.dept(t.departmentId), t.type, t.priority, t.description, l.user(t.reportedBy), l.user(t.assigneeId), t.status, t.responseDueAt, t.resolutionDueAt, t.respondedAt, t.completedAt, t.verifiedAt, t.downtimeMinutes, t.workDone, t.partsUsed]));
  })
  // /api/audit/* already requires a session (server/app.ts).
  .get('/audit/export.csv', describeRoute({ summary: 'Audit entries as CSV (the audit filters: entity, entityId, userId, from, to)', tags: ['Exports'], query: AuditCsvQuery, csv: true }), requireRole(...ROLES.filter(mayViewAudit)), async (c) => {
    const f = query(c, AuditCsvQuery);
    const rows = scopedRows(c.get('deps').db, null, 'auditLog', 'at', 'desc', (q) => {
      if (f.entity) q = q.where('entity', '=', f.entity);
      if (f.entityId) q = q.where('entityId', '=', f.entityId);
      if (f.userId) q = q.where('userId', '=', f.userId);
      if (f.from) q = q.where('at', '>=', new Date(f.from).toISOString());
      if (f.to) q = q.where('at', '<=', new Date(f.to).toISOString());
      return q;
    });
    return csvStream(`audit-${stamp()}.csv`, ['At', 'User', 'Change', 'Entity', 'Entity id', 'Outcome', 'Code', 'Message', 'Base version', 'Result version', 'Before', 'After', 'Client', 'Device time', 'IP'],
      mapRows(rows, (e) => [e.at, e.username, e.mutationName, e.entity, e.entityId, e.outcome, e.code, e.message, e.baseVersion, e.resultVersion, e.before, e.after, e.clientId, e.clientAt, e.ip]));
  })
  // issue 15 §3: the quality and SOP lists (server/exports/lists.ts has their filters and columns).
  .get('/returns/export.csv', describeRoute({ summary: 'Customer returns as CSV (the Returns list: show, search)', tags: ['Exports'], query: ReturnsCsvQuery, csv: true }), requireUser, (c) => exportReturns(c, query(c, ReturnsCsvQuery)))
  .get('/actions/export.csv', describeRoute({ summary: 'Corrective actions as CSV (My actions and the actions of a reject, return or NCR: show, owner, source)', tags: ['Exports'], query: ActionsCsvQuery, csv: true }), requireUser, (c) => exportActions(c, query(c, ActionsCsvQuery)))
  .get('/sop/export.csv', describeRoute({ summary: 'SOP tickets as CSV (the SOP list: show, closed too)', tags: ['Exports'], query: SopCsvQuery, csv: true }), requireUser, (c) => exportSopTickets(c, query(c, SopCsvQuery)))
  .get('/ncrs/export.csv', describeRoute({ summary: 'Non-conformance reports as CSV (status)', tags: ['Exports'], query: NcrsCsvQuery, csv: true }), requireUser, (c) => exportNcrs(c, query(c, NcrsCsvQuery)));
