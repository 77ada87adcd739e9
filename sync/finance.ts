// Finance (issue 14), the pure part both sides share: the request schemas of /api/finance, the money
// rules (whole cents, one rounding rule) and the cost roll-up through multi-level BOMs. Finance is
// online only and never synced: nothing here is a mutator, and no finance row is in sync/tables.ts.
import * as v from 'valibot';
import { RequiredText, Text } from './mutation-kit';
import type { RoutingStep } from './tables';

// ── money ────────────────────────────────────────────────────────────────────
// Money is an integer number of cents (minor units of the plant's currency). Quantities are held in
// thousandths, scrap factors in basis points (1/10,000), minutes in thousandths: every product of
// them is an exact integer (BigInt), and a result is rounded once, half away from zero, to a cent.

/** a / b rounded to the nearest integer, halves away from zero (b > 0). */
export function roundDiv(a: bigint, b: bigint): bigint {
  const neg = a < 0n;
  const abs = neg ? -a : a;
  const q = (abs * 2n + b) / (2n * b);
  return neg ? -q : q;
}

/**
 * A decimal number as an integer count of 10^-scale units, read from its shortest decimal text
 * (so 1.005 is 1005 thousandths, not 1004.999…), or null when it has more decimals than `scale`.
 */
export function toScaled(value: number, scale: number): number | null {
  if (!Number.isFinite(value)) return null;
  const short = String(Math.abs(value));
  // 1e-7 has more decimals than any scale used here; 1e21 is far past every bound.
  if (/e/i.test(short)) return /e-/i.test(short) ? null : Math.round(value * 10 ** scale);
  const src = short;
  const [int, frac = ''] = src.split('.');
  if (frac.length > scale) return null;
  const n = Number(int) * 10 ** scale + Number((frac + '0'.repeat(scale)).slice(0, scale) || '0');
  return value < 0 ? -n : n;
}

/** A decimal amount (a product's sell price, stored before finance existed) as cents, halves away from zero. */
export function centsOf(amount: number): number {
  const short = String(Math.abs(amount));
  if (/e/i.test(short)) return Math.round(amount * 100);
  const [int, frac = ''] = short.split('.');
  const digits = BigInt(int + (frac + '000').slice(0, 3));
  const cents = Number(roundDiv(digits, 10n));
  return amount < 0 ? -cents : cents;
}

/** The cost of one BOM line: quantity × unit cost × (1 + scrap factor), rounded once to a cent. */
export function lineCost(quantityMilli: number, unitCost: number, scrapBp: number): number {
  return Number(roundDiv(BigInt(quantityMilli) * BigInt(unitCost) * BigInt(10_000 + scrapBp), 10_000_000n));
}

/** `n` cents as text: 1234 → "12.34", -5 → "-0.05". */
export function formatCents(n: number): string {
  const sign = n < 0 ? '-' : '';
  const abs = Math.abs(n);
  return `${sign}${Math.floor(abs / 100).toLocaleString('en-US')}.${String(abs % 100).padStart(2, '0')}`;
}

/** A part of a whole as basis points (12.34 % → 1234), rounded like money; null when the whole is 0. */
export function ratioBp(part: number, whole: number): number | null {
  if (whole === 0) return null;
  const neg = (part < 0) !== (whole < 0);
  const q = Number(roundDiv(BigInt(Math.abs(part)) * 10_000n, BigInt(Math.abs(whole))));
  return neg ? -q : q;
}

// ── request schemas ──────────────────────────────────────────────────────────

const Id = (message = 'choose one') => v.pipe(v.string(message), v.uuid('must be an id'));
const decimals = (scale: number, what: string) =>
  v.check((n: number) => toScaled(n, scale) !== null, `may have at most ${scale} decimals${what}`);

/** Cents: a whole number of the currency's minor unit, 0 or more. */
export const Cents = v.pipe(
  v.number('must be a number of cents'), v.integer('must be whole cents'), v.minValue(0, 'must not be negative'),
  v.maxValue(100_000_000_000, 'is at most 1,000,000,000.00'),
);
export const Quantity = v.pipe(
  v.number('must be a number'), v.gtValue(0, (issue) => (Number(issue.input) < 0 ? 'must not be negative' : 'must be more than 0')),
  v.maxValue(1_000_000, 'is at most 1,000,000'), decimals(3, ''),
);
export const ScrapFactor = v.pipe(
  v.number('must be a number'), v.minValue(0, 'must be between 0 and 1 (0.05 is 5 %)'), v.maxValue(1, 'must be between 0 and 1 (0.05 is 5 %)'),
  decimals(4, ' (0.0525 is 5.25 %)'),
);
const IsoTime = v.pipe(v.string('must be a date'), v.isoTimestamp('must be an ISO date and time'));

export const SupplierFields = {
  name: RequiredText(100), contact: Text(100),
  email: v.union([v.literal(''), v.pipe(v.string(), v.trim(), v.email('must be an email address'), v.maxLength(200, 'must be at most 200 characters'))], 'must be an email address'),
  phone: v.pipe(Text(50), v.regex(/^[0-9+()./ -]*$/, 'may hold digits, spaces and + ( ) . / -')),
  leadTimeDays: v.pipe(v.number('must be a number'), v.integer('must be a whole number'), v.minValue(0, 'must not be negative'), v.maxValue(365, 'must be at most 365')),
  currency: v.pipe(v.string('is required'), v.trim(), v.toUpperCase(), v.regex(/^[A-Z]{3}$/, 'must be a three-letter ISO code such as EUR')),
  notes: Text(1000),
};
export const SupplierCreateSchema = v.strictObject({
  name: SupplierFields.name,
  contact: v.optional(SupplierFields.contact, ''), email: v.optional(SupplierFields.email, ''), phone: v.optional(SupplierFields.phone, ''),
  leadTimeDays: v.optional(SupplierFields.leadTimeDays, 0), currency: v.optional(SupplierFields.currency, 'EUR'), notes: v.optional(SupplierFields.notes, ''),
});
export const SupplierPatchSchema = v.pipe(
  v.strictObject(Object.fromEntries(Object.entries(SupplierFields).map(([k, s]) => [k, v.optional(s)])) as { [K in keyof typeof SupplierFields]: v.OptionalSchema<(typeof SupplierFields)[K], undefined> }),
  v.check((o) => Object.keys(o).length > 0, 'name at least one field to change'),
);
export type SupplierCreate = v.InferOutput<typeof SupplierCreateSchema>;

/** One BOM line as the editor sends it: a sub-assembly (another product) or a bought component by name. */
export const BomLineInputSchema = v.pipe(
  v.strictObject({
    /** An existing line (keeps its cost history); absent for a new line. */
    id: v.optional(Id()),
    childProductId: v.optional(v.nullable(Id('choose a product'))),
    componentName: v.optional(v.nullable(Text(200))),
    supplierId: v.optional(v.nullable(Id('choose a supplier'))),
    quantity: Quantity,
    unit: v.optional(RequiredText(16), 'pcs'),
    /** Cents per unit; a sub-assembly's cost is rolled up from its own BOM, so it is ignored there. */
    unitCost: v.optional(Cents, 0),
    scrapFactor: v.optional(ScrapFactor, 0),
    /** When a changed unit cost takes effect (default: now); the old one is kept until then. */
    costFrom: v.optional(IsoTime),
  }),
  v.forward(
    v.check((l) => !!l.childProductId !== !!(l.componentName && l.componentName.length), 'pick a product or type a component name (one of the two)'),
    ['componentName'],
  ),
);
export type BomLineInput = v.InferOutput<typeof BomLineInputSchema>;
const Lines = v.pipe(v.array(BomLineInputSchema, 'must be a list of lines'), v.maxLength(500, 'may hold at most 500 lines'));

export const BomCreateSchema = v.strictObject({
  productId: Id('choose a product'),
  revision: RequiredText(16),
  notes: v.optional(Text(1000), ''),
  /** Make it the product's active revision (refused while another revision is active: activate it instead). */
  active: v.optional(v.boolean('must be yes or no'), false),
  lines: v.optional(Lines, []),
});
export const BomPatchSchema = v.pipe(
  v.strictObject({ revision: v.optional(RequiredText(16)), notes: v.optional(Text(1000)), lines: v.optional(Lines), active: v.optional(v.literal(false, 'use the Activate action to make a revision active')) }),
  v.check((o) => Object.keys(o).length > 0, 'name at least one field to change'),
);
export const BomCopySchema = v.strictObject({ revision: RequiredText(16), notes: v.optional(Text(1000)) });

/**
 * `finance.labourRatePerHour` in config: cents per hour, plant-wide, with a rate per department
 * where one is set (keyed by department id).
 */
export const LabourRateSchema = v.strictObject({
  default: Cents,
  departments: v.optional(v.record(v.pipe(v.string(), v.uuid('must be a department id')), Cents), {}),
});
export type LabourRate = v.InferOutput<typeof LabourRateSchema>;
export const LABOUR_RATE_KEY = 'finance.labourRatePerHour';
/** Until a manager sets one: 45.00 an hour. */
export const DEFAULT_LABOUR_RATE: LabourRate = { default: 4500, departments: {} };

/** Reads the config value, which may also be a bare number of cents per hour. */
export function labourRateOf(value: unknown): LabourRate {
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0) return { default: value, departments: {} };
  const r = v.safeParse(LabourRateSchema, value);
  return r.success ? r.output : DEFAULT_LABOUR_RATE;
}

export const ReportPeriodSchema = v.pipe(
  v.strictObject({
    from: v.pipe(v.string('is required (YYYY-MM-DD)'), v.isoDate('must be a date (YYYY-MM-DD)')),
    to: v.pipe(v.string('is required (YYYY-MM-DD)'), v.isoDate('must be a date (YYYY-MM-DD)')),
    format: v.optional(v.picklist(['json', 'csv'], 'must be json or csv'), 'json'),
  }),
  v.forward(v.check((q) => q.from <= q.to, 'must not be after "to"'), ['from']),
);

// ── the roll-up ──────────────────────────────────────────────────────────────

export interface CostProduct {
  id: string; sku: string; name: string; sellPrice: number; standardMinutes: number; routing: RoutingStep[];
}
export interface CostLine {
  id: string; lineNo: number; childProductId: string | null; componentName: string | null; supplierId: string | null;
  quantityMilli: number; unit: string; /** Cents, at the costing date. */ unitCost: number; scrapBp: number;
}
export interface CostBom { id: string; revision: string; lines: CostLine[] }
export interface CostGraph {
  products: Map<string, CostProduct>;
  /** The active BOM of each product that has one. */
  boms: Map<string, CostBom>;
  labourRate: LabourRate;
}

export interface CostedLine extends Omit<CostLine, 'quantityMilli' | 'scrapBp'> {
  quantity: number; scrapFactor: number;
  /** Cents: quantity × unit cost × (1 + scrap), rounded. */
  cost: number;
  /** A sub-assembly's own roll-up (its unitCost is the child's unit cost). */
  child?: CostNode;
}
export interface CostNode {
  productId: string; sku: string; name: string;
  bomId: string | null; revision: string | null;
  /** Cents per unit. */
  material: number; labour: number; unitCost: number;
  /** Standard minutes per unit the labour is charged for. */
  minutes: number;
  sellPrice: number; margin: number; marginBp: number | null;
  lines: CostedLine[];
}

/** Labour of one unit: its standard minutes, shared over the routing's departments by their planned minutes, each at its rate. */
export function labourCost(p: Pick<CostProduct, 'standardMinutes' | 'routing'>, rate: LabourRate): number {
  const stdMilli = BigInt(Math.max(0, Math.round(p.standardMinutes * 1000)));
  const steps = p.routing.filter((s) => s.plannedMinutes > 0);
  const total = steps.reduce((n, s) => n + BigInt(Math.round(s.plannedMinutes * 1000)), 0n);
  if (total === 0n) return Number(roundDiv(stdMilli * BigInt(rate.default), 60_000n));
  let weighted = 0n;
  for (const s of steps) weighted += BigInt(Math.round(s.plannedMinutes * 1000)) * BigInt(rate.departments[s.departmentId] ?? rate.default);
  return Number(roundDiv(stdMilli * weighted, total * 60_000n));
}

export class BomCycleError extends Error {
  constructor(public readonly path: string[]) {
    super(`a product contains itself: ${path.join(' → ')}`);
  }
}

/**
 * The cost of one unit of `productId`: its active BOM's lines (sub-assemblies rolled up first) plus
 * its labour. Throws BomCycleError naming the path if the BOMs contain a cycle.
 */
export function rollUp(graph: CostGraph, productId: string, memo = new Map<string, CostNode>(), path: string[] = []): CostNode {
  const done = memo.get(productId);
  if (done) return done;
  const p = graph.products.get(productId);
  const label = (id: string) => graph.products.get(id)?.sku ?? id;
  if (path.includes(productId)) throw new BomCycleError([...path.slice(path.indexOf(productId)), productId].map(label));
  const bom = graph.boms.get(productId);
  const lines: CostedLine[] = [];
  let material = 0;
  for (const l of [...(bom?.lines ?? [])].sort((a, b) => a.lineNo - b.lineNo)) {
    let unitCost = l.unitCost;
    let child: CostNode | undefined;
    if (l.childProductId) {
      child = rollUp(graph, l.childProductId, memo, [...path, productId]);
      unitCost = child.unitCost;
    }
    const cost = lineCost(l.quantityMilli, unitCost, l.scrapBp);
    material += cost;
    const { quantityMilli, scrapBp, ...rest } = l;
    lines.push({ ...rest, unitCost, quantity: quantityMilli / 1000, scrapFactor: scrapBp / 10_000, cost, child });
  }
  const labour = p ? labourCost(p, graph.labourRate) : 0;
  const sellPrice = p ? centsOf(p.sellPrice) : 0;
  const unitCost = material + labour;
  const node: CostNode = {
    productId, sku: p?.sku ?? '?', name: p?.name ?? 'unknown product', bomId: bom?.id ?? null, revision: bom?.revision ?? null,
    material, labour, unitCost, minutes: p?.standardMinutes ?? 0, sellPrice, margin: sellPrice - unitCost, marginBp: ratioBp(sellPrice - unitCost, sellPrice), lines,
  };
  memo.set(productId, node);
  return node;
}

/**
 * The path by which `productId` would contain itself if its BOM had `children` as sub-assemblies
 * and every other product its active BOM's (`childrenOf`), or null. Product ids, start and end the same.
 */
export function findCycle(productId: string, children: string[], childrenOf: (id: string) => string[]): string[] | null {
  const seen = new Set<string>();
  const walk = (id: string, path: string[]): string[] | null => {
    if (id === productId) return [...path, id];
    if (seen.has(id)) return null;
    seen.add(id);
    for (const c of childrenOf(id)) {
      const found = walk(c, [...path, id]);
      if (found) return found;
    }
    return null;
  };
  for (const c of children) {
    const found = walk(c, [productId]);
    if (found) return found;
  }
  return null;
}

// ── wire shapes of /api/finance (the screens read these) ────────────────────

export interface SupplierWire {
  id: string; name: string; contact: string; email: string; phone: string; leadTimeDays: number; currency: string; notes: string;
  active: boolean; version: number; updatedAt: string;
}

export interface BomRow { id: string; productId: string; revision: string; active: boolean; notes: string; version: number; createdAt: string; updatedAt: string; updatedBy: string | null }
export interface BomLineWire {
  id: string; lineNo: number; childProductId: string | null; componentName: string | null; supplierId: string | null;
  quantity: number; unit: string; unitCost: number; scrapFactor: number; cost: number;
  costHistory: { unitCost: number; validFrom: string; validTo: string | null }[];
}
export interface BomWire extends BomRow { lines: BomLineWire[] }

export interface ProfitRow {
  productId: string; sku: string; name: string;
  /** Cents per unit, today's. */
  sellPrice: number; unitCost: number; material: number; labour: number; unitMargin: number; unitMarginBp: number | null;
  hasBom: boolean;
  /** The period: units of completed order lines, their revenue and cost (cost at completion), scrap at the reject's time. */
  unitsSold: number; revenue: number; cost: number; scrapUnits: number; scrapCost: number; profit: number;
  /** Profit over revenue; the unit margin's when nothing was sold. */
  marginBp: number | null;
}

export interface ProfitReport {
  from: string; to: string; currency: string; rows: ProfitRow[];
  totals: { revenue: number; cost: number; scrapCost: number; profit: number; marginBp: number | null };
}
/** A product in the costing list: its roll-up without the tree. */
export type ProductCostSummary = Omit<CostNode, 'lines'> & { unit: string; revisions: number };
