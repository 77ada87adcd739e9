// /api/finance/*: suppliers, BOMs with revisions, costs; /api/reports/profitability. Managers and
// admins only, online only: plain REST, every write one audited write, nothing ever synced.
import { describeRoute } from '../http/openapi';
import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import * as v from 'valibot';
import {
  BomCopySchema, BomCreateSchema, BomPatchSchema, formatCents, LabourRateSchema, ReportPeriodSchema, SupplierCreateSchema, SupplierPatchSchema,
} from '../../sync/finance';
import { mayManageFinance } from '../../sync/permissions';
import { ROLES } from '../../sync/roles';
import type { AppEnv } from '../context';
import { requireRole } from '../http/auth';
import { csvResponse } from '../http/csv';
import { AppError, body, notFound, params, query, tooLarge, validate } from '../http/errors';
import { clientIp } from '../http/ip';
import { parseUpload } from '../import/import.parse';
import { MAX_IMPORT_BYTES } from '../import/import.routes';
import { bomImportDryRun } from './finance.import';
import * as repo from './finance.repository';
import * as svc from './finance.service';
import * as costing from './finance.costing';

const financeRoles = ROLES.filter(mayManageFinance);
const IdParam = v.strictObject({ id: v.pipe(v.string(), v.uuid('must be an id')) });
const ListQuery = v.strictObject({ includeInactive: v.optional(v.picklist(['true', 'false'])) });
const BomsQuery = v.strictObject({ productId: v.optional(v.pipe(v.string(), v.uuid('must be a product id'))) });
const CostQuery = v.strictObject({ at: v.optional(v.pipe(v.string(), v.isoTimestamp('must be an ISO date and time'))) });
const ImportQuery = v.strictObject({ commit: v.optional(v.picklist(['true', 'false']), 'false') });
const UploadSchema = v.strictObject({ file: v.instance(File, 'attach the spreadsheet as "file"') });

const meta = (c: { get(k: 'user'): AppEnv['Variables']['user'] }, ip: string | null): svc.Meta => ({ actor: c.get('user'), ip });

const suppliers = new Hono<AppEnv>()
  .get('/', describeRoute({ summary: 'List suppliers', tags: ['Finance'] }), async (c) => c.json({ items: await repo.listSuppliers(c.get('deps').db, query(c, ListQuery).includeInactive === 'true') }))
  .post('/', describeRoute({ summary: 'Add a supplier (unique name)', tags: ['Finance'] }), async (c) => {
    const input = await body(c, SupplierCreateSchema);
    return c.json({ item: await svc.createSupplier(c.get('deps').db, meta(c, clientIp(c)), input) }, 201);
  })
  .patch('/:id', describeRoute({ summary: 'Edit a supplier', tags: ['Finance'] }), async (c) => {
    const { id } = params(c, IdParam);
    const input = await body(c, SupplierPatchSchema);
    return c.json({ item: await svc.updateSupplier(c.get('deps').db, meta(c, clientIp(c)), id, input) });
  })
  .post('/:id/deactivate', describeRoute({ summary: 'Deactivate a supplier', tags: ['Finance'] }), async (c) => {
    const { id } = params(c, IdParam);
    return c.json({ item: await svc.updateSupplier(c.get('deps').db, meta(c, clientIp(c)), id, { active: false }) });
  })
  .post('/:id/activate', describeRoute({ summary: 'Reactivate a supplier', tags: ['Finance'] }), async (c) => {
    const { id } = params(c, IdParam);
    return c.json({ item: await svc.updateSupplier(c.get('deps').db, meta(c, clientIp(c)), id, { active: true }) });
  })
  .delete('/:id', describeRoute({ summary: 'Delete a supplier no BOM line uses (else deactivate it)', tags: ['Finance'] }), async (c) => {
    const { id } = params(c, IdParam);
    return c.json(await svc.deleteSupplier(c.get('deps').db, meta(c, clientIp(c)), id));
  });

async function readUpload(c: Context<AppEnv>) {
  if (!(c.req.header('content-type') ?? '').startsWith('multipart/form-data')) {
    throw new AppError(400, 'validation_failed', 'Send the spreadsheet as multipart/form-data with a "file" field.', [{ field: 'file', message: 'is required' }]);
  }
  let form: Record<string, unknown>;
  try {
    form = await c.req.parseBody();
  } catch {
    throw new AppError(400, 'validation_failed', 'The upload could not be read.', [{ field: 'file', message: 'unreadable form data' }]);
  }
  const { file } = validate(UploadSchema, form, 'upload');
  return { name: file.name, sheet: await parseUpload(file.name, new Uint8Array(await file.arrayBuffer())) };
}

const boms = new Hono<AppEnv>()
  .get('/', describeRoute({ summary: 'List BOMs', tags: ['Finance'] }), async (c) => {
    const db = c.get('deps').db;
    const items = await repo.listBoms(db, query(c, BomsQuery).productId);
    return c.json({ items: await Promise.all(items.map((b) => svc.bomWire(db, b))) });
  })
  .post('/', describeRoute({ summary: 'Create a BOM revision for a product (cycles refused with the path named)', tags: ['Finance'] }), async (c) => {
    const input = await body(c, BomCreateSchema);
    return c.json({ item: await svc.createBom(c.get('deps').db, meta(c, clientIp(c)), input) }, 201);
  })
  .get('/:id', describeRoute({ summary: 'A BOM revision with its lines', tags: ['Finance'] }), async (c) => {
    const { id } = params(c, IdParam);
    const db = c.get('deps').db;
    const bom = await repo.getBom(db, id);
    if (!bom) throw notFound('BOM');
    return c.json({ item: await svc.bomWire(db, bom) });
  })
  .patch('/:id', describeRoute({ summary: 'Edit a BOM revision and its lines', tags: ['Finance'] }), async (c) => {
    const { id } = params(c, IdParam);
    const input = await body(c, BomPatchSchema);
    return c.json({ item: await svc.updateBom(c.get('deps').db, meta(c, clientIp(c)), id, input) });
  })
  .post('/:id/activate', describeRoute({ summary: "Make a revision the product's active one (the old one is deactivated)", tags: ['Finance'] }), async (c) => {
    const { id } = params(c, IdParam);
    return c.json({ item: await svc.activateBom(c.get('deps').db, meta(c, clientIp(c)), id) });
  })
  .post('/:id/deactivate', describeRoute({ summary: 'Deactivate a BOM revision', tags: ['Finance'] }), async (c) => {
    const { id } = params(c, IdParam);
    return c.json({ item: await svc.deactivateBom(c.get('deps').db, meta(c, clientIp(c)), id) });
  })
  .post('/:id/copy', describeRoute({ summary: 'Copy a BOM revision into a new draft revision', tags: ['Finance'] }), async (c) => {
    const { id } = params(c, IdParam);
    const input = await body(c, BomCopySchema);
    return c.json({ item: await svc.copyBom(c.get('deps').db, meta(c, clientIp(c)), id, input) }, 201);
  })
  .post(
    '/:id/import',
    describeRoute({ summary: 'Import BOM lines from .xlsx/.csv (dry run and commit)', tags: ['Finance'] }),
    bodyLimit({ maxSize: MAX_IMPORT_BYTES, onError: (c) => tooLarge(c, `The file is larger than ${MAX_IMPORT_BYTES / 1024 / 1024} MB.`) }),
    async (c) => {
      const { id } = params(c, IdParam);
      const q = query(c, ImportQuery);
      const db = c.get('deps').db;
      if (!(await repo.getBom(db, id))) throw notFound('BOM');
      const upload = await readUpload(c);
      const { lines, ...plan } = await bomImportDryRun(db, upload.sheet);
      if (q.commit !== 'true') return c.json({ ...plan, rows: plan.rows.filter((r, i) => i < 200 || r.errors.length) });
      if (plan.errorCount > 0 || lines.length === 0) {
        throw new AppError(400, 'import_has_errors', plan.errorCount ? `${plan.errorCount} line${plan.errorCount === 1 ? ' has' : 's have'} problems; nothing was imported.` : 'The sheet has no lines to import.');
      }
      const item = await svc.appendLines(db, meta(c, clientIp(c)), id, lines, { fileName: upload.name, lineCount: lines.length });
      return c.json({ item, imported: lines.length, committed: true }, 201);
    },
  );

export const financeRoutes = new Hono<AppEnv>()
  .use('*', requireRole(...financeRoles))
  .route('/suppliers', suppliers)
  .route('/boms', boms)
  .get('/products', describeRoute({ summary: 'Products with their rolled-up cost and margin', tags: ['Finance'] }), async (c) => {
    const db = c.get('deps').db;
    const data = await costing.costData(db);
    const now = new Date().toISOString();
    const revisions = await repo.listBoms(db);
    return c.json({
      items: data.products.filter((p) => p.active).map((p) => {
        const cost = data.cost(p.id, now);
        const { lines: _lines, ...summary } = cost;
        return { ...summary, unit: p.unit, revisions: revisions.filter((b) => b.productId === p.id).length };
      }),
    });
  })
  .get('/products/:id/cost', describeRoute({ summary: "A product's rolled-up cost: material, labour, per level", tags: ['Finance'] }), async (c) => {
    const { id } = params(c, IdParam);
    const { at } = query(c, CostQuery);
    return c.json({ item: await costing.productCost(c.get('deps').db, id, at ?? new Date().toISOString()), at: at ?? null });
  })
  .get('/labour-rate', describeRoute({ summary: 'The labour rate per hour (plant and per department)', tags: ['Finance'] }), async (c) => c.json({ item: await svc.labourRate(c.get('deps').db) }))
  .put('/labour-rate', describeRoute({ summary: 'Change the labour rate', tags: ['Finance'] }), async (c) => {
    const input = await body(c, LabourRateSchema);
    return c.json({ item: await svc.setLabourRate(c.get('deps').db, meta(c, clientIp(c)), input) });
  });

const money = (n: number) => formatCents(n).replaceAll(',', '');
const pct = (bp: number | null) => (bp === null ? '' : (bp / 100).toFixed(2));

/** Mounted at /api/reports beside other modules' reports: the role guard is on the route, not the whole prefix. */
export const financeReportRoutes = new Hono<AppEnv>().get('/profitability', describeRoute({ summary: 'Profitability over a period: revenue, cost, scrap cost, margin per product', tags: ['Finance'] }), requireRole(...financeRoles), async (c) => {
  const q = query(c, ReportPeriodSchema);
  const report = await costing.profitability(c.get('deps').db, q);
  if (q.format !== 'csv') return c.json(report);
  return csvResponse(`profitability-${q.from}-${q.to}.csv`, [
    ['SKU', 'Product', 'Sell price', 'Unit cost', 'Material', 'Labour', 'Unit margin %', 'Units sold', 'Revenue', 'Cost', 'Scrap units', 'Scrap cost', 'Profit', 'Margin %'],
    ...report.rows.map((r) => [
      r.sku, r.name, money(r.sellPrice), money(r.unitCost), money(r.material), money(r.labour), pct(r.unitMarginBp), r.unitsSold,
      money(r.revenue), money(r.cost), r.scrapUnits, money(r.scrapCost), money(r.profit), pct(r.marginBp),
    ]),
    ['', 'Total', '', '', '', '', '', '', money(report.totals.revenue), money(report.totals.cost), '', money(report.totals.scrapCost), money(report.totals.profit), pct(report.totals.marginBp)],
  ]);
});
