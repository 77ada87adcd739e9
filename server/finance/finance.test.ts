// Finance on SQLite and MariaDB: the roll-up of a hand-computed three-level BOM, cycles named by
// their path, one active revision, cost history in reports, suppliers, the BOM line import, bad
// input that writes nothing, and no finance row or cost in any role's pull.
import { beforeEach, describe, expect, it } from 'vitest';
import { uuidv7 } from '../../sync/ids';
import { SYNCED_TABLES } from '../../sync/tables';
import { useHarness } from '../../tests/setup/harness';
import { auditRows, countAll, expectCleanError, ROLE_NAMES, ROLE_USERS, tokenFor } from '../../tests/setup/helpers';
import { byName } from '../db/db';
import { auditedWrite } from '../sync/write';

const h = useHarness();
const FINANCE_TABLES = ['suppliers', 'boms', 'bomLines', 'bomLineCosts', 'auditLog', 'config'] as const;
const daysAgo = (d: number) => new Date(Date.now() - d * 86_400_000).toISOString();

let manager: string;
let admin: string;
beforeEach(async () => {
  manager = await tokenFor(h, 'manager');
  admin = await tokenFor(h, 'admin');
});

const api = (method: string, path: string, body?: unknown, token = manager) => h.call(method, `/api/finance${path}`, { token, body });

async function product(sku: string, o: { sellPrice?: number; standardMinutes?: number; routing?: unknown[] } = {}) {
  const r = await h.call('POST', '/api/admin/products', { token: admin, body: { sku, name: `Product ${sku}`, sellPrice: o.sellPrice ?? 0, standardMinutes: o.standardMinutes ?? 0, routing: o.routing ?? [] } });
  expect(r.status).toBe(201);
  return r.body.item.id as string;
}

async function deptId(code: string) {
  return (await h.deps.db.selectFrom('departments').select('id').where('code', '=', code).executeTakeFirstOrThrow()).id;
}

async function bom(productId: string, lines: unknown[], o: { revision?: string; active?: boolean } = {}) {
  const r = await api('POST', '/boms', { productId, revision: o.revision ?? 'A', active: o.active ?? true, lines });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body.item;
}

/** X ← Y ← Z, costed by hand in the first test. */
async function threeLevels() {
  const prs = await deptId('PRS');
  const pnt = await deptId('PNT');
  const put = await api('PUT', '/labour-rate', { default: 6000, departments: { [prs]: 9000 } });
  expect(put.status).toBe(200);
  const z = await product('T-Z', { standardMinutes: 0.5 });
  const y = await product('T-Y', { standardMinutes: 2, routing: [{ name: 'Press', departmentId: prs, plannedMinutes: 30 }, { name: 'Paint', departmentId: pnt, plannedMinutes: 10 }] });
  const x = await product('T-X', { sellPrice: 30, standardMinutes: 1.5 });
  await bom(z, [{ componentName: 'Wire', quantity: 0.125, unit: 'kg', unitCost: 333, scrapFactor: 0.1 }]);
  await bom(y, [{ childProductId: z, quantity: 3, scrapFactor: 0.02 }, { componentName: 'Plate', quantity: 1, unitCost: 199 }]);
  const xBom = await bom(x, [
    { childProductId: y, quantity: 2 },
    { componentName: 'Box', quantity: 1, unitCost: 1005, scrapFactor: 0.005 },
    { componentName: 'Label', quantity: 0.5, unitCost: 3 },
  ]);
  return { x, y, z, xBom };
}

describe(`finance on ${process.env.TEST_DIALECT ?? 'sqlite'}`, () => {
  it('rolls up a three-level BOM to the cent as computed by hand', async () => {
    const { x } = await threeLevels();
    const r = await api('GET', `/products/${x}/cost`);
    expect(r.status).toBe(200);
    const cost = r.body.item;
    // Z: wire 0.125 × 3.33 × 1.10 = 0.457875 → 0.46; labour 0.5 min at 60.00/h = 0.50; unit 0.96.
    const yNode = cost.lines[0].child;
    const zNode = yNode.lines[0].child;
    expect(zNode).toMatchObject({ sku: 'T-Z', material: 46, labour: 50, unitCost: 96 });
    // Y: Z 3 × 0.96 × 1.02 = 2.9376 → 2.94; plate 1.99; labour 2 min shared 30:10 Press (90.00/h) and Paint (60.00/h) = 2.75.
    expect(yNode).toMatchObject({ sku: 'T-Y', material: 294 + 199, labour: 275, unitCost: 768 });
    expect(yNode.lines.map((l: { cost: number }) => l.cost)).toEqual([294, 199]);
    // X: Y 2 × 7.68 = 15.36; box 10.05 × 1.005 = 10.10025 → 10.10; label 0.5 × 0.03 = 0.015 → 0.02 (half up); labour 1.5 min = 1.50.
    expect(cost.lines.map((l: { cost: number }) => l.cost)).toEqual([1536, 1010, 2]);
    expect(cost).toMatchObject({ sku: 'T-X', material: 2548, labour: 150, unitCost: 2698, sellPrice: 3000, margin: 302, marginBp: 1007 });
    // Every amount is a whole number of cents.
    expect(JSON.stringify(cost)).not.toMatch(/"(material|labour|unitCost|cost|margin|sellPrice)":-?\d+\.\d/);
  });

  it('refuses a cycle at any depth at save time, naming the path, and writes nothing', async () => {
    const { x, z } = await threeLevels();
    const zBom = (await api('GET', `/boms?productId=${z}`)).body.items[0];
    const before = await countAll(h, FINANCE_TABLES);
    const r = await api('PATCH', `/boms/${zBom.id}`, { lines: [...zBom.lines.map((l: { id: string; componentName: string; quantity: number; unitCost: number; unit: string; scrapFactor: number }) => ({ id: l.id, componentName: l.componentName, quantity: l.quantity, unit: l.unit, unitCost: l.unitCost, scrapFactor: l.scrapFactor })), { childProductId: x, quantity: 1 }] });
    expect(r.status).toBe(409);
    expectCleanError(r.body, 'bom_cycle');
    expect(r.body.error.message).toContain('T-Z → T-X → T-Y → T-Z');
    expect(r.body.error.details).toEqual([{ field: 'lines.1.childProductId', message: 'makes a cycle: T-Z → T-X → T-Y → T-Z' }]);
    expect(await countAll(h, FINANCE_TABLES)).toEqual(before);
    // A product as its own line, on a new revision.
    const self = await api('POST', '/boms', { productId: z, revision: 'B', lines: [{ childProductId: z, quantity: 1 }] });
    expect(self.status).toBe(409);
    expect(self.body.error.message).toContain('T-Z → T-Z');
    expect(await countAll(h, FINANCE_TABLES)).toEqual(before);
  });

  it('refuses to activate a revision that would close a cycle made after it was saved', async () => {
    const z = await product('T-Z');
    const y = await product('T-Y');
    const x = await product('T-X');
    await bom(z, [{ componentName: 'Wire', quantity: 1, unitCost: 10 }]);
    // Z revision B holds X while X holds nothing: no cycle yet.
    const draft = await bom(z, [{ childProductId: x, quantity: 1 }], { revision: 'B', active: false });
    await bom(y, [{ childProductId: z, quantity: 1 }]);
    await bom(x, [{ childProductId: y, quantity: 1 }]);
    const before = await countAll(h, FINANCE_TABLES);
    const r = await api('POST', `/boms/${draft.id}/activate`);
    expect(r.status).toBe(409);
    expect(r.body.error.message).toContain('T-Z → T-X → T-Y → T-Z');
    expect(await countAll(h, FINANCE_TABLES)).toEqual(before);
    expect((await api('GET', `/boms/${draft.id}`)).body.item.active).toBe(false);
  });

  it('keeps one active revision: a second active one is refused, activating swaps, both are kept and audited', async () => {
    const p = await product('T-REV', { sellPrice: 10 });
    const a = await bom(p, [{ componentName: 'Part', quantity: 1, unitCost: 100 }]);
    const before = await countAll(h, FINANCE_TABLES);
    const second = await api('POST', '/boms', { productId: p, revision: 'B', active: true, lines: [] });
    expect(second.status).toBe(409);
    expectCleanError(second.body, 'active_revision_exists');
    expect(second.body.error.message).toMatch(/Revision A is this product's active BOM/);
    expect(await countAll(h, FINANCE_TABLES)).toEqual(before);
    const taken = await api('POST', '/boms', { productId: p, revision: 'a', lines: [] });
    expect(taken.status).toBe(409);

    const copy = await api('POST', `/boms/${a.id}/copy`, { revision: 'B' });
    expect(copy.status).toBe(201);
    expect(copy.body.item).toMatchObject({ revision: 'B', active: false, lines: [{ componentName: 'Part', unitCost: 100 }] });
    expect(copy.body.item.lines[0].costHistory).toHaveLength(1);
    const b = copy.body.item;
    const saved = await api('PATCH', `/boms/${b.id}`, { lines: [{ id: b.lines[0].id, componentName: 'Part', quantity: 1, unitCost: 120 }] });
    expect(saved.status).toBe(200);
    const act = await api('POST', `/boms/${b.id}/activate`);
    expect(act.status).toBe(200);
    const list = (await api('GET', `/boms?productId=${p}`)).body.items;
    expect(list.map((x: { revision: string; active: boolean }) => [x.revision, x.active])).toEqual([['A', false], ['B', true]]);
    expect((await api('GET', `/products/${p}/cost`)).body.item).toMatchObject({ revision: 'B', material: 120 });
    const audit = (await auditRows(h, 'finance.boms.activate'))[0];
    expect(audit).toMatchObject({ entity: 'boms', entityId: b.id, username: 'manager', before: { active: false }, after: { active: true } });
    expect(audit.after.$related).toEqual([expect.objectContaining({ table: 'boms', id: a.id, before: expect.objectContaining({ active: true }), after: expect.objectContaining({ active: false }) })]);
  });

  it('keeps the old unit cost with its dates: a report for last quarter uses last quarter\'s cost', async () => {
    const p = await product('T-HIST', { sellPrice: 5 });
    const made = await bom(p, [{ componentName: 'Resin', quantity: 2, unitCost: 100, costFrom: daysAgo(300) }]);
    const line = made.lines[0];
    const r = await api('PATCH', `/boms/${made.id}`, { lines: [{ id: line.id, componentName: 'Resin', quantity: 2, unitCost: 150, costFrom: daysAgo(10) }] });
    expect(r.status).toBe(200);
    const history = r.body.item.lines[0].costHistory;
    expect(history).toEqual([
      { unitCost: 100, validFrom: expect.any(String), validTo: history[1].validFrom },
      { unitCost: 150, validFrom: expect.any(String), validTo: null },
    ]);
    expect(history[0].validFrom < history[1].validFrom).toBe(true);
    // A new cost cannot start before the one it replaces.
    const early = await api('PATCH', `/boms/${made.id}`, { lines: [{ id: line.id, componentName: 'Resin', quantity: 2, unitCost: 170, costFrom: daysAgo(400) }] });
    expect(early.status).toBe(400);
    expect(early.body.error.details[0].field).toBe('lines.0.costFrom');
    const old = await api('GET', `/products/${p}/cost?at=${daysAgo(100)}`);
    expect(old.body.item.material).toBe(200);
    expect((await api('GET', `/products/${p}/cost`)).body.item.material).toBe(300);

    // An order completed and a reject scrapped 100 days ago, written as the floor would have then.
    const orderId = uuidv7();
    const press = await deptId('PRS');
    const machine = (await h.deps.db.selectFrom('machines').select('id').where('code', '=', 'PRS-01').executeTakeFirstOrThrow()).id;
    const defect = (await h.deps.db.selectFrom('defectCodes').select('id').executeTakeFirstOrThrow()).id;
    const at = daysAgo(100);
    await h.deps.db.transaction().execute((trx) => auditedWrite(trx, { actor: { id: uuidv7(), username: null }, system: true, name: 'test.history', now: at }, async (s) => {
      await s.insert('orders', { id: orderId, number: 'ORD-T1', customerName: 'Old customer', externalRef: null, dueDate: at.slice(0, 10), priority: 3, status: 'completed', holdReason: null, statusBeforeHold: null, source: 'manual', notes: null, departmentIds: [press], completedAt: at });
      await s.insert('orderItems', { id: uuidv7(), orderId, productId: p, quantity: 10, goodQty: 10, rejectQty: 0, departmentIds: [press] });
      await s.insert('rejects', { id: uuidv7(), number: 'REJ-T1', stageId: null, orderId, productId: p, machineId: machine, departmentId: press, defectCodeId: defect, quantity: 3, description: null, reportedBy: uuidv7(), status: 'approved', disposition: 'scrap', rootCause: null, correctiveAction: null, approvedBy: null, approvedAt: at, closedAt: null });
      await s.insert('rejects', { id: uuidv7(), number: 'REJ-T2', stageId: null, orderId, productId: p, machineId: machine, departmentId: press, defectCodeId: defect, quantity: 50, description: null, reportedBy: uuidv7(), status: 'approved', disposition: 'rework', rootCause: null, correctiveAction: null, approvedBy: null, approvedAt: at, closedAt: null });
      return { table: null, id: null };
    }));
    const from = daysAgo(130).slice(0, 10);
    const to = daysAgo(70).slice(0, 10);
    const rep = await h.call('GET', `/api/reports/profitability?from=${from}&to=${to}`, { token: manager });
    expect(rep.status).toBe(200);
    const row = rep.body.rows.find((x: { sku: string }) => x.sku === 'T-HIST');
    // Revenue 10 × 5.00; cost 10 × 2.00 (last quarter's resin); scrap 3 × 2.00 (rework is not scrap).
    expect(row).toMatchObject({ unitsSold: 10, revenue: 5000, cost: 2000, scrapUnits: 3, scrapCost: 600, profit: 2400, marginBp: 4800 });
    // Today's cost for the same products: 3.00 a unit.
    expect(row.unitCost).toBe(300);
    // A period with nothing sold has the unit margin: (5.00 − 3.00) / 5.00.
    const quiet = await h.call('GET', `/api/reports/profitability?from=${daysAgo(60).slice(0, 10)}&to=${daysAgo(50).slice(0, 10)}`, { token: manager });
    expect(quiet.body.rows.find((x: { sku: string }) => x.sku === 'T-HIST')).toMatchObject({ revenue: 0, scrapCost: 0, marginBp: 4000 });
  });

  it('sorts the profitability report worst margin first and downloads it as CSV', async () => {
    const from = daysAgo(7).slice(0, 10);
    const to = new Date().toISOString().slice(0, 10);
    const rep = await h.call('GET', `/api/reports/profitability?from=${from}&to=${to}`, { token: manager });
    expect(rep.status).toBe(200);
    const margins = rep.body.rows.map((r: { marginBp: number | null }) => r.marginBp ?? Infinity);
    expect(margins).toEqual([...margins].sort((a: number, b: number) => a - b));
    expect(rep.body.rows.length).toBeGreaterThanOrEqual(4);
    const csv = await h.app.request(`/api/reports/profitability?from=${from}&to=${to}&format=csv`, { headers: { authorization: `Bearer ${manager}` } });
    expect(csv.headers.get('content-type')).toMatch(/text\/csv/);
    const text = await csv.text();
    const lines = text.replace(/^\uFEFF/, '').trim().split('\r\n');
    expect(lines[0]).toBe('SKU,Product,Sell price,Unit cost,Material,Labour,Unit margin %,Units sold,Revenue,Cost,Scrap units,Scrap cost,Profit,Margin %');
    expect(lines[1].split(',')[0]).toBe(rep.body.rows[0].sku);
    expect(lines.at(-1)).toMatch(/^,Total,/);
    const bad = await h.call('GET', `/api/reports/profitability?from=${to}&to=${from}`, { token: manager });
    expect(bad.status).toBe(400);
    expectCleanError(bad.body, 'validation_failed');
  });

  it('demo data has suppliers, BOMs with a sub-assembly, costs and a rising steel price', async () => {
    const list = (await api('GET', '/products')).body.items;
    const door = list.find((p: { sku: string }) => p.sku === 'PNL-300');
    expect(door.bomId).not.toBeNull();
    const tree = (await api('GET', `/products/${door.productId}/cost`)).body.item;
    const bracket = tree.lines.find((l: { child?: { sku: string } }) => l.child?.sku === 'BRK-100');
    expect(bracket.child.lines.find((l: { child?: { sku: string } }) => l.child?.sku === 'CLP-400')).toBeTruthy();
    expect(list.every((p: { unitCost: number }) => Number.isInteger(p.unitCost) && p.unitCost > 0)).toBe(true);
    const suppliers = (await api('GET', '/suppliers')).body.items;
    expect(suppliers.length).toBeGreaterThanOrEqual(5);
    const earlier = (await api('GET', `/products/${door.productId}/cost?at=${daysAgo(60)}`)).body.item;
    expect(earlier.material).toBeLessThan(tree.material);
  });

  describe('suppliers', () => {
    it('are created, changed and deleted with audited before/after; a used one is deactivated instead', async () => {
      const made = await api('POST', '/suppliers', { name: 'Bolt House', email: 'sales@bolt.example', phone: '+46 8 123 45', leadTimeDays: 4, currency: 'sek', notes: 'Net 30' });
      expect(made.status).toBe(201);
      expect(made.body.item).toMatchObject({ name: 'Bolt House', currency: 'SEK', phone: '+46 8 123 45', active: true });
      const id = made.body.item.id;
      const patched = await api('PATCH', `/suppliers/${id}`, { leadTimeDays: 9 });
      expect(patched.body.item.leadTimeDays).toBe(9);
      const audit = (await auditRows(h, 'finance.suppliers.update'))[0];
      expect(audit).toMatchObject({ entity: 'suppliers', entityId: id, before: { leadTimeDays: 4 }, after: { leadTimeDays: 9 } });

      const p = await product('T-SUP');
      await bom(p, [{ componentName: 'Bolt', quantity: 4, unitCost: 5, supplierId: id }]);
      const del = await api('DELETE', `/suppliers/${id}`);
      expect(del.status).toBe(200);
      expect(del.body).toMatchObject({ outcome: 'deactivated', item: { active: false } });
      expect(del.body.message).toMatch(/on 1 BOM line/);

      const spare = (await api('POST', '/suppliers', { name: 'Unused Ltd' })).body.item;
      const gone = await api('DELETE', `/suppliers/${spare.id}`);
      expect(gone.body).toMatchObject({ outcome: 'deleted', item: null });
      expect((await api('GET', '/suppliers?includeInactive=true')).body.items.map((s: { name: string }) => s.name)).not.toContain('Unused Ltd');
      expect((await api('GET', '/suppliers')).body.items.map((s: { name: string }) => s.name)).not.toContain('Bolt House');
    });

    it('refuses a name already taken, in any letter case, and writes nothing', async () => {
      const before = await countAll(h, FINANCE_TABLES);
      const r = await api('POST', '/suppliers', { name: 'nordic steel ab' });
      expect(r.status).toBe(409);
      expectCleanError(r.body, 'already_exists');
      expect(r.body.error.details).toEqual([{ field: 'name', message: 'is already taken' }]);
      expect(await countAll(h, FINANCE_TABLES)).toEqual(before);
    });
  });

  describe('bad input gets a clear message and writes nothing', () => {
    const cases: [string, (ctx: { p: string }) => unknown, number, string, string][] = [
      ['a negative quantity', ({ p }) => ({ productId: p, revision: 'A', lines: [{ componentName: 'Steel', quantity: -1, unitCost: 10 }] }), 400, 'lines.0.quantity', 'must not be negative'],
      ['a zero quantity', ({ p }) => ({ productId: p, revision: 'A', lines: [{ componentName: 'Steel', quantity: 0, unitCost: 10 }] }), 400, 'lines.0.quantity', 'must be more than 0'],
      ['a negative cost', ({ p }) => ({ productId: p, revision: 'A', lines: [{ componentName: 'Steel', quantity: 1, unitCost: -5 }] }), 400, 'lines.0.unitCost', 'must not be negative'],
      ['a cost in fractions of a cent', ({ p }) => ({ productId: p, revision: 'A', lines: [{ componentName: 'Steel', quantity: 1, unitCost: 1.5 }] }), 400, 'lines.0.unitCost', 'must be whole cents'],
      ['a scrap factor of 1.5', ({ p }) => ({ productId: p, revision: 'A', lines: [{ componentName: 'Steel', quantity: 1, unitCost: 10, scrapFactor: 1.5 }] }), 400, 'lines.0.scrapFactor', 'must be between 0 and 1 (0.05 is 5 %)'],
      ['a line that is neither product nor component', ({ p }) => ({ productId: p, revision: 'A', lines: [{ quantity: 1, unitCost: 10 }] }), 400, 'lines.0.componentName', 'pick a product or type a component name (one of the two)'],
      ['a BOM for a product that does not exist', () => ({ productId: uuidv7(), revision: 'A', lines: [] }), 400, 'productId', 'no active product has this id'],
      ['a sub-assembly that does not exist', ({ p }) => ({ productId: p, revision: 'A', lines: [{ childProductId: uuidv7(), quantity: 1 }] }), 400, 'lines.0.childProductId', 'no active product has this id'],
      ['a supplier that does not exist', ({ p }) => ({ productId: p, revision: 'A', lines: [{ componentName: 'Steel', quantity: 1, supplierId: uuidv7() }] }), 400, 'lines.0.supplierId', 'no supplier has this id'],
    ];
    it.each(cases)('%s', async (_name, make, status, field, message) => {
      const p = await product(`T-BAD-${uuidv7().slice(-6)}`);
      const before = await countAll(h, FINANCE_TABLES);
      const r = await api('POST', '/boms', make({ p }));
      expect(r.status).toBe(status);
      expectCleanError(r.body);
      expect(r.body.error.details).toContainEqual({ field, message });
      expect(await countAll(h, FINANCE_TABLES)).toEqual(before);
    });

    it('a malformed labour rate or period', async () => {
      expect((await api('PUT', '/labour-rate', { default: -1 })).status).toBe(400);
      expect((await api('PUT', '/labour-rate', { default: 100, departments: { [uuidv7()]: 100 } })).body.error.details).toEqual([{ field: expect.stringMatching(/^departments\./), message: 'no department has this id' }]);
      const r = await h.call('GET', '/api/reports/profitability?from=2026-13-01&to=2026-12-31', { token: manager });
      expect(r.status).toBe(400);
    });
  });

  it('imports BOM lines from a CSV: a dry run shows each row\'s problems, the commit adds all lines or none', async () => {
    const p = await product('T-IMP');
    const made = await bom(p, [{ componentName: 'Frame', quantity: 1, unitCost: 500 }]);
    const upload = async (csv: string, commit = false) => {
      const form = new FormData();
      form.set('file', new File([csv], 'lines.csv', { type: 'text/csv' }));
      const r = await h.app.request(`/api/finance/boms/${made.id}/import${commit ? '?commit=true' : ''}`, { method: 'POST', headers: { authorization: `Bearer ${manager}` }, body: form });
      return { status: r.status, body: await r.json() };
    };
    const bad = 'Component,SKU,Supplier,Qty,Unit,Unit cost,Scrap\nBolt,,FastFix Fasteners,4,pcs,0.05,0\n,NOPE-1,,1,pcs,,\nNut,,,-2,pcs,0.02,0\nWasher,,,1,pcs,0.015,0\nPaint,,,0.1,kg,9.50,150%\n';
    const dry = await upload(bad);
    expect(dry.status).toBe(200);
    expect(dry.body).toMatchObject({ rowCount: 5, errorCount: 4, committed: false });
    expect(dry.body.rows.map((r: { errors: { field: string; message: string }[] }) => r.errors.map((e) => `${e.field}: ${e.message}`))).toEqual([
      [], ['sku: unknown product "NOPE-1"'], ['quantity: must not be negative'], ['unitCost: "0.015" has more than 2 decimals'], ['scrapFactor: must be between 0 and 1 (0.05 is 5 %)'],
    ]);
    const before = await countAll(h, FINANCE_TABLES);
    const refused = await upload(bad, true);
    expect(refused.status).toBe(400);
    expectCleanError(refused.body, 'import_has_errors');
    expect(await countAll(h, FINANCE_TABLES)).toEqual(before);

    const good = 'Component,SKU,Supplier,Qty,Unit,Unit cost,Scrap\nBolt,,FastFix Fasteners,4,pcs,0.05,0\n,CLP-400,,2,pcs,,\nPaint,,,0.1,kg,9.50,5%\n';
    const done = await upload(good, true);
    expect(done.status).toBe(201);
    expect(done.body.item.lines.map((l: { lineNo: number; componentName: string | null; quantity: number; unitCost: number; scrapFactor: number }) => [l.lineNo, l.componentName, l.quantity, l.unitCost, l.scrapFactor])).toEqual([
      [1, 'Frame', 1, 500, 0], [2, 'Bolt', 4, 5, 0], [3, null, 2, 0, 0], [4, 'Paint', 0.1, 950, 0.05],
    ]);
    expect((await auditRows(h, 'finance.boms.import'))[0]).toMatchObject({ entity: 'boms', entityId: made.id, message: '3 lines imported from lines.csv' });
  });

  it('answers 403 to operators, supervisors and technicians on every finance route, and writes nothing', async () => {
    const anyBom = (await api('GET', '/boms')).body.items[0];
    const anyProduct = anyBom.productId;
    const supplier = (await api('GET', '/suppliers')).body.items[0];
    const routes: [string, string, unknown?][] = [
      ['GET', '/api/finance/suppliers'], ['POST', '/api/finance/suppliers', { name: 'X' }], ['PATCH', `/api/finance/suppliers/${supplier.id}`, { notes: 'x' }],
      ['POST', `/api/finance/suppliers/${supplier.id}/deactivate`], ['POST', `/api/finance/suppliers/${supplier.id}/activate`], ['DELETE', `/api/finance/suppliers/${supplier.id}`],
      ['GET', '/api/finance/boms'], ['POST', '/api/finance/boms', { productId: anyProduct, revision: 'Z' }], ['GET', `/api/finance/boms/${anyBom.id}`],
      ['PATCH', `/api/finance/boms/${anyBom.id}`, { notes: 'x' }], ['POST', `/api/finance/boms/${anyBom.id}/activate`], ['POST', `/api/finance/boms/${anyBom.id}/deactivate`],
      ['POST', `/api/finance/boms/${anyBom.id}/copy`, { revision: 'Z' }], ['POST', `/api/finance/boms/${anyBom.id}/import`],
      ['GET', '/api/finance/products'], ['GET', `/api/finance/products/${anyProduct}/cost`], ['GET', '/api/finance/labour-rate'], ['PUT', '/api/finance/labour-rate', { default: 1 }],
      ['GET', '/api/reports/profitability?from=2026-01-01&to=2026-12-31'],
    ];
    const before = await countAll(h, FINANCE_TABLES);
    for (const role of ['operator', 'supervisor', 'technician'] as const) {
      const token = await tokenFor(h, ROLE_USERS[role]);
      for (const [method, path, body] of routes) {
        const r = await h.call(method, path, { token, body });
        expect(r.status, `${role} ${method} ${path}`).toBe(403);
        expectCleanError(r.body, 'forbidden');
      }
    }
    expect(await countAll(h, FINANCE_TABLES)).toEqual(before);
  });

  it('sends no finance row or cost to any role in any pull, snapshot or changes', async () => {
    const names = ['Nordic Steel AB', 'FastFix Fasteners', 'Spring steel strip', 'unitCost', 'quantityMilli', 'scrapBp', 'bomId', 'labourRatePerHour', 'validFrom'];
    const cursors: Record<string, { clientId: string; cursor: string }> = {};
    const pullAll = async (token: string, clientId: string, cursor?: string) => {
      const changes: { table: string }[] = [];
      let more = true;
      while (more) {
        const qs = new URLSearchParams({ clientId, limit: '200' });
        if (cursor) qs.set('cursor', cursor);
        const r = await h.call('GET', `/api/sync/pull?${qs}`, { token });
        expect(r.status).toBe(200);
        changes.push(...r.body.changes);
        cursor = r.body.cursor;
        more = r.body.hasMore;
      }
      return { changes, cursor: cursor! };
    };
    for (const role of ROLE_NAMES) {
      const token = await tokenFor(h, ROLE_USERS[role]);
      const clientId = uuidv7();
      const { changes, cursor } = await pullAll(token, clientId);
      expect(changes.length, role).toBeGreaterThan(0);
      // Only synced tables travel, and no finance table is one of them.
      expect(changes.filter((c) => !(SYNCED_TABLES as readonly string[]).includes(c.table))).toEqual([]);
      for (const t of ['suppliers', 'boms', 'bomLines', 'bomLineCosts']) expect(SYNCED_TABLES as readonly string[]).not.toContain(t);
      const text = JSON.stringify(changes);
      for (const n of names) expect(text, `${role} snapshot holds ${n}`).not.toContain(n);
      cursors[role] = { clientId, cursor };
    }
    // Finance writes after the snapshot: a supplier, a BOM, a cost change, an activation, a labour rate.
    const p = await product('T-PULL');
    const s = (await api('POST', '/suppliers', { name: 'Pull Test Supplies' })).body.item;
    const b = await bom(p, [{ componentName: 'Secret part', quantity: 1, unitCost: 4242, supplierId: s.id }]);
    await api('PATCH', `/boms/${b.id}`, { lines: [{ id: b.lines[0].id, componentName: 'Secret part', quantity: 1, unitCost: 4343, supplierId: s.id }] });
    await api('POST', `/boms/${b.id}/copy`, { revision: 'B' });
    await api('PUT', '/labour-rate', { default: 5151 });
    for (const role of ROLE_NAMES) {
      const { changes } = await pullAll(await tokenFor(h, ROLE_USERS[role]), cursors[role].clientId, cursors[role].cursor);
      expect(changes.filter((c) => c.table !== 'products'), role).toEqual([]);
      const text = JSON.stringify(changes);
      for (const n of [...names, 'Pull Test Supplies', 'Secret part', '4242', '4343', '5151']) expect(text, `${role} changes hold ${n}`).not.toContain(n);
    }
    // The rows are there, on the server.
    expect(await byName(h.deps.db).selectFrom('bomLines').select('id').where('componentName', '=', 'Secret part').execute()).toHaveLength(2);
  });
});
