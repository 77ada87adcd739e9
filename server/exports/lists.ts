// CSV exports of the quality and SOP lists (issue 15 §3): customer returns, corrective actions, SOP
// tickets and NCRs — each with its screen's filters (named as the list's URL parameters, docs/api.md
// "List URLs") and the user's department scope, streamed in keyset pages like every export.
import type { Context } from 'hono';
import * as v from 'valibot';
import type { AppEnv } from '../context';
import type { Db } from '../db/db';
import { csvStream } from '../http/csv';
import { IsoDate } from '../../sync/protocol';
import { CORRECTIVE_ACTION, CUSTOMER_RETURN, NCR } from '../../sync/state-machines';
import { lookups, mapRows, scopedRows, type Row } from './export-csv';
import { numbersOf, orderRefs, productIdsBySku, sopNames } from './exports.repository';

const Id = v.pipe(v.string(), v.maxLength(36));
const Search = v.pipe(v.string(), v.maxLength(100));
const like = (text: string) => `%${text.trim().toLowerCase().replace(/[%_\\]/g, '')}%`;
const stamp = () => new Date().toISOString().slice(0, 10);
const day = () => new Date().toISOString().slice(0, 10);

/** The Returns list's chips (client/features/quality/return-list.tsx). */
export const RETURN_VIEWS = { Open: ['received', 'investigating', 'resolved'], Closed: ['closed'], All: [...CUSTOMER_RETURN.states] } as const;
/** My actions' chips (client/features/quality/my-actions.page.tsx), plus Overdue and All for a lead's export. */
export const ACTION_VIEWS = { 'To do': ['open'], 'Waiting for verification': ['done'], Verified: ['verified'], Overdue: ['open'], All: [...CORRECTIVE_ACTION.states] } as const;
/** The SOP list's chips (client/features/sop/sop-list.tsx); Overdue: open or acknowledged past the answer's due time. */
export const SOP_VIEWS = ['Mine', "My department's", 'Escalated to me', 'All', 'Overdue'] as const;
export type SopView = (typeof SOP_VIEWS)[number];
const SOP_DONE = ['closed', 'rejected'];

export const ReturnsCsvQuery = v.strictObject({
  show: v.optional(v.picklist(Object.keys(RETURN_VIEWS) as (keyof typeof RETURN_VIEWS)[]), 'Open'),
  q: v.optional(Search),
});
export const ActionsCsvQuery = v.strictObject({
  show: v.optional(v.picklist(Object.keys(ACTION_VIEWS) as (keyof typeof ACTION_VIEWS)[]), 'All'),
  /** My actions passes the user's own id. */
  ownerId: v.optional(Id),
  sourceType: v.optional(v.picklist(['reject', 'return', 'ncr'])),
  /** The actions of one reject, return or NCR (its page's list). */
  sourceId: v.optional(Id),
  /** The device's local day, for Overdue; the server's UTC day when absent. */
  today: v.optional(IsoDate),
});
export const SopCsvQuery = v.strictObject({
  /** Default as the screen: "My department's" for a user with a department, else "All". */
  show: v.optional(v.picklist(SOP_VIEWS)),
  /** "Closed too": closed and rejected tickets as well. */
  closed: v.optional(v.picklist(['1', '0'], 'must be 1 or 0')),
});
export const NcrsCsvQuery = v.strictObject({
  status: v.optional(v.picklist(NCR.states)),
});

/** Rows in batches of a page, each batch passed through `f` (one query per page for the names it needs). */
async function* perPage(rows: AsyncIterable<Row>, f: (batch: Row[]) => Promise<unknown[][]>, size = 1000): AsyncGenerator<unknown[]> {
  let batch: Row[] = [];
  for await (const r of rows) {
    batch.push(r);
    if (batch.length >= size) { yield* await f(batch); batch = []; }
  }
  if (batch.length) yield* await f(batch);
}

type SourceTable = 'rejects' | 'customerReturns' | 'ncrReports' | 'sopTickets';
/** The numbers of the sources (`sourceType` → table) of a batch of rows with `sourceType` and `sourceId`: one query per source type. */
async function sourceNumbers(db: Db, batch: Row[], tables: Record<string, SourceTable>): Promise<Map<string, string | null>> {
  const out = new Map<string, string | null>();
  for (const [type, table] of Object.entries(tables)) {
    const ids = [...new Set(batch.filter((a) => a.sourceType === type).map((a) => a.sourceId as string))];
    if (!ids.length) continue;
    for (const r of await numbersOf(db, table, ids)) out.set(r.id, r.number);
  }
  return out;
}

export async function exportReturns(c: Context<AppEnv>, f: v.InferOutput<typeof ReturnsCsvQuery>) {
  const { db } = c.get('deps');
  const l = await lookups(db);
  const orders = await orderRefs(db);
  const s = f.q?.trim() ? like(f.q) : null;
  const skus = s ? await productIdsBySku(db, s) : [];
  const rows = scopedRows(db, c.get('user'), 'customerReturns', 'receivedAt', 'desc', (q) => {
    q = q.where('status', 'in', [...RETURN_VIEWS[f.show]]);
    if (s) q = q.where((eb: any) => eb.or([...['number', 'customerName', 'reason'].map((k) => eb(eb.fn('lower', [k]), 'like', s)), ...(skus.length ? [eb('productId', 'in', skus)] : [])]));
    return q;
  });
  return csvStream(`returns-${stamp()}.csv`, ['Number', 'Received', 'Customer', 'Order', 'Product', 'Quantity', 'Reason', 'Status', 'Responsible department', 'Root cause', 'Corrective action', 'Credit value', 'Reported by', 'Resolved at', 'Closed at'],
    mapRows(rows, (r) => [r.number, r.receivedAt, r.customerName, r.orderId ? (orders.get(r.orderId)?.number ?? '') : '', l.product(r.productId), r.quantity, r.reason, r.status,
      l.dept(r.departmentId), r.rootCause, r.correctiveAction, r.creditValue, l.user(r.reportedBy), r.resolvedAt, r.closedAt]));
}

export async function exportActions(c: Context<AppEnv>, f: v.InferOutput<typeof ActionsCsvQuery>) {
  const { db } = c.get('deps');
  const l = await lookups(db);
  const today = f.today ?? day();
  const rows = scopedRows(db, c.get('user'), 'correctiveActions', 'dueDate', 'asc', (q) => {
    q = q.where('status', 'in', [...ACTION_VIEWS[f.show]]);
    if (f.show === 'Overdue') q = q.where('dueDate', '<', today);
    if (f.ownerId) q = q.where('ownerId', '=', f.ownerId);
    if (f.sourceType) q = q.where('sourceType', '=', f.sourceType);
    if (f.sourceId) q = q.where('sourceId', '=', f.sourceId);
    return q;
  });
  const SOURCE = { reject: 'Reject', return: 'Customer return', ncr: 'NCR' } as Record<string, string>;
  return csvStream(`actions-${stamp()}.csv`, ['Number', 'Source', 'Source number', 'Description', 'Owner', 'Due date', 'Overdue', 'Status', 'Done at', 'Done note', 'Sent back note', 'Verified by', 'Verified at', 'Created at'],
    perPage(rows, async (batch) => {
      const numbers = await sourceNumbers(db, batch, { reject: 'rejects', return: 'customerReturns', ncr: 'ncrReports' });
      return batch.map((a) => [a.number, SOURCE[a.sourceType] ?? a.sourceType, numbers.get(a.sourceId) ?? '', a.description, l.user(a.ownerId), a.dueDate,
        a.status === 'open' && a.dueDate < today ? 'yes' : 'no', a.status, a.doneAt, a.doneNote, a.reopenNote, l.user(a.verifiedBy), a.verifiedAt, a.createdAt]);
    }));
}

/** The SOP list's view as a WHERE, for `user` (the chips depend on who is looking). */
export function sopView(q: any, view: SopView, user: { id: string; role: string; departmentId: string | null }, now: string) {
  const managerLike = user.role === 'manager' || user.role === 'admin';
  if (view === 'Mine') return q.where('raisedBy', '=', user.id);
  if (view === "My department's") {
    if (!user.departmentId) return q.where('id', '=', ''); // the screen shows nothing without a department
    return q.where((eb: any) => eb.or([eb('againstDepartmentId', '=', user.departmentId), eb('raisedByDepartmentId', '=', user.departmentId)]));
  }
  if (view === 'Escalated to me') {
    return q.where((eb: any) => eb.or([
      eb('escalatedToId', '=', user.id),
      ...(managerLike ? [eb('escalationLevel', '>=', 2), eb.and([eb('escalationLevel', '=', 1), eb('escalatedToId', 'is', null)])] : []),
    ]));
  }
  if (view === 'Overdue') return q.where('status', 'in', ['open', 'acknowledged']).where('dueAt', '<', now);
  return q;
}

export async function exportSopTickets(c: Context<AppEnv>, f: v.InferOutput<typeof SopCsvQuery>) {
  const { db } = c.get('deps');
  const user = c.get('user');
  const l = await lookups(db);
  const sops = await sopNames(db);
  const now = new Date().toISOString();
  const view: SopView = f.show ?? (user.departmentId ? "My department's" : 'All');
  const rows = scopedRows(db, user, 'sopTickets', 'createdAt', 'desc', (q) => {
    q = sopView(q, view, user, now);
    return f.closed === '1' ? q : q.where('status', 'not in', SOP_DONE);
  });
  return csvStream(`sop-tickets-${stamp()}.csv`, ['Number', 'Raised at', 'SOP', 'Severity', 'Raised by', 'Raised by department', 'Against department', 'Machine', 'Description', 'Status', 'Answer due', 'Overdue', 'Escalation level', 'Escalated to', 'Escalated at', 'Responded at', 'Closed at'],
    mapRows(rows, (t) => [t.number, t.createdAt, sops.get(t.sopId) ?? '', t.severity, l.user(t.raisedBy), l.dept(t.raisedByDepartmentId), l.dept(t.againstDepartmentId), l.machine(t.machineId),
      t.description, t.status, t.dueAt, (t.status === 'open' || t.status === 'acknowledged') && t.dueAt < now ? 'yes' : 'no', Number(t.escalationLevel), l.user(t.escalatedToId), t.escalatedAt, t.respondedAt, t.closedAt]));
}

export async function exportNcrs(c: Context<AppEnv>, f: v.InferOutput<typeof NcrsCsvQuery>) {
  const { db } = c.get('deps');
  const l = await lookups(db);
  const orders = await orderRefs(db);
  const rows = scopedRows(db, c.get('user'), 'ncrReports', 'createdAt', 'desc', (q) => (f.status ? q.where('status', '=', f.status) : q));
  const SOURCE = { sop: 'SOP ticket', reject: 'Reject', return: 'Customer return' } as Record<string, string>;
  return csvStream(`ncrs-${stamp()}.csv`, ['Number', 'Created at', 'Source', 'Source number', 'What', 'Department', 'Machine', 'Order', 'Quantity affected', 'Containment', 'Root cause', 'Corrective action', 'Preventive action', 'Owner', 'Due date', 'Status', 'Submitted by', 'Submitted at', 'Approved by', 'Approved at', 'Return note', 'Created by'],
    perPage(rows, async (batch) => {
      const numbers = await sourceNumbers(db, batch, { sop: 'sopTickets', reject: 'rejects', return: 'customerReturns' });
      return batch.map((n) => [n.number, n.createdAt, SOURCE[n.sourceType] ?? n.sourceType, numbers.get(n.sourceId) ?? '', n.what, l.dept(n.departmentId), l.machine(n.machineId),
        n.orderId ? (orders.get(n.orderId)?.number ?? '') : '', n.quantityAffected, n.containment, n.rootCause, n.correctiveAction, n.preventiveAction, l.user(n.ownerId), n.dueDate,
        n.status, l.user(n.submittedBy), n.submittedAt, l.user(n.approvedBy), n.approvedAt, n.returnNote, l.user(n.createdBy)]);
    }));
}
