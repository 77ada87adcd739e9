// The order import: map columns, check every row (dry run), then create all orders through the
// same order.create mutator in one transaction, audited as one import — or write nothing.
import { uuidv7 } from '../../sync/ids';
import { runMutator } from '../../sync/mutations';
import * as v from 'valibot';
import { routingStages, StageInputSchema } from '../../sync/planning';
import type { Product } from '../../sync/tables';
import type { PublicUser } from '../../sync/roles';
import { Rejection } from '../../sync/store';
import type { Deps } from '../context';
import { startsLikeFormula } from '../http/csv';
import { AppError } from '../http/errors';
import type { ServerStore } from '../sync/server-store';
import { writeAudited } from '../sync/write';
import { colName, type Cell, type Sheet } from './import.parse';
import { IMPORT_FIELDS, REQUIRED_FIELDS, type ImportField, type Preset } from './import.presets';
import * as repo from './import.repository';

export interface RowError { field: ImportField | 'row'; message: string }
export interface CheckedRow {
  line: number;
  values: Partial<Record<ImportField, string | number | null>>;
  errors: RowError[];
}
export interface OrderPlan {
  externalRef: string | null;
  customerName: string;
  dueDate: string;
  priority: number;
  notes: string | null;
  lines: { line: number; productId: string; sku: string; quantity: number }[];
}

export interface DryRun {
  headers: string[];
  mapping: Partial<Record<ImportField, string>>;
  rows: CheckedRow[];
  orders: OrderPlan[];
  rowCount: number;
  errorCount: number;
}

/** Column index per field; a required field without a column is a 400 naming it and the headers found. */
export function resolveColumns(headers: string[], mapping: Partial<Record<ImportField, string>>) {
  const norm = (s: string) => s.trim().toLowerCase();
  const index: Partial<Record<ImportField, number>> = {};
  const missing: { field: string; message: string }[] = [];
  for (const field of IMPORT_FIELDS) {
    const header = mapping[field];
    const i = header ? headers.findIndex((h) => norm(h) === norm(header)) : -1;
    if (i >= 0) index[field] = i;
    else if (REQUIRED_FIELDS.includes(field)) missing.push({ field: `mapping.${field}`, message: header ? `no column "${header}" in the sheet` : 'choose the column for this field' });
  }
  if (missing.length) {
    throw new AppError(400, 'validation_failed', `The column mapping does not fit this sheet. Columns found: ${headers.filter(Boolean).join(', ')}.`, missing);
  }
  return index;
}

/**
 * The value of one cell, or why it cannot be imported. Text is trimmed first, so a leading space,
 * tab, line break or no-break space cannot hide a formula; text that a spreadsheet would run as a
 * formula (startsLikeFormula) is refused, not stored, so no later export can hand it to Excel.
 */
export function cellText(c: Cell | undefined, ref: string): { value: string | number | Date | null; problem?: string } {
  if (c === null || c === undefined) return { value: null };
  if (c instanceof Date || typeof c === 'number') return { value: c };
  if (typeof c === 'boolean') return { value: String(c) };
  if (typeof c === 'object') {
    return { value: null, problem: 'formula' in c ? `cell ${ref} holds a formula; export the sheet with values only` : `cell ${ref} holds an error (${c.error})` };
  }
  const text = c.trim();
  if (startsLikeFormula(text)) return { value: null, problem: `cell ${ref} starts with "${text[0]}", which a spreadsheet would run as a formula; remove the "${text[0]}"` };
  return { value: text === '' ? null : text };
}

const pad = (n: number) => String(n).padStart(2, '0');

/** A calendar date from a cell: ISO text, d/m/y or m/d/y text (per preset), an Excel date or serial. */
export function parseDate(v: string | number | Date, slash: 'mdy' | 'dmy'): string | null {
  let y: number, m: number, d: number;
  if (v instanceof Date) {
    y = v.getUTCFullYear(); m = v.getUTCMonth() + 1; d = v.getUTCDate();
  } else if (typeof v === 'number') {
    if (v < 20_000 || v > 80_000) return null; // an Excel serial between 1954 and 2119
    const date = new Date(Date.UTC(1899, 11, 30) + Math.round(v) * 86_400_000);
    y = date.getUTCFullYear(); m = date.getUTCMonth() + 1; d = date.getUTCDate();
  } else {
    const iso = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ].*)?$/.exec(v);
    const sl = /^(\d{1,2})[/.](\d{1,2})[/.](\d{4})$/.exec(v);
    if (iso) [y, m, d] = [Number(iso[1]), Number(iso[2]), Number(iso[3])];
    else if (sl) [y, m, d] = slash === 'mdy' ? [Number(sl[3]), Number(sl[1]), Number(sl[2])] : [Number(sl[3]), Number(sl[2]), Number(sl[1])];
    else return null;
  }
  const check = new Date(Date.UTC(y, m - 1, d));
  if (check.getUTCFullYear() !== y || check.getUTCMonth() !== m - 1 || check.getUTCDate() !== d || y < 2000 || y > 2100) return null;
  return `${y}-${pad(m)}-${pad(d)}`;
}

export async function dryRun(deps: Deps, sheet: Sheet, preset: Preset, override: Partial<Record<ImportField, string>>): Promise<DryRun> {
  const mapping = { ...preset.mapping, ...override };
  const cols = resolveColumns(sheet.headers, mapping);
  const rows: CheckedRow[] = sheet.rows.map(({ line, cells }) => {
    const values: CheckedRow['values'] = {};
    const errors: RowError[] = [];
    for (const field of IMPORT_FIELDS) {
      if (cols[field] === undefined) continue;
      const { value, problem } = cellText(cells[cols[field]!], `${colName(cols[field]!)}${line}`);
      if (problem) errors.push({ field, message: problem });
      values[field] = value instanceof Date ? value.toISOString().slice(0, 10) : value;
      if (field === 'dueDate' && value !== null) {
        const parsed = parseDate(value, preset.slashDates);
        if (parsed) values.dueDate = parsed;
        else errors.push({ field, message: `"${String(value)}" is not a date` });
      }
    }
    for (const field of REQUIRED_FIELDS) {
      if ((values[field] ?? null) === null && !errors.some((e) => e.field === field)) errors.push({ field, message: `${field === 'sku' ? 'product' : field === 'customerName' ? 'customer' : field === 'dueDate' ? 'due date' : 'quantity'} is missing` });
    }
    const qty = values.quantity;
    if (qty !== null && qty !== undefined && !errors.some((e) => e.field === 'quantity')) {
      const n = typeof qty === 'number' ? qty : Number(String(qty).replace(/\s/g, '').replace(',', '.'));
      if (!Number.isInteger(n) || n < 1 || n > 10_000_000) errors.push({ field: 'quantity', message: `"${qty}" is not a whole number of at least 1` });
      else values.quantity = n;
    }
    if (values.priority !== null && values.priority !== undefined) {
      const p = Number(values.priority);
      if (!Number.isInteger(p) || p < 1 || p > 4) errors.push({ field: 'priority', message: `"${values.priority}" is not a priority from 1 to 4` });
      else values.priority = p;
    }
    for (const f of ['customerName', 'externalRef', 'sku', 'notes'] as const) {
      if (values[f] !== null && values[f] !== undefined) values[f] = String(values[f]);
    }
    if (typeof values.customerName === 'string' && values.customerName.length > 200) errors.push({ field: 'customerName', message: 'is longer than 200 characters' });
    if (typeof values.externalRef === 'string' && values.externalRef.length > 64) errors.push({ field: 'externalRef', message: 'is longer than 64 characters' });
    if (typeof values.notes === 'string' && values.notes.length > 2000) errors.push({ field: 'notes', message: 'is longer than 2000 characters' });
    return { line, values, errors };
  });

  const skus = [...new Set(rows.map((r) => r.values.sku).filter((s): s is string => typeof s === 'string').map((s) => s.toUpperCase()))];
  const products = await repo.productsBySku(deps.db, skus);
  const refs = [...new Set(rows.map((r) => r.values.externalRef).filter((s): s is string => typeof s === 'string'))];
  const existing = await repo.ordersByExternalRef(deps.db, refs);

  const orders = new Map<string, OrderPlan>();
  for (const r of rows) {
    const sku = typeof r.values.sku === 'string' ? r.values.sku : null;
    const product = sku ? products.get(sku.toUpperCase()) : undefined;
    if (sku && !product) r.errors.push({ field: 'sku', message: `unknown product "${sku}"` });
    else if (product && !product.active) r.errors.push({ field: 'sku', message: `product "${sku}" is not active` });
    const ref = typeof r.values.externalRef === 'string' ? r.values.externalRef : null;
    if (ref && existing.has(ref)) r.errors.push({ field: 'externalRef', message: `duplicate external reference: "${ref}" was imported before as ${existing.get(ref)}` });
    if (r.errors.length) continue;
    const key = ref ?? `line:${r.line}`;
    const plan = orders.get(key);
    if (plan) {
      if (plan.customerName !== r.values.customerName) r.errors.push({ field: 'customerName', message: `order "${ref}" has customer "${plan.customerName}" on an earlier row` });
      if (plan.dueDate !== r.values.dueDate) r.errors.push({ field: 'dueDate', message: `order "${ref}" is due ${plan.dueDate} on an earlier row` });
      if (!r.errors.length) plan.lines.push({ line: r.line, productId: product!.id, sku: product!.sku, quantity: r.values.quantity as number });
    } else {
      orders.set(key, {
        externalRef: ref, customerName: r.values.customerName as string, dueDate: r.values.dueDate as string,
        priority: (r.values.priority as number | undefined) ?? 3, notes: (r.values.notes as string | undefined) ?? null,
        lines: [{ line: r.line, productId: product!.id, sku: product!.sku, quantity: r.values.quantity as number }],
      });
    }
  }
  const errorCount = rows.filter((r) => r.errors.length).length;
  return { headers: sheet.headers, mapping, rows, orders: [...orders.values()], rowCount: rows.length, errorCount };
}

/** Creates every planned order in one transaction through order.create, with one audit entry for the import. */
export async function commitImport(deps: Deps, user: PublicUser, plan: DryRun, meta: { fileName: string; preset: string; ip: string | null }) {
  if (plan.errorCount > 0) {
    throw new AppError(400, 'import_has_errors', `${plan.errorCount} of ${plan.rowCount} rows have errors; nothing was imported.`,
      plan.rows.filter((r) => r.errors.length).slice(0, 200).map((r) => ({ line: r.line, errors: r.errors })));
  }
  const done = await writeAudited(deps.db, { actor: user, name: 'import.orders', ip: meta.ip, bulkInserts: true }, async (store, w) => {
    const created: { id: string; number: string | null; externalRef: string | null; lines: number }[] = [];
    // Every order's args first, with the stages of each product's routing, so that the checks the
    // mutator makes row by row — no order with the external reference, no item or stage id taken,
    // the products and departments — are read in a few queries of many rows, not one each.
    // Stage ids are time-ordered (uuidv7, like the orders' and items'), not derived from the
    // mutation as a device's order.create derives them: nothing has to derive them again, and
    // tens of thousands of hashed keys inserted at random places in the stages table and the
    // change log's row index cost SQLite twice the time of keys that append (docs/performance.md).
    const productIds = [...new Set(plan.orders.flatMap((o) => o.lines.map((l) => l.productId)))];
    await store.prefetch('products', productIds);
    const products = new Map<string, Product>();
    for (const pid of productIds) {
      const p = await store.get('products', pid);
      if (p) products.set(pid, p);
    }
    const planned = plan.orders.map((o) => {
      const id = uuidv7();
      const ctx = w.context(user, id);
      const items = o.lines.map((l) => {
        const product = products.get(l.productId);
        const itemId = uuidv7();
        const stages = product?.routing.length ? routingStages(product, l.quantity, uuidv7) : [];
        // Stages as sent must pass the schema (at most 100,000 planned minutes): when not, the mutator derives them as before.
        return { id: itemId, productId: l.productId, quantity: l.quantity, ...(stages.length && stages.every((st) => v.is(StageInputSchema, st)) ? { stages } : {}) };
      });
      return { o, id, ctx, items };
    });
    await store.prefetch('orders', planned.map((p) => p.id));
    await store.prefetch('orderItems', planned.flatMap((p) => p.items.map((i) => i.id)));
    await store.prefetch('stages', planned.flatMap((p) => p.items.flatMap((i) => i.stages?.map((s) => s.id) ?? [])));
    await store.prefetch('departments', [...new Set(planned.flatMap((p) => p.items.flatMap((i) => i.stages?.map((s) => s.departmentId) ?? [])))]);
    await store.prefetchFind('orders', 'externalRef', planned.flatMap((p) => (p.o.externalRef ? [p.o.externalRef] : [])));
    for (const { o, id, ctx, items } of planned) {
      try {
        await runMutator(store, 'order.create', {
          id, customerName: o.customerName, externalRef: o.externalRef, dueDate: o.dueDate, priority: o.priority, notes: o.notes, source: 'import',
          // The planner saw the preview (late due dates flagged there) before committing.
          confirmPastDue: true,
          items,
        }, ctx);
      } catch (err) {
        if (err instanceof Rejection) {
          throw new AppError(400, 'import_has_errors', `Row ${o.lines[0].line}: ${err.message} Nothing was imported.`, [{ line: o.lines[0].line, errors: [{ field: 'row', message: err.message }] }]);
        }
        throw err;
      }
      created.push({ id, number: null, externalRef: o.externalRef, lines: o.lines.length });
    }
    const summary = (s: ServerStore) => {
      const numbers = new Map(s.writes.filter((x) => x.table === 'orders').map((x) => [x.id, x.after.number as string]));
      for (const c of created) c.number = numbers.get(c.id) ?? null;
      return { file: meta.fileName.slice(0, 200), preset: meta.preset, orders: created.length, lines: plan.rowCount, numbers: created.map((c) => c.number) };
    };
    return { table: 'orders' as const, id: null, summary, created };
  });
  return { orders: done.created, orderCount: done.created.length, lineCount: plan.rowCount };
}
