// The cost roll-up and the profitability report (issue 14): they read what finance.service.ts wrote,
// through finance.repository.ts, and compute with the money rules of sync/finance.ts.
import { BomCycleError, centsOf, ratioBp, rollUp, type CostBom, type CostGraph, type CostNode, type ProfitReport, type ProfitRow } from '../../sync/finance';
import type { Db } from '../db/db';
import { AppError, notFound } from '../http/errors';
import * as repo from './finance.repository';
import { labourRate } from './finance.service';

/** Everything the roll-up reads, loaded once; `at(when)` is the graph with each line's cost at that time. */
export async function costData(db: Db) {
  const [products, { boms, lines }, rate] = await Promise.all([repo.listProducts(db), repo.activeBomsWithLines(db), labourRate(db)]);
  const costs = await repo.costsOf(db, lines.map((l) => l.id));
  const history = new Map<string, repo.CostRow[]>();
  for (const c of costs) history.set(c.lineId, [...(history.get(c.lineId) ?? []), c]);
  const productMap = new Map(products.map((p) => [p.id, p]));
  /**
   * A line's cost at `when`: the one valid then; before the first one, the first (the line had no
   * cost yet, the earliest known stands in); a line without history (a sub-assembly) its own.
   */
  const costAt = (l: repo.LineRow, when: string) => {
    const h = history.get(l.id);
    if (!h?.length) return l.unitCost;
    return (h.find((c) => c.validFrom <= when && (c.validTo === null || when < c.validTo)) ?? (when < h[0].validFrom ? h[0] : h[h.length - 1])).unitCost;
  };
  const graphs = new Map<string, { graph: CostGraph; memo: Map<string, CostNode> }>();
  const at = (when: string) => {
    let g = graphs.get(when);
    if (!g) {
      const bomMap = new Map<string, CostBom>();
      for (const b of boms) {
        bomMap.set(b.productId, { id: b.id, revision: b.revision, lines: lines.filter((l) => l.bomId === b.id).map((l) => ({ ...l, unitCost: costAt(l, when) })) });
      }
      g = { graph: { products: productMap, boms: bomMap, labourRate: rate }, memo: new Map() };
      graphs.set(when, g);
    }
    return g;
  };
  return {
    products,
    /** One unit of the product at `when`; a cycle in stored BOMs (only possible by hand in the database) is a 409 naming it. */
    cost(productId: string, when: string): CostNode {
      const g = at(when);
      try {
        return rollUp(g.graph, productId, g.memo);
      } catch (err) {
        if (err instanceof BomCycleError) throw new AppError(409, 'bom_cycle', `The BOMs contain a cycle: ${err.path.join(' → ')}.`);
        throw err;
      }
    },
  };
}

export async function productCost(db: Db, productId: string, when: string) {
  const p = await repo.getProduct(db, productId);
  if (!p) throw notFound('Product');
  return (await costData(db)).cost(productId, when);
}

/** The day after an ISO date, as the exclusive end of a period. */
const dayAfter = (date: string) => new Date(Date.parse(`${date}T00:00:00.000Z`) + 86_400_000).toISOString();

export async function profitability(db: Db, period: { from: string; to: string }): Promise<ProfitReport> {
  const from = `${period.from}T00:00:00.000Z`;
  const to = dayAfter(period.to);
  const data = await costData(db);
  const [sold, scrap] = await Promise.all([repo.completedLines(db, from, to), repo.scrapRejects(db, from, to)]);
  const now = new Date().toISOString();
  const rows = new Map<string, ProfitRow>();
  const rowOf = (productId: string) => {
    let r = rows.get(productId);
    if (!r) {
      const c = data.cost(productId, now);
      r = {
        productId, sku: c.sku, name: c.name, sellPrice: c.sellPrice, unitCost: c.unitCost, material: c.material, labour: c.labour,
        unitMargin: c.margin, unitMarginBp: c.marginBp, hasBom: c.bomId !== null,
        unitsSold: 0, revenue: 0, cost: 0, scrapUnits: 0, scrapCost: 0, profit: 0, marginBp: null,
      };
      rows.set(productId, r);
    }
    return r;
  };
  for (const p of data.products) if (p.active) rowOf(p.id);
  for (const s of sold) {
    const r = rowOf(s.productId);
    const c = data.cost(s.productId, s.at);
    r.unitsSold += s.quantity;
    r.revenue += s.quantity * centsOf(data.products.find((p) => p.id === s.productId)?.sellPrice ?? 0);
    r.cost += s.quantity * c.unitCost;
  }
  for (const s of scrap) {
    const r = rowOf(s.productId);
    r.scrapUnits += s.quantity;
    r.scrapCost += s.quantity * data.cost(s.productId, s.at).unitCost;
  }
  for (const r of rows.values()) {
    r.profit = r.revenue - r.cost - r.scrapCost;
    r.marginBp = r.revenue > 0 ? ratioBp(r.profit, r.revenue) : r.unitMarginBp;
  }
  // The worst margin first; a product without a price (no margin at all) after those with one.
  const list = [...rows.values()].sort((a, b) => (a.marginBp ?? Infinity) - (b.marginBp ?? Infinity) || a.sku.localeCompare(b.sku));
  const sum = (k: 'revenue' | 'cost' | 'scrapCost' | 'profit') => list.reduce((n, r) => n + r[k], 0);
  const totals = { revenue: sum('revenue'), cost: sum('cost'), scrapCost: sum('scrapCost'), profit: sum('profit'), marginBp: ratioBp(sum('profit'), sum('revenue')) };
  return { from: period.from, to: period.to, currency: 'EUR', rows: list, totals };
}
