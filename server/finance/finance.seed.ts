// The demo plant's finance data: more suppliers, a labour rate, BOMs for the demo products (the
// control panel door holds the bracket, which holds the spring clip: three levels), a bracket
// revision kept from before, and a steel price that rose a month ago (so last quarter costs less).
import { LABOUR_RATE_KEY, type LabourRate } from '../../sync/finance';
import { uuidv7 } from '../../sync/ids';
import type { Db } from '../db/db';
import { auditedWrite } from '../sync/write';

const daysAgo = (d: number) => new Date(Date.now() - d * 86_400_000).toISOString();

type Line = [component: string, qty: number, unit: string, cents: number, scrap: number, supplier: string | null] | [sku: { sku: string }, qty: number];

export async function seedFinance(db: Db): Promise<void> {
  const products = new Map((await db.selectFrom('products').select(['id', 'sku']).execute()).map((p) => [p.sku, p.id]));
  const depts = new Map((await db.selectFrom('departments').select(['id', 'code']).execute()).map((d) => [d.code, d.id]));
  const existing = new Map((await db.selectFrom('suppliers').select(['id', 'name']).execute()).map((s) => [s.name, s.id]));
  if (!products.has('BRK-100')) return;
  await db.transaction().execute((trx) => auditedWrite(trx, { actor: { id: uuidv7(), username: null }, system: true, name: 'seed.finance' }, async (s, { now }) => {
    const supplierIds = new Map(existing);
    // The demo seed's two suppliers get the fields finance added; three more supply the rest.
    for (const [name, phone, currency, notes] of [
      ['Nordic Steel AB', '+46 31 555 0100', 'SEK', 'Coil and sheet; prices reviewed quarterly.'],
      ['ColorCoat Ltd', '+44 121 555 0199', 'GBP', 'Powder and wet paint.'],
    ] as const) {
      const id = existing.get(name);
      if (id) await s.update('suppliers', id, { phone, currency, notes });
    }
    for (const [name, contact, email, phone, lead, currency] of [
      ['FastFix Fasteners', 'Lena Berg', 'sales@fastfix.example', '+46 8 555 0142', 5, 'EUR'],
      ['AluCast GmbH', 'Jonas Weber', 'vertrieb@alucast.example', '+49 711 555 0170', 21, 'EUR'],
      ['SealTech Oy', 'Aino Virtanen', 'orders@sealtech.example', '+358 9 555 0133', 10, 'EUR'],
    ] as const) {
      const id = uuidv7();
      supplierIds.set(name, id);
      await s.insert('suppliers', { id, name, contact, email, phone, leadTimeDays: lead, currency, notes: '', active: true });
    }
    const rate: LabourRate = { default: 3800, departments: { [depts.get('PRS')!]: 4200, [depts.get('PNT')!]: 3600, [depts.get('ASM')!]: 3400 } };
    await trx.insertInto('config').values({ key: LABOUR_RATE_KEY, value: JSON.stringify(rate), updatedAt: now, updatedBy: null }).execute();

    const bom = async (sku: string, revision: string, active: boolean, notes: string, lines: Line[], history: Record<string, [cents: number, fromDaysAgo: number][]> = {}) => {
      const bomId = uuidv7();
      const productId = products.get(sku)!;
      await s.insert('boms', { id: bomId, productId, revision, active, activeProductId: active ? productId : null, notes });
      for (const [i, l] of lines.entries()) {
        const id = uuidv7();
        if (typeof l[0] === 'object') {
          await s.insert('bomLines', { id, bomId, lineNo: i + 1, childProductId: products.get(l[0].sku)!, componentName: null, supplierId: null, quantityMilli: Math.round(l[1] * 1000), unit: 'pcs', unitCost: 0, scrapBp: 0 });
          continue;
        }
        const [name, qty, unit, cents, scrap, supplier] = l as Extract<Line, [string, ...unknown[]]>;
        await s.insert('bomLines', {
          id, bomId, lineNo: i + 1, childProductId: null, componentName: name, supplierId: supplier ? supplierIds.get(supplier) ?? null : null,
          quantityMilli: Math.round(qty * 1000), unit, unitCost: cents, scrapBp: Math.round(scrap * 10_000),
        });
        // Earlier costs, oldest first, each until the next; the line's own cost from the last change on.
        const past = history[name] ?? [];
        const starts = [...past.map(([, d]) => daysAgo(d))];
        const costs = [...past.map(([c]) => c), cents];
        const from = [daysAgo(400), ...starts];
        for (const [k, c] of costs.entries()) {
          await s.insert('bomLineCosts', { id: uuidv7(), lineId: id, unitCost: c, validFrom: from[k], validTo: k + 1 < from.length ? from[k + 1] : null });
        }
      }
    };
    // Steel sheet cost 1.65 a kg until a month ago, 1.80 since.
    const steel = { 'Steel sheet DC01 2 mm': [[165, 30]] as [number, number][], 'Steel sheet DC01 1.5 mm': [[160, 30]] as [number, number][] };
    await bom('CLP-400', 'A', true, 'Progressive die from strip.', [['Spring steel strip C75S', 0.025, 'kg', 240, 0.05, 'Nordic Steel AB']]);
    await bom('BRK-100', 'A', false, 'Superseded: loose M6 screws instead of a kit.', [
      ['Steel sheet DC01 2 mm', 0.35, 'kg', 180, 0.08, 'Nordic Steel AB'], ['Powder coat RAL 9005', 0.02, 'kg', 1200, 0.1, 'ColorCoat Ltd'], ['M6 screw', 4, 'pcs', 3, 0.02, 'FastFix Fasteners'],
    ], steel);
    await bom('BRK-100', 'B', true, 'Fastener kit and two spring clips.', [
      ['Steel sheet DC01 2 mm', 0.35, 'kg', 180, 0.08, 'Nordic Steel AB'], ['Powder coat RAL 9005', 0.02, 'kg', 1200, 0.1, 'ColorCoat Ltd'],
      [{ sku: 'CLP-400' }, 2], ['M6 fastener kit', 1, 'kit', 15, 0, 'FastFix Fasteners'],
    ], steel);
    await bom('HSG-200', 'A', true, 'Cast blank, machined and painted.', [
      ['Aluminium blank AlSi9Cu3', 1.2, 'kg', 310, 0.06, 'AluCast GmbH'], ['EPDM gasket 120 mm', 1, 'pcs', 85, 0.02, 'SealTech Oy'],
      ['Primer and top coat', 0.08, 'kg', 950, 0.15, 'ColorCoat Ltd'], ['M8 bolt', 6, 'pcs', 4, 0.01, 'FastFix Fasteners'],
    ]);
    await bom('PNL-300', 'A', true, 'Door with two mounting brackets.', [
      ['Steel sheet DC01 1.5 mm', 2.8, 'kg', 175, 0.1, 'Nordic Steel AB'], ['Hinge kit', 1, 'kit', 240, 0, 'FastFix Fasteners'],
      [{ sku: 'BRK-100' }, 2], ['Primer and top coat', 0.25, 'kg', 950, 0.15, 'ColorCoat Ltd'],
    ], steel);
    return { table: null, id: null, message: 'demo finance data: suppliers, labour rate, BOMs and costs' };
  }));
}
