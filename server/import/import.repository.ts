// SQL of the order import: products by SKU and orders that already carry an external reference.
import type { Db } from '../db/db';

export async function productsBySku(db: Db, skus: string[]) {
  const out = new Map<string, { id: string; sku: string; active: boolean }>();
  for (let i = 0; i < skus.length; i += 500) {
    const rows = await db.selectFrom('products').select(['id', 'sku', 'active']).where('sku', 'in', skus.slice(i, i + 500)).where('deletedAt', 'is', null).execute();
    for (const r of rows) out.set(String(r.sku).toUpperCase(), { id: r.id, sku: r.sku, active: !!Number(r.active) });
  }
  return out;
}

export async function ordersByExternalRef(db: Db, refs: string[]) {
  const out = new Map<string, string>();
  for (let i = 0; i < refs.length; i += 500) {
    const rows = await db.selectFrom('orders').select(['externalRef', 'number']).where('externalRef', 'in', refs.slice(i, i + 500)).where('status', '!=', 'cancelled').where('deletedAt', 'is', null).execute();
    for (const r of rows) out.set(r.externalRef as string, (r.number as string) ?? 'an existing order');
  }
  return out;
}
