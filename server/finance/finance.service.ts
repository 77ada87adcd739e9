// Finance writes: every write is one audited write (server/sync/write.ts, the path admin master data
// takes) in one transaction, checked in full before the first row is written. The roll-up and the
// profitability report, which only read, are in finance.costing.ts.
import { editOf } from '../../sync/merge';
import {
  findCycle, labourRateOf, LABOUR_RATE_KEY, lineCost, toScaled,
  type BomLineInput, type BomWire, type LabourRate, type SupplierCreate,
} from '../../sync/finance';
import { uuidv7 } from '../../sync/ids';
import type { PublicUser } from '../../sync/roles';
import { isUniqueViolation, type Db } from '../db/db';
import { AppError, notFound } from '../http/errors';
import type { StampedServerRow, StampedServerTable } from '../db/schema';
import type { ServerStore } from '../sync/server-store';
import { auditedWrite } from '../sync/write';
import * as repo from './finance.repository';

/**
 * The finance tables (suppliers, boms, bomLines, bomLineCosts): stamped like synced rows
 * (server/db/schema.ts StampedServerTables), so that the one audited write path, a ServerStore, writes
 * them. Pull reads only SYNCED_TABLES, so these rows never reach a device.
 */
type FinanceTable = StampedServerTable;

export interface Meta { actor: PublicUser; ip: string | null }

const bad = (field: string, message: string, summary = 'The request body is not valid.') =>
  new AppError(400, 'validation_failed', summary, [{ field, message }]);

/** Runs `body` as one audited write, in one transaction. */
function write<T>(db: Db, meta: Meta, name: string, entity: FinanceTable | null, body: (trx: Db, store: ServerStore, now: string) => Promise<{ id: string | null; value: T; message?: string; summary?: unknown }>) {
  let value: T;
  return db.transaction().execute(async (trx) => {
    await auditedWrite(trx, { actor: meta.actor, name, ip: meta.ip }, async (store, { now }) => {
      const out = await body(trx, store, now);
      value = out.value;
      return { table: out.id ? entity : null, id: out.id, message: out.message, summary: out.summary === undefined ? undefined : () => out.summary };
    });
    return value!;
  });
}

// ── suppliers ────────────────────────────────────────────────────────────────

const taken = (name: string) => new AppError(409, 'already_exists', `Supplier with name "${name}" already exists.`, [{ field: 'name', message: 'is already taken' }]);

async function assertSupplierName(db: Db, name: string, selfId?: string) {
  const hit = await repo.supplierByName(db, name);
  if (hit && hit.id !== selfId) throw taken(name);
}

function raceToTaken(name: string) {
  return (err: unknown): never => {
    if (isUniqueViolation(err)) throw taken(name);
    throw err;
  };
}

export async function createSupplier(db: Db, meta: Meta, input: SupplierCreate) {
  await assertSupplierName(db, input.name);
  const id = uuidv7();
  await write(db, meta, 'finance.suppliers.create', 'suppliers', async (_trx, s) => {
    await s.insert('suppliers', { id, ...input, active: true });
    return { id, value: null };
  }).catch(raceToTaken(input.name));
  return (await repo.getSupplier(db, id))!;
}

export async function updateSupplier(db: Db, meta: Meta, id: string, input: Partial<SupplierCreate> & { active?: boolean }) {
  if (!(await repo.getSupplier(db, id))) throw notFound('Supplier');
  if (input.name !== undefined) await assertSupplierName(db, input.name, id);
  await write(db, meta, 'finance.suppliers.update', 'suppliers', async (_trx, s) => {
    await s.update('suppliers', id, input);
    return { id, value: null };
  }).catch(raceToTaken(input.name ?? ''));
  return (await repo.getSupplier(db, id))!;
}

/** Deletes a supplier no BOM line uses; one that is used is deactivated instead (its lines keep it). */
export async function deleteSupplier(db: Db, meta: Meta, id: string) {
  const current = await repo.getSupplier(db, id);
  if (!current) throw notFound('Supplier');
  const used = await repo.supplierUse(db, id);
  if (used > 0) {
    if (current.active) await updateSupplier(db, meta, id, { active: false });
    return { outcome: 'deactivated' as const, message: `${current.name} is on ${used} BOM line${used === 1 ? '' : 's'}, so it was deactivated instead of deleted.`, item: await repo.getSupplier(db, id) };
  }
  await write(db, meta, 'finance.suppliers.delete', 'suppliers', async (_trx, s, now) => {
    await s.update('suppliers', id, { deletedAt: now, active: false });
    return { id, value: null };
  });
  return { outcome: 'deleted' as const, message: `${current.name} was deleted.`, item: null };
}

// ── BOMs ─────────────────────────────────────────────────────────────────────

export async function bomWire(db: Db, bom: repo.BomRow): Promise<BomWire> {
  const lines = await repo.linesOf(db, [bom.id]);
  const costs = await repo.costsOf(db, lines.map((l) => l.id));
  return {
    ...bom,
    lines: lines.map((l) => ({
      id: l.id, lineNo: l.lineNo, childProductId: l.childProductId, componentName: l.componentName, supplierId: l.supplierId,
      quantity: l.quantityMilli / 1000, unit: l.unit, unitCost: l.unitCost, scrapFactor: l.scrapBp / 10_000,
      cost: l.childProductId ? 0 : lineCost(l.quantityMilli, l.unitCost, l.scrapBp),
      costHistory: costs.filter((c) => c.lineId === l.id).map((c) => ({ unitCost: c.unitCost, validFrom: c.validFrom, validTo: c.validTo })),
    })),
  };
}

/** What each product's active BOM holds as sub-assemblies, with `override` standing in for one product's. */
async function childrenMap(db: Db) {
  const { boms, lines } = await repo.activeBomsWithLines(db);
  const byBom = new Map(boms.map((b) => [b.id, b.productId]));
  const map = new Map<string, string[]>();
  for (const l of lines) if (l.childProductId) map.set(byBom.get(l.bomId)!, [...(map.get(byBom.get(l.bomId)!) ?? []), l.childProductId]);
  return map;
}

async function assertNoCycle(db: Db, productId: string, lines: { childProductId?: string | null }[]) {
  const children = lines.map((l) => l.childProductId).filter((c): c is string => !!c);
  if (!children.length) return;
  const map = await childrenMap(db);
  const path = findCycle(productId, children, (id) => map.get(id) ?? []);
  if (!path) return;
  const skus = new Map((await repo.listProducts(db, [...new Set(path)])).map((p) => [p.id, p.sku]));
  const named = path.map((id) => skus.get(id) ?? id).join(' → ');
  const i = lines.findIndex((l) => l.childProductId === path[1]);
  throw new AppError(409, 'bom_cycle', `This BOM would contain itself: ${named}. A product cannot be its own sub-assembly at any depth; remove the line with ${skus.get(path[1]) ?? path[1]}.`, [{ field: `lines.${i}.childProductId`, message: `makes a cycle: ${named}` }]);
}

/** Every reference a list of lines makes, checked before anything is written. */
async function checkLines(db: Db, bomId: string | null, lines: BomLineInput[]) {
  const existing = bomId ? await repo.linesOf(db, [bomId]) : [];
  const ids = new Set(existing.map((l) => l.id));
  const childIds = [...new Set(lines.map((l) => l.childProductId).filter((c): c is string => !!c))];
  const products = new Map((await repo.listProducts(db, childIds)).map((p) => [p.id, p]));
  const suppliers = new Map((await repo.listSuppliers(db, true)).map((s) => [s.id, s]));
  const seen = new Set<string>();
  for (const [i, l] of lines.entries()) {
    if (l.id && (!ids.has(l.id) || seen.has(l.id))) throw bad(`lines.${i}.id`, 'is not a line of this BOM');
    if (l.id) seen.add(l.id);
    if (l.childProductId && !products.get(l.childProductId)?.active) throw bad(`lines.${i}.childProductId`, 'no active product has this id');
    if (l.supplierId && !suppliers.get(l.supplierId)) throw bad(`lines.${i}.supplierId`, 'no supplier has this id');
    if (l.supplierId && !suppliers.get(l.supplierId)!.active && existing.find((e) => e.id === l.id)?.supplierId !== l.supplierId) {
      throw bad(`lines.${i}.supplierId`, `${suppliers.get(l.supplierId)!.name} is deactivated; pick an active supplier`);
    }
  }
  return existing;
}

/** Writes `lines` as the BOM's whole list of lines, in order: updates kept lines, adds new ones, deletes the rest. */
async function saveLines(trx: Db, s: ServerStore, bomId: string, existing: repo.LineRow[], lines: BomLineInput[], now: string) {
  const costs = await repo.costsOf(trx, existing.map((l) => l.id));
  const kept = new Set<string>();
  for (const [i, l] of lines.entries()) {
    const lineNo = i + 1;
    const child = l.childProductId ?? null;
    const fields = {
      lineNo, childProductId: child, componentName: child ? null : (l.componentName ?? null), supplierId: l.supplierId ?? null,
      quantityMilli: toScaled(l.quantity, 3)!, unit: l.unit, unitCost: child ? 0 : l.unitCost, scrapBp: toScaled(l.scrapFactor, 4)!,
    };
    const from = l.costFrom ?? now;
    if (!l.id) {
      const id = uuidv7();
      await s.insert('bomLines', { id, bomId, ...fields });
      if (!child) await s.insert('bomLineCosts', { id: uuidv7(), lineId: id, unitCost: fields.unitCost, validFrom: from, validTo: null });
      continue;
    }
    kept.add(l.id);
    const was = existing.find((e) => e.id === l.id)!;
    const { changes } = editOf(was, fields);
    if (Object.keys(changes).length) await s.update('bomLines', l.id, changes);
    if ('unitCost' in changes && !child) {
      // The old cost stays with its dates; the new one runs from `from`.
      const open = costs.filter((c) => c.lineId === l.id && c.validTo === null);
      for (const c of open) {
        if (from <= c.validFrom) throw bad(`lines.${i}.costFrom`, `must be after ${c.validFrom}, when the current cost started`);
        await s.update('bomLineCosts', c.id, { validTo: from });
      }
      await s.insert('bomLineCosts', { id: uuidv7(), lineId: l.id, unitCost: fields.unitCost, validFrom: from, validTo: null });
    }
  }
  for (const e of existing) if (!kept.has(e.id)) await s.update('bomLines', e.id, { deletedAt: now });
}

async function activeProduct(db: Db, productId: string) {
  const p = await repo.getProduct(db, productId);
  if (!p || !p.active) throw bad('productId', 'no active product has this id', 'There is no such product to make a BOM for.');
  return p;
}

const secondActive = (revision: string) =>
  new AppError(409, 'active_revision_exists', `Revision ${revision} is this product's active BOM. Save this one inactive and activate it: that makes it the only active one.`, [{ field: 'active', message: 'another revision is active' }]);
const revisionTaken = (revision: string) =>
  new AppError(409, 'already_exists', `This product already has a BOM revision "${revision}".`, [{ field: 'revision', message: 'is already taken' }]);

function raceToBomConflict(revision: string, productId: string, db: Db) {
  return async (err: unknown): Promise<never> => {
    if (isUniqueViolation(err)) {
      const active = await repo.activeBomOf(db, productId);
      throw active && active.revision !== revision ? secondActive(active.revision) : revisionTaken(revision);
    }
    throw err;
  };
}

export async function createBom(db: Db, meta: Meta, input: { productId: string; revision: string; notes: string; active: boolean; lines: BomLineInput[] }) {
  await activeProduct(db, input.productId);
  if (await repo.revisionTaken(db, input.productId, input.revision)) throw revisionTaken(input.revision);
  const active = await repo.activeBomOf(db, input.productId);
  if (input.active && active) throw secondActive(active.revision);
  await checkLines(db, null, input.lines);
  await assertNoCycle(db, input.productId, input.lines);
  const id = uuidv7();
  await write(db, meta, 'finance.boms.create', 'boms', async (trx, s, now) => {
    await s.insert('boms', { id, productId: input.productId, revision: input.revision, notes: input.notes, active: input.active, activeProductId: input.active ? input.productId : null });
    await saveLines(trx, s, id, [], input.lines, now);
    return { id, value: null };
  }).catch(raceToBomConflict(input.revision, input.productId, db));
  return bomWire(db, (await repo.getBom(db, id))!);
}

export async function updateBom(db: Db, meta: Meta, id: string, input: { revision?: string; notes?: string; lines?: BomLineInput[] }) {
  const bom = await repo.getBom(db, id);
  if (!bom) throw notFound('BOM');
  if (input.revision !== undefined && (await repo.revisionTaken(db, bom.productId, input.revision, id))) throw revisionTaken(input.revision);
  const existing = input.lines ? await checkLines(db, id, input.lines) : [];
  if (input.lines) await assertNoCycle(db, bom.productId, input.lines);
  await write(db, meta, 'finance.boms.update', 'boms', async (trx, s, now) => {
    const changes: Partial<StampedServerRow<'boms'>> = {};
    if (input.revision !== undefined && input.revision !== bom.revision) changes.revision = input.revision;
    if (input.notes !== undefined && input.notes !== bom.notes) changes.notes = input.notes;
    // The BOM's version moves with every save of its lines, so the audit entry is about the BOM.
    await s.update('boms', id, changes);
    if (input.lines) await saveLines(trx, s, id, existing, input.lines, now);
    return { id, value: null };
  }).catch(raceToBomConflict(input.revision ?? bom.revision, bom.productId, db));
  return bomWire(db, (await repo.getBom(db, id))!);
}

/** Makes a revision the product's active BOM; the one active before is deactivated in the same write. */
export async function activateBom(db: Db, meta: Meta, id: string) {
  const bom = await repo.getBom(db, id);
  if (!bom) throw notFound('BOM');
  if (bom.active) return bomWire(db, bom);
  const lines = await repo.linesOf(db, [id]);
  await assertNoCycle(db, bom.productId, lines);
  const before = await repo.activeBomOf(db, bom.productId);
  await write(db, meta, 'finance.boms.activate', 'boms', async (_trx, s) => {
    if (before) await s.update('boms', before.id, { active: false, activeProductId: null });
    await s.update('boms', id, { active: true, activeProductId: bom.productId });
    return { id, value: null, message: before ? `replaces revision ${before.revision}` : undefined };
  }).catch(raceToBomConflict(bom.revision, bom.productId, db));
  return bomWire(db, (await repo.getBom(db, id))!);
}

export async function deactivateBom(db: Db, meta: Meta, id: string) {
  const bom = await repo.getBom(db, id);
  if (!bom) throw notFound('BOM');
  if (bom.active) {
    await write(db, meta, 'finance.boms.deactivate', 'boms', async (_trx, s) => {
      await s.update('boms', id, { active: false, activeProductId: null });
      return { id, value: null };
    });
  }
  return bomWire(db, (await repo.getBom(db, id))!);
}

/** A new inactive revision with the same lines; each line keeps its cost history. */
export async function copyBom(db: Db, meta: Meta, id: string, input: { revision: string; notes?: string }) {
  const bom = await repo.getBom(db, id);
  if (!bom) throw notFound('BOM');
  if (await repo.revisionTaken(db, bom.productId, input.revision)) throw revisionTaken(input.revision);
  const lines = await repo.linesOf(db, [id]);
  const costs = await repo.costsOf(db, lines.map((l) => l.id));
  const newId = uuidv7();
  await write(db, meta, 'finance.boms.copy', 'boms', async (_trx, s) => {
    await s.insert('boms', { id: newId, productId: bom.productId, revision: input.revision, notes: input.notes ?? bom.notes, active: false, activeProductId: null });
    for (const l of lines) {
      const lineId = uuidv7();
      const { id: _old, bomId: _bom, ...fields } = l;
      await s.insert('bomLines', { id: lineId, bomId: newId, ...fields });
      for (const c of costs.filter((x) => x.lineId === l.id)) {
        await s.insert('bomLineCosts', { id: uuidv7(), lineId, unitCost: c.unitCost, validFrom: c.validFrom, validTo: c.validTo });
      }
    }
    return { id: newId, value: null, message: `copy of revision ${bom.revision}` };
  }).catch(raceToBomConflict(input.revision, bom.productId, db));
  return bomWire(db, (await repo.getBom(db, newId))!);
}

/** Appends imported lines to a BOM (the import's commit): the same checks and write as a save. */
export async function appendLines(db: Db, meta: Meta, id: string, lines: BomLineInput[], summary: { fileName: string; lineCount: number }) {
  const bom = await repo.getBom(db, id);
  if (!bom) throw notFound('BOM');
  const existing = await repo.linesOf(db, [id]);
  const all: BomLineInput[] = [
    ...existing.map((l) => ({ id: l.id, childProductId: l.childProductId, componentName: l.componentName, supplierId: l.supplierId, quantity: l.quantityMilli / 1000, unit: l.unit, unitCost: l.unitCost, scrapFactor: l.scrapBp / 10_000 })),
    ...lines,
  ];
  await checkLines(db, id, all);
  await assertNoCycle(db, bom.productId, all);
  await write(db, meta, 'finance.boms.import', 'boms', async (trx, s, now) => {
    await s.update('boms', id, {});
    await saveLines(trx, s, id, existing, all, now);
    return { id, value: null, message: `${summary.lineCount} lines imported from ${summary.fileName}` };
  });
  return bomWire(db, (await repo.getBom(db, id))!);
}

// ── labour rate ──────────────────────────────────────────────────────────────

export async function labourRate(db: Db): Promise<LabourRate> {
  return labourRateOf(await repo.readConfig(db, LABOUR_RATE_KEY));
}

export async function setLabourRate(db: Db, meta: Meta, rate: LabourRate) {
  const depts = await repo.departmentIds(db);
  for (const id of Object.keys(rate.departments ?? {})) if (!depts.has(id)) throw bad(`departments.${id}`, 'no department has this id');
  const before = await labourRate(db);
  await write(db, meta, 'finance.labour_rate.set', null, async (trx, _s, now) => {
    await repo.writeConfig(trx, LABOUR_RATE_KEY, rate, now, meta.actor.id);
    return { id: null, value: null, summary: { key: LABOUR_RATE_KEY, before, after: rate } };
  });
  return labourRate(db);
}
