// GET /api/reports/quality (issue 11 §5): Pareto of reject quantity by defect code, machine and
// department; scrap rate and first-pass yield overall and per product, department and week.
// Managers see the plant, a supervisor their own department; `format=csv` downloads the tables.
import { describeRoute } from '../http/openapi';
import { Hono } from 'hono';
import * as v from 'valibot';
import type { AppEnv } from '../context';
import { AppError, query } from '../http/errors';
import { requireRole } from '../http/auth';
import { csvResponse } from '../http/csv';
import { IsoDate, Uuid } from '../../sync/protocol';
import { LEADS, type Actor } from '../../sync/roles';
import { firstPassYield, isoWeek, pareto, scrapRate, weekStart, yieldRows, type QualityReport } from '../../sync/quality-report';
import type { Db } from '../db/db';
import { countedParts, labels, rejectsIn } from './reports.repository';

/** The longest period one report covers. */
export const MAX_REPORT_DAYS = 366;

const ReportQuery = v.pipe(
  v.strictObject({
    from: IsoDate,
    to: IsoDate,
    departmentId: v.optional(Uuid),
    productId: v.optional(Uuid),
    format: v.optional(v.picklist(['json', 'csv'], 'must be json or csv'), 'json'),
  }, 'has a field that is not allowed'),
  v.forward(v.check((q) => q.from <= q.to, 'must not be after "to"'), ['from']),
  v.forward(v.check((q) => (Date.parse(q.to) - Date.parse(q.from)) / 86_400_000 < MAX_REPORT_DAYS, `covers at most ${MAX_REPORT_DAYS} days`), ['to']),
);

const nextDay = (day: string) => new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString();
const unknown = (what: string) => `(no ${what})`;

export async function qualityReport(db: Db, user: Actor, q: { from: string; to: string; departmentId?: string; productId?: string }, now = new Date()): Promise<QualityReport> {
  let departmentId = q.departmentId ?? null;
  if (user.role === 'supervisor') {
    if (departmentId && departmentId !== user.departmentId) throw new AppError(403, 'forbidden', 'A supervisor sees the quality report of their own department only.', [{ field: 'departmentId', message: 'is another department' }]);
    departmentId = user.departmentId ?? '';
  }
  const filter = { fromAt: `${q.from}T00:00:00.000Z`, toAt: nextDay(q.to), departmentId, productId: q.productId ?? null };
  const [parts, rejects, names] = await Promise.all([countedParts(db, filter), rejectsIn(db, filter), labels(db)]);
  const label = (m: Map<string, string>, id: string | null, what: string) => (id ? (m.get(id) ?? id) : unknown(what));
  const weekLabel = (w: string) => `${w} (from ${weekStart(w)})`;

  const counted = parts.map((p) => ({ unitsIn: Number(p.goodQty) + Number(p.rejectQty), departmentId: p.departmentId, productId: p.productId, week: isoWeek(p.at) }));
  const judged = rejects.map((r) => ({
    ...r, quantity: Number(r.quantity), week: isoWeek(r.createdAt),
    scrapped: r.disposition === 'scrap' ? Number(r.quantity) : 0, reworked: r.disposition === 'rework' ? Number(r.quantity) : 0,
  }));
  const slices = (keyOf: (x: { departmentId: string | null; productId: string | null; week: string }) => string | null, labelOf: (k: string | null) => string) =>
    yieldRows([
      ...counted.map((c) => { const k = keyOf(c); return { key: k ?? '', label: labelOf(k), unitsIn: c.unitsIn }; }),
      ...judged.map((r) => { const k = keyOf(r); return { key: k ?? '', label: labelOf(k), scrapped: r.scrapped, reworked: r.reworked }; }),
    ]).sort((a, b) => a.label.localeCompare(b.label));

  const unitsIn = counted.reduce((n, c) => n + c.unitsIn, 0);
  const scrapped = judged.reduce((n, r) => n + r.scrapped, 0);
  const reworked = judged.reduce((n, r) => n + r.reworked, 0);
  return {
    from: q.from, to: q.to, departmentId, productId: filter.productId, generatedAt: now.toISOString(),
    pareto: {
      byDefectCode: pareto(judged.map((r) => ({ key: r.defectCodeId, label: label(names.defect, r.defectCodeId, 'defect code'), quantity: r.quantity }))),
      byMachine: pareto(judged.map((r) => ({ key: r.machineId, label: label(names.machine, r.machineId, 'machine'), quantity: r.quantity }))),
      byDepartment: pareto(judged.map((r) => ({ key: r.departmentId, label: label(names.department, r.departmentId, 'department'), quantity: r.quantity }))),
    },
    scrapRate: scrapRate(scrapped, unitsIn),
    firstPassYield: firstPassYield(unitsIn, scrapped, reworked),
    totals: { unitsIn, scrapped, reworked, rejected: judged.reduce((n, r) => n + r.quantity, 0), rejects: judged.length },
    byProduct: slices((x) => x.productId, (k) => label(names.product, k, 'product')),
    byDepartment: slices((x) => x.departmentId, (k) => label(names.department, k, 'department')),
    byWeek: slices((x) => x.week, (k) => weekLabel(k ?? '')),
  };
}

/** The report as one CSV: a section column names the table each row belongs to. */
function reportCsv(r: QualityReport) {
  const rows: unknown[][] = [['section', 'key', 'label', 'quantity', 'cumulative %', 'units in', 'scrapped', 'reworked', 'scrap rate', 'first-pass yield']];
  for (const [name, list] of [['Pareto by defect code', r.pareto.byDefectCode], ['Pareto by machine', r.pareto.byMachine], ['Pareto by department', r.pareto.byDepartment]] as const) {
    for (const p of list) rows.push([name, p.key, p.label, p.quantity, p.cumulativePct, '', '', '', '', '']);
  }
  for (const [name, list] of [['By product', r.byProduct], ['By department', r.byDepartment], ['By week', r.byWeek]] as const) {
    for (const y of list) rows.push([name, y.key, y.label, '', '', y.unitsIn, y.scrapped, y.reworked, y.scrapRate ?? '', y.firstPassYield ?? '']);
  }
  rows.push(['Total', '', `${r.from} to ${r.to}`, r.totals.rejected, '', r.totals.unitsIn, r.totals.scrapped, r.totals.reworked, r.scrapRate ?? '', r.firstPassYield ?? '']);
  return rows;
}

export const reportRoutes = new Hono<AppEnv>()
  .get('/quality', describeRoute({ summary: 'Quality report: Pareto by defect code, machine and department; scrap rate; first-pass yield', tags: ['Reports'] }), requireRole(...LEADS), async (c) => {
    const q = query(c, ReportQuery);
    const report = await qualityReport(c.get('deps').db, c.get('user'), q);
    if (q.format === 'csv') return csvResponse(`quality-${q.from}-${q.to}.csv`, reportCsv(report));
    return c.json<QualityReport>(report);
  });
