// /api/reports/maintenance (MTTR, MTBF, SLA and preventive compliance, backlog; JSON or CSV) and
// /api/maintenance/* (the SLA targets, a machine's whole history online).
import { describeRoute } from '../http/openapi';
import { Hono } from 'hono';
import * as v from 'valibot';
import { mayEditSla, mayReadMaintenanceReport } from '../../sync/permissions';
import { slaProblems } from '../../sync/sla';
import { DEFAULT_SLA } from '../../sync/maintenance';
import { Uuid } from '../../sync/protocol';
import type { AppEnv } from '../context';
import { csvResponse, toCsv } from '../http/csv';
import { AppError, body, params, query } from '../http/errors';
import { auditedWrite } from '../sync/write';
import { backlogByAge, kpis, type Kpis, type KpiTicket } from '../../sync/maintenance-kpi';
import * as repo from './maintenance.repository';

const Day = v.pipe(v.string(), v.regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date (YYYY-MM-DD)'), v.check((s) => !Number.isNaN(Date.parse(s)), 'must be a real date'));
const ReportQuery = v.pipe(
  v.object({
    from: v.optional(Day),
    to: v.optional(Day),
    departmentId: v.optional(Uuid),
    machineId: v.optional(Uuid),
    /** csv: a text/csv download; csv-json: the same file as {fileName, csv} for the app's JSON client (it adds the session). */
    format: v.optional(v.picklist(['json', 'csv', 'csv-json'], 'must be json, csv or csv-json'), 'json'),
    table: v.optional(v.picklist(['machines', 'departments', 'backlog'], 'must be machines, departments or backlog'), 'machines'),
  }),
  v.check((q) => !q.from || !q.to || q.from <= q.to, 'from must be on or before to'),
);

const addDays = (day: string, n: number) => new Date(Date.parse(`${day}T00:00:00.000Z`) + n * 86_400_000).toISOString().slice(0, 10);

export const maintenanceReportRoutes = new Hono<AppEnv>();

maintenanceReportRoutes.get('/', describeRoute({ summary: 'Maintenance report: MTTR, MTBF, SLA compliance (response and resolution), preventive compliance, backlog', tags: ['Maintenance'] }), async (c) => {
  const user = c.get('user');
  if (!mayReadMaintenanceReport(user.role)) throw new AppError(403, 'forbidden', 'The maintenance report is for technicians, supervisors and managers.');
  const q = query(c, ReportQuery);
  const { db } = c.get('deps');
  const now = new Date().toISOString();
  const to = q.to ?? now.slice(0, 10);
  const from = q.from ?? addDays(to, -29);
  // A supervisor reads their own department only, whatever the query says.
  const departmentId = user.role === 'supervisor' ? (user.departmentId ?? undefined) : q.departmentId;
  const period = { from: `${from}T00:00:00.000Z`, to: `${addDays(to, 1)}T00:00:00.000Z`, now };
  const filter = { departmentId, machineId: q.machineId };
  const [machines, tickets, names] = await Promise.all([repo.reportMachines(db, filter), repo.reportTickets(db, filter, period.from, period.to), repo.departmentNames(db)]);
  const ofMachine = new Map<string, KpiTicket[]>();
  for (const t of tickets) ofMachine.set(t.machineId, [...(ofMachine.get(t.machineId) ?? []), t]);
  const byMachine = machines.map((m) => ({ machineId: m.id, code: m.code, name: m.name, departmentId: m.departmentId, ...kpis(ofMachine.get(m.id) ?? [], [m], period) }));
  const deptIds = [...new Set(machines.map((m) => m.departmentId))];
  const byDepartment = deptIds.map((d) => ({
    departmentId: d, name: names.get(d) ?? d,
    ...kpis(tickets.filter((t) => t.departmentId === d), machines.filter((m) => m.departmentId === d), period),
  })).sort((a, b) => a.name.localeCompare(b.name));
  const total = kpis(tickets, machines, period);
  const backlog = backlogByAge(tickets, now);
  if (q.format !== 'json') {
    const head = ['MTTR (min)', 'MTBF (h)', 'Availability %', 'Repairs', 'Repair downtime (min)', 'Breakdowns', 'Operating hours',
      'Response due', 'Response met', 'Response %', 'Resolution due', 'Resolution met', 'Resolution %', 'Preventive due', 'Preventive done', 'Preventive %'];
    const figures = (k: Kpis) => [k.mttrMinutes, k.mtbfHours, k.availabilityPct, k.repairs, k.repairDowntimeMinutes, k.breakdowns, k.operatingHours,
      k.response.due, k.response.met, k.response.pct, k.resolution.due, k.resolution.met, k.resolution.pct, k.preventive.due, k.preventive.met, k.preventive.pct];
    const [fileName, rows] = q.table === 'backlog' ? [`maintenance-backlog-${to}.csv`, [['Age', 'Open tickets'], ...backlog.map((b) => [b.bucket, b.count])]]
      // The total row: the figures the page shows above the tables (issue 15 §3: a report downloads as it shows).
      : q.table === 'departments' ? [`maintenance-departments-${from}-${to}.csv`, [['Department', ...head], ...byDepartment.map((d) => [d.name, ...figures(d)]), ['Total', ...figures(total)]]]
        : [`maintenance-machines-${from}-${to}.csv`, [['Machine', 'Name', ...head], ...byMachine.map((m) => [m.code, m.name, ...figures(m)]), ['Total', `${from} to ${to}`, ...figures(total)]]];
    if (q.format === 'csv-json') return c.json({ fileName, csv: toCsv(rows as unknown[][]) });
    return csvResponse(fileName as string, rows as unknown[][]);
  }
  return c.json({ from, to, departmentId: departmentId ?? null, machineId: q.machineId ?? null, total, byMachine, byDepartment, backlog });
});

const Target = v.strictObject({ responseHours: v.number('must be a number'), resolutionHours: v.number('must be a number') }, 'has a field that is not allowed');
const SlaBody = v.strictObject({ sla: v.record(v.picklist(['1', '2', '3', '4'], 'must be a priority 1 to 4'), Target) }, 'has a field that is not allowed');

export const maintenanceRoutes = new Hono<AppEnv>();

/** The SLA targets in force (a device keeps them to compute due times offline). */
maintenanceRoutes.get('/sla', describeRoute({ summary: 'SLA targets per priority', tags: ['Maintenance'] }), async (c) => {
  const kept = (await repo.readSla(c.get('deps').db)) as typeof DEFAULT_SLA | undefined;
  return c.json({ sla: { ...DEFAULT_SLA, ...(kept ?? {}) } });
});

maintenanceRoutes.put('/sla', describeRoute({ summary: 'Change the SLA targets (validated: resolution not shorter than response)', tags: ['Maintenance'] }), async (c) => {
  const user = c.get('user');
  if (!mayEditSla(user.role)) throw new AppError(403, 'forbidden', 'Only an admin changes the SLA targets.');
  const { sla } = await body(c, SlaBody);
  const problems = slaProblems(sla);
  if (problems.length) throw new AppError(400, 'validation_failed', `The SLA targets are not valid: priority ${problems[0].field.replace('.', ' ')} ${problems[0].message}.`, problems.map((p) => ({ field: `sla.${p.field}`, message: p.message })));
  const { db } = c.get('deps');
  await db.transaction().execute((trx) => auditedWrite(trx, { actor: { id: user.id, username: user.username }, name: 'admin.config.sla' }, async (_store, w) => {
    await repo.writeSla(trx, sla, w.now, user.id);
    return { table: null, id: null, summary: () => sla, message: 'SLA targets changed' };
  }));
  return c.json({ sla });
});

/** A machine's whole ticket history (the device holds only its sync window), newest first. */
maintenanceRoutes.get('/machines/:id/tickets', describeRoute({ summary: "A machine's whole maintenance history", tags: ['Maintenance'] }), async (c) => {
  const { id } = params(c, v.object({ id: Uuid }));
  if (c.get('user').role === 'operator') throw new AppError(403, 'forbidden', 'A machine\'s whole history is for maintenance, supervisors and managers.');
  return c.json({ tickets: await repo.machineTickets(c.get('deps').db, id) });
});
