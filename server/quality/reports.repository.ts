// The quality report's SQL: the counted parts (job events) and the rejects of a period, narrowed by
// department and product, plus the names the report shows. The sums are made in sync/quality-report.ts.
import type { Db } from '../db/db';

export interface ReportFilter { fromAt: string; toAt: string; departmentId: string | null; productId: string | null }

/** Good and rejected parts counted on stages in the period (progress and corrections), with the product made. */
export async function countedParts(db: Db, f: ReportFilter) {
  let q = db.selectFrom('jobEvents')
    .innerJoin('stages', 'stages.id', 'jobEvents.stageId')
    .innerJoin('orderItems', 'orderItems.id', 'stages.orderItemId')
    .select(['jobEvents.departmentId', 'jobEvents.goodQty', 'jobEvents.rejectQty', 'jobEvents.at', 'orderItems.productId'])
    .where('jobEvents.kind', 'in', ['progress', 'correction'])
    .where('jobEvents.deletedAt', 'is', null)
    .where('jobEvents.at', '>=', f.fromAt)
    .where('jobEvents.at', '<', f.toAt);
  if (f.departmentId) q = q.where('jobEvents.departmentId', '=', f.departmentId);
  if (f.productId) q = q.where('orderItems.productId', '=', f.productId);
  return q.execute();
}

/** Rejects logged in the period, except disputed ones (not agreed to be defects). */
export async function rejectsIn(db: Db, f: ReportFilter) {
  let q = db.selectFrom('rejects')
    .select(['departmentId', 'machineId', 'defectCodeId', 'productId', 'quantity', 'disposition', 'createdAt'])
    .where('deletedAt', 'is', null)
    .where('status', '!=', 'disputed')
    .where('createdAt', '>=', f.fromAt)
    .where('createdAt', '<', f.toAt);
  if (f.departmentId) q = q.where('departmentId', '=', f.departmentId);
  if (f.productId) q = q.where('productId', '=', f.productId);
  return q.execute();
}

/** Names of the master data a report shows: id → label. */
export async function labels(db: Db) {
  const [departments, machines, defects, products] = await Promise.all([
    db.selectFrom('departments').select(['id', 'code', 'name']).execute(),
    db.selectFrom('machines').select(['id', 'code', 'name']).execute(),
    db.selectFrom('defectCodes').select(['id', 'code', 'name']).execute(),
    db.selectFrom('products').select(['id', 'sku', 'name']).execute(),
  ]);
  const map = <T extends { id: string }>(rows: T[], label: (r: T) => string) => new Map(rows.map((r) => [r.id, label(r)]));
  return {
    department: map(departments, (d) => d.name),
    machine: map(machines, (m) => `${m.code} ${m.name}`),
    defect: map(defects, (d) => `${d.code} ${d.name}`),
    product: map(products, (p) => `${p.sku} ${p.name}`),
  };
}
