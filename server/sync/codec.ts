// Rows between their database form (JSON text, 0/1) and their wire form (JSON values, booleans).
import { BOOL_FIELDS, JSON_FIELDS, SECRET_FIELDS, type TableName } from '../../sync/tables';
import type { StampedTable } from '../db/schema';

const NOT_SENT = new Set(['seq']);
/** JSON_FIELDS over every table a ServerStore writes (the server-only ones have none). */
const STORED_JSON: Partial<Record<StampedTable, string[]>> = JSON_FIELDS;

export function fromDb(table: StampedTable, r: object): Record<string, unknown> {
  const row: Record<string, unknown> = { ...r };
  for (const f of STORED_JSON[table] ?? []) if (typeof row[f] === 'string') row[f] = JSON.parse(row[f] as string);
  for (const f of BOOL_FIELDS) if (f in row) row[f] = !!Number(row[f]);
  if ('seq' in row) row.seq = Number(row.seq);
  return row;
}

export function toDb(table: StampedTable, row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...row };
  for (const f of STORED_JSON[table] ?? []) if (f in out && out[f] !== null) out[f] = JSON.stringify(out[f]);
  for (const f of BOOL_FIELDS) if (f in out && typeof out[f] === 'boolean') out[f] = out[f] ? 1 : 0;
  return out;
}

/** What a device receives: no sequence stamp, no secrets (a new object: no `delete`, see wireFromDb). */
export function toWire(table: TableName, row: Record<string, unknown>): Record<string, unknown> {
  const secret = SECRET_FIELDS[table];
  const out: Record<string, unknown> = {};
  for (const f in row) if (!NOT_SENT.has(f) && !secret?.includes(f)) out[f] = row[f];
  return out;
}


/**
 * `toWire(table, fromDb(table, r))` in one pass, for the rows of a pull page read as objects: one new
 * object with the fields in the database's order, never a `delete` (which turns an object into a
 * slow dictionary that JSON.stringify then walks key by key).
 */
export function wireFromDb(table: TableName, r: Record<string, unknown>): Record<string, unknown> {
  const json = JSON_FIELDS[table];
  const secret = SECRET_FIELDS[table];
  const row: Record<string, unknown> = {};
  for (const f in r) {
    if (NOT_SENT.has(f) || secret?.includes(f)) continue;
    let value = r[f];
    if (json?.includes(f) && typeof value === 'string') value = JSON.parse(value);
    else if (BOOL_FIELDS.includes(f)) value = !!Number(value);
    row[f] = value;
  }
  return row;
}

/**
 * A change already written as JSON (a snapshot row read as an array, `changesFromArrays`): the text
 * of `JSON.stringify(change)`, which `pageJson` writes as it is. No object per row, per field or
 * per change is made on the way; a pull page of 1,000 rows cost a third of its time that way.
 */
export class RawChange {
  constructor(
    readonly id: string,
    readonly json: string,
  ) {}
}

type Plan = { id: number; head: string; fields: { at: number; key: string; json: boolean; bool: boolean }[] };
const plans = new Map<string, Plan>();

function planOf(table: TableName, columns: string[], name: (column: string) => string): Plan {
  const key = `${table}\0${columns.join(',')}`;
  let plan = plans.get(key);
  if (plan) return plan;
  const secret = SECRET_FIELDS[table];
  const fields: Plan['fields'] = [];
  columns.forEach((column, at) => {
    const f = name(column);
    if (NOT_SENT.has(f) || secret?.includes(f)) return;
    fields.push({ at, key: `${fields.length ? ',' : '{'}${JSON.stringify(f)}:`, json: !!JSON_FIELDS[table]?.includes(f), bool: BOOL_FIELDS.includes(f) });
  });
  const id = columns.findIndex((c) => name(c) === 'id');
  if (id < 0) throw new Error(`${table}: a snapshot row without an id column`);
  plan = { id, head: `{"table":${JSON.stringify(table)},"op":"upsert","id":`, fields };
  if (plans.size < 1_000) plans.set(key, plan);
  return plan;
}

/** One value as `JSON.stringify` writes it once `wireFromDb` has converted it. */
function valueJson(v: unknown, json: boolean, bool: boolean): string {
  if (json && typeof v === 'string') return JSON.stringify(JSON.parse(v));
  if (bool) return Number(v) ? 'true' : 'false';
  if (typeof v === 'string') return JSON.stringify(v);
  if (v === null) return 'null';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : 'null';
  return JSON.stringify(v);
}

/**
 * `JSON.stringify({ table, op: 'upsert', id: row.id, row: wireFromDb(table, row, name) })` for rows
 * read as arrays of `columns` (database names), without making the objects: the same bytes
 * (codec.test.ts and pull.test.ts compare them with the object path's).
 */
export function changesFromArrays(table: TableName, columns: string[], rows: unknown[][], name: (column: string) => string): RawChange[] {
  const plan = planOf(table, columns, name);
  const out: RawChange[] = new Array(rows.length);
  for (let r = 0; r < rows.length; r++) {
    const values = rows[r];
    const id = values[plan.id] as string;
    let s = `${plan.head}${JSON.stringify(id)},"row":`;
    for (const f of plan.fields) s += f.key + valueJson(values[f.at], f.json, f.bool);
    out[r] = new RawChange(id, `${s}${plan.fields.length ? '}' : '{}'}}`);
  }
  return out;
}

let scratch = Buffer.allocUnsafe(1 << 20);

/**
 * `Buffer.from(JSON.stringify(page))`, the same bytes, for a pull page's answer. One JSON.stringify of
 * a whole page (~600 KB) returns a tree of string pieces that must be flattened (a copy) before its
 * UTF-8 length can be taken and again walked to encode it: the response path then cost 3–4× the
 * stringify itself (measured, docs/performance.md "Sync"). Each change is small and flat and is
 * encoded straight into a reused buffer; the answer is one copy of the bytes written.
 */
export function pageJson<T extends { changes: unknown[] }>(page: T): Uint8Array<ArrayBuffer> {
  const { changes, ...head } = page;
  const headText = JSON.stringify(head);
  let n = 0;
  const put = (s: string) => {
    // s.length UTF-16 units never take more than 3 bytes each in UTF-8: write never truncates.
    if (n + s.length * 3 > scratch.length) {
      const grown = Buffer.allocUnsafe(Math.max(scratch.length * 2, n + s.length * 3));
      scratch.copy(grown, 0, 0, n);
      scratch = grown;
    }
    n += scratch.write(s, n);
  };
  put(headText.length > 2 ? `${headText.slice(0, -1)},"changes":[` : '{"changes":[');
  for (let i = 0; i < changes.length; i++) {
    const change = changes[i];
    const c = change instanceof RawChange ? change.json : (JSON.stringify(change) ?? 'null'); // as JSON.stringify writes an undefined array element
    put(i ? `,${c}` : c);
  }
  put(']}');
  // Not zero-filled: every byte is written by the copy; a zero-filled `new Uint8Array` of a page's
  // size is fresh memory from the system each time, and its page faults cost 20× the copy
  // (measured). allocUnsafeSlow, never Node's shared pool: the answer's whole `.buffer` is its own,
  // so nothing that sends `.buffer` could send other requests' bytes with it.
  const out = Buffer.allocUnsafeSlow(n);
  scratch.copy(out, 0, 0, n);
  return out;
}
