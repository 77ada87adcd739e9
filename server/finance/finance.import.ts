// BOM lines from a spreadsheet: the order import's reader (server/import/import.parse.ts) and cell
// rules, a dry run that checks every row, and a commit of all lines or none.
import * as v from 'valibot';
import { BomLineInputSchema, toScaled, type BomLineInput } from '../../sync/finance';
import { issueDetails } from '../../sync/mutations';
import type { Db } from '../db/db';
import { AppError } from '../http/errors';
import { colName, type Sheet } from '../import/import.parse';
import { cellText } from '../import/import.service';
import * as repo from './finance.repository';

export const BOM_IMPORT_FIELDS = ['sku', 'componentName', 'supplier', 'quantity', 'unit', 'unitCost', 'scrapFactor'] as const;
export type BomImportField = (typeof BOM_IMPORT_FIELDS)[number];

/** Headers each field is found under (case and outer spaces ignored); the first that the sheet has wins. */
const HEADERS: Record<BomImportField, string[]> = {
  sku: ['sku', 'product', 'product sku', 'item number', 'sub-assembly'],
  componentName: ['component', 'component name', 'description', 'item', 'material'],
  supplier: ['supplier', 'vendor'],
  quantity: ['quantity', 'qty', 'qty per', 'quantity per'],
  unit: ['unit', 'uom', 'unit of measure'],
  unitCost: ['unit cost', 'cost', 'unit price', 'price'],
  scrapFactor: ['scrap', 'scrap factor', 'scrap %'],
};

export interface BomImportRow { line: number; values: Partial<Record<BomImportField, string | number | null>>; errors: { field: BomImportField | 'row'; message: string }[] }
export interface BomImportDryRun {
  headers: string[]; mapping: Partial<Record<BomImportField, string>>; rows: BomImportRow[]; rowCount: number; errorCount: number; committed: false;
}

const norm = (s: string) => s.trim().toLowerCase();

function numberOf(value: string | number): number | null {
  if (typeof value === 'number') return value;
  const t = value.replace(/\s/g, '').replace(',', '.');
  const pct = t.endsWith('%');
  const n = Number(pct ? t.slice(0, -1) : t);
  if (t === '' || !Number.isFinite(n)) return null;
  return pct ? Number((n / 100).toFixed(6)) : n;
}

/** Checks every row of the sheet; `lines` holds the BOM lines of a sheet without errors. */
export async function bomImportDryRun(db: Db, sheet: Sheet): Promise<BomImportDryRun & { lines: BomLineInput[] }> {
  const cols: Partial<Record<BomImportField, number>> = {};
  const mapping: Partial<Record<BomImportField, string>> = {};
  for (const f of BOM_IMPORT_FIELDS) {
    const i = sheet.headers.findIndex((h) => HEADERS[f].includes(norm(h ?? '')));
    if (i >= 0) { cols[f] = i; mapping[f] = sheet.headers[i]; }
  }
  if (cols.quantity === undefined || (cols.sku === undefined && cols.componentName === undefined)) {
    throw new AppError(400, 'validation_failed', `The sheet needs a "Quantity" column and a "SKU" or "Component" column. Columns found: ${sheet.headers.filter(Boolean).join(', ')}.`, [
      { field: 'file', message: 'needs Quantity and SKU or Component columns' },
    ]);
  }
  const products = new Map((await repo.listProducts(db)).map((p) => [p.sku.toUpperCase(), p]));
  const suppliers = new Map((await repo.listSuppliers(db, false)).map((s) => [norm(s.name), s]));
  const lines: BomLineInput[] = [];
  const rows: BomImportRow[] = sheet.rows.map(({ line, cells }) => {
    const values: BomImportRow['values'] = {};
    const errors: BomImportRow['errors'] = [];
    for (const f of BOM_IMPORT_FIELDS) {
      if (cols[f] === undefined) continue;
      const { value, problem } = cellText(cells[cols[f]!], `${colName(cols[f]!)}${line}`);
      if (problem) errors.push({ field: f, message: problem });
      values[f] = value instanceof Date ? value.toISOString().slice(0, 10) : value;
    }
    const text = (f: BomImportField) => (values[f] === null || values[f] === undefined ? null : String(values[f]));
    const sku = text('sku');
    const product = sku ? products.get(sku.toUpperCase()) : undefined;
    if (sku && !product) errors.push({ field: 'sku', message: `unknown product "${sku}"` });
    const supplierName = text('supplier');
    const supplier = supplierName ? suppliers.get(norm(supplierName)) : undefined;
    if (supplierName && !supplier) errors.push({ field: 'supplier', message: `no active supplier "${supplierName}"` });
    const num = (f: BomImportField) => {
      const raw = values[f];
      if (raw === null || raw === undefined) return undefined;
      const n = numberOf(raw);
      if (n === null) errors.push({ field: f, message: `"${raw}" is not a number` });
      return n ?? undefined;
    };
    const quantity = num('quantity');
    const cost = num('unitCost');
    const scrap = num('scrapFactor');
    // The sheet holds money as a decimal amount (12.34); the line holds cents.
    const unitCost = cost === undefined ? 0 : toScaled(cost, 2);
    if (cost !== undefined && unitCost === null) errors.push({ field: 'unitCost', message: `"${cost}" has more than 2 decimals` });
    const candidate = {
      childProductId: product?.id ?? null, componentName: product ? null : text('componentName'), supplierId: supplier?.id ?? null,
      quantity: quantity ?? Number.NaN, unit: text('unit') ?? 'pcs', unitCost: unitCost ?? 0, scrapFactor: scrap ?? 0,
    };
    if (!errors.length) {
      const r = v.safeParse(BomLineInputSchema, candidate);
      if (r.success) lines.push(r.output);
      else {
        for (const d of issueDetails(r.issues) as { field: string; message: string }[]) {
          const field = (d.field === 'childProductId' ? 'sku' : BOM_IMPORT_FIELDS.includes(d.field as BomImportField) ? d.field : 'row') as BomImportField | 'row';
          errors.push({ field, message: d.field === 'quantity' && quantity === undefined ? 'quantity is missing' : d.message });
        }
      }
    }
    return { line, values, errors };
  });
  const errorCount = rows.filter((r) => r.errors.length).length;
  return { headers: sheet.headers, mapping, rows, rowCount: rows.length, errorCount, committed: false, lines };
}
