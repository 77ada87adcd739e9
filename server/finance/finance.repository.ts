// All SQL of finance (reads; writes go through server/sync/write.ts like admin master data).
import { sql } from 'kysely';
import type { BomRow, SupplierWire } from '../../sync/finance';
import type { RoutingStep } from '../../sync/tables';
import type { Db } from '../db/db';

const n = (x: number | string | null | undefined) => Number(x ?? 0);

function supplierWire(r: { id: string; name: string; contact: string; email: string; phone: string; leadTimeDays: number; currency: string; notes: string; active: number; version: number; updatedAt: string }): SupplierWire {
  return {
    id: r.id, name: r.name, contact: r.contact, email: r.email, phone: r.phone, leadTimeDays: n(r.leadTimeDays), currency: r.currency,
    notes: r.notes, active: !!n(r.active), version: n(r.version), updatedAt: r.updatedAt,
  };
}

const SUPPLIER_COLS = ['id', 'name', 'contact', 'email', 'phone', 'leadTimeDays', 'currency', 'notes', 'active', 'version', 'updatedAt'] as const;

export async function listSuppliers(db: Db, includeInactive: boolean) {
  let q = db.selectFrom('suppliers').select(SUPPLIER_COLS).where('deletedAt', 'is', null).orderBy('name');
  if (!includeInactive) q = q.where('active', '=', 1);
  return (await q.execute()).map(supplierWire);
}

export async function getSupplier(db: Db, id: string) {
  const r = await db.selectFrom('suppliers').select(SUPPLIER_COLS).where('id', '=', id).where('deletedAt', 'is', null).executeTakeFirst();
  return r && supplierWire(r);
}

/** A supplier of this name ignoring case (MariaDB's collation compares so, SQLite's does not). */
export async function supplierByName(db: Db, name: string) {
  return db.selectFrom('suppliers').select('id').where(sql<boolean>`lower(name) = lower(${name})`).where('deletedAt', 'is', null).executeTakeFirst();
}

/** How many live BOM lines name the supplier. */
export async function supplierUse(db: Db, id: string) {
  const r = await db.selectFrom('bomLines').select((eb) => eb.fn.countAll().as('n')).where('supplierId', '=', id).where('deletedAt', 'is', null).executeTakeFirstOrThrow();
  return n(r.n as number);
}

export interface ProductRow { id: string; sku: string; name: string; unit: string; sellPrice: number; standardMinutes: number; routing: RoutingStep[]; active: boolean }

export async function listProducts(db: Db, ids?: string[]): Promise<ProductRow[]> {
  let q = db.selectFrom('products').select(['id', 'sku', 'name', 'unit', 'sellPrice', 'standardMinutes', 'routing', 'active']).where('deletedAt', 'is', null).orderBy('sku');
  if (ids) {
    if (ids.length === 0) return [];
    q = q.where('id', 'in', ids);
  }
  return (await q.execute()).map((r) => ({
    id: r.id, sku: r.sku, name: r.name, unit: r.unit, sellPrice: n(r.sellPrice), standardMinutes: n(r.standardMinutes),
    routing: JSON.parse(r.routing || '[]') as RoutingStep[], active: !!n(r.active),
  }));
}

export async function getProduct(db: Db, id: string) {
  return (await listProducts(db, [id]))[0];
}

export type { BomRow };
const BOM_COLS = ['id', 'productId', 'revision', 'active', 'notes', 'version', 'createdAt', 'updatedAt', 'updatedBy'] as const;
const bomRow = (r: { id: string; productId: string; revision: string; active: number; notes: string; version: number; createdAt: string; updatedAt: string; updatedBy: string | null }): BomRow => ({ ...r, active: !!n(r.active), version: n(r.version) });

export async function listBoms(db: Db, productId?: string): Promise<BomRow[]> {
  let q = db.selectFrom('boms').select(BOM_COLS).where('deletedAt', 'is', null).orderBy('productId').orderBy('revision');
  if (productId) q = q.where('productId', '=', productId);
  return (await q.execute()).map(bomRow);
}

export async function getBom(db: Db, id: string) {
  const r = await db.selectFrom('boms').select(BOM_COLS).where('id', '=', id).where('deletedAt', 'is', null).executeTakeFirst();
  return r && bomRow(r);
}

export async function activeBomOf(db: Db, productId: string) {
  const r = await db.selectFrom('boms').select(BOM_COLS).where('productId', '=', productId).where('active', '=', 1).where('deletedAt', 'is', null).executeTakeFirst();
  return r && bomRow(r);
}

export async function revisionTaken(db: Db, productId: string, revision: string, selfId?: string) {
  const r = await db.selectFrom('boms').select('id').where('productId', '=', productId).where(sql<boolean>`lower(revision) = lower(${revision})`).where('deletedAt', 'is', null).executeTakeFirst();
  return !!r && r.id !== selfId;
}

export interface LineRow {
  id: string; bomId: string; lineNo: number; childProductId: string | null; componentName: string | null; supplierId: string | null;
  quantityMilli: number; unit: string; unitCost: number; scrapBp: number;
}
const LINE_COLS = ['id', 'bomId', 'lineNo', 'childProductId', 'componentName', 'supplierId', 'quantityMilli', 'unit', 'unitCost', 'scrapBp'] as const;

/** Live lines of the given BOMs, in line order. */
export async function linesOf(db: Db, bomIds: string[]): Promise<LineRow[]> {
  if (bomIds.length === 0) return [];
  const rows = await db.selectFrom('bomLines').select(LINE_COLS).where('bomId', 'in', bomIds).where('deletedAt', 'is', null).orderBy('bomId').orderBy('lineNo').execute();
  return rows.map((r) => ({ ...r, lineNo: n(r.lineNo), quantityMilli: n(r.quantityMilli), unitCost: n(r.unitCost), scrapBp: n(r.scrapBp) }));
}

/** Every product's active BOM with its lines (the roll-up's graph). */
export async function activeBomsWithLines(db: Db) {
  const boms = await db.selectFrom('boms').select(BOM_COLS).where('active', '=', 1).where('deletedAt', 'is', null).execute();
  const lines = await linesOf(db, boms.map((b) => b.id));
  return { boms: boms.map(bomRow), lines };
}

export interface CostRow { id: string; lineId: string; unitCost: number; validFrom: string; validTo: string | null }

/** The cost history of the given lines, oldest first. */
export async function costsOf(db: Db, lineIds: string[]): Promise<CostRow[]> {
  const out: CostRow[] = [];
  for (let i = 0; i < lineIds.length; i += 500) {
    const rows = await db.selectFrom('bomLineCosts').select(['id', 'lineId', 'unitCost', 'validFrom', 'validTo'])
      .where('lineId', 'in', lineIds.slice(i, i + 500)).where('deletedAt', 'is', null).orderBy('lineId').orderBy('validFrom').execute();
    out.push(...rows.map((r) => ({ ...r, unitCost: n(r.unitCost) })));
  }
  return out;
}

/** Products that are a sub-assembly on some live line of another product's BOM (any revision). */
export async function parentsOf(db: Db, productId: string) {
  return db.selectFrom('bomLines').innerJoin('boms', 'boms.id', 'bomLines.bomId').select(['boms.productId', 'boms.revision'])
    .where('bomLines.childProductId', '=', productId).where('bomLines.deletedAt', 'is', null).where('boms.deletedAt', 'is', null).execute();
}

/** Order lines of orders completed in [from, to): what was sold, when. */
export async function completedLines(db: Db, from: string, to: string) {
  const rows = await db.selectFrom('orderItems').innerJoin('orders', 'orders.id', 'orderItems.orderId')
    .select(['orderItems.productId', 'orderItems.quantity', 'orders.completedAt'])
    .where('orders.status', '=', 'completed').where('orders.completedAt', '>=', from).where('orders.completedAt', '<', to)
    .where('orders.deletedAt', 'is', null).where('orderItems.deletedAt', 'is', null).execute();
  return rows.map((r) => ({ productId: r.productId, quantity: n(r.quantity), at: r.completedAt! }));
}

/**
 * Rejects logged in [from, to) whose disposition is scrap, with their product: the reject's own, or
 * its stage's order line's when the reject names none.
 */
export async function scrapRejects(db: Db, from: string, to: string) {
  const rows = await db.selectFrom('rejects')
    .leftJoin('stages', 'stages.id', 'rejects.stageId')
    .leftJoin('orderItems', 'orderItems.id', 'stages.orderItemId')
    .select(['rejects.productId', 'orderItems.productId as stageProductId', 'rejects.quantity', 'rejects.createdAt'])
    .where('rejects.disposition', '=', 'scrap').where('rejects.createdAt', '>=', from).where('rejects.createdAt', '<', to)
    .where('rejects.deletedAt', 'is', null).execute();
  return rows
    .map((r) => ({ productId: r.productId ?? r.stageProductId ?? null, quantity: n(r.quantity), at: r.createdAt }))
    .filter((r): r is { productId: string; quantity: number; at: string } => r.productId !== null);
}

export async function readConfig(db: Db, key: string): Promise<unknown> {
  const r = await db.selectFrom('config').select('value').where('key', '=', key).executeTakeFirst();
  return r ? JSON.parse(r.value) : undefined;
}

export async function writeConfig(db: Db, key: string, value: unknown, now: string, userId: string) {
  const exists = await db.selectFrom('config').select('key').where('key', '=', key).executeTakeFirst();
  if (exists) await db.updateTable('config').set({ value: JSON.stringify(value), updatedAt: now, updatedBy: userId }).where('key', '=', key).execute();
  else await db.insertInto('config').values({ key, value: JSON.stringify(value), updatedAt: now, updatedBy: userId }).execute();
}

export async function departmentIds(db: Db) {
  return new Set((await db.selectFrom('departments').select('id').where('deletedAt', 'is', null).execute()).map((r) => r.id));
}
