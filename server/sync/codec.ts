// Rows between their database form (JSON text, 0/1) and their wire form (JSON values, booleans).
import { BOOL_FIELDS, JSON_FIELDS, SECRET_FIELDS, type TableName } from '../../sync/tables';

export function fromDb(table: TableName, r: object): Record<string, unknown> {
  const row: Record<string, unknown> = { ...r };
  for (const f of JSON_FIELDS[table] ?? []) if (typeof row[f] === 'string') row[f] = JSON.parse(row[f] as string);
  for (const f of BOOL_FIELDS) if (f in row) row[f] = !!Number(row[f]);
  if ('seq' in row) row.seq = Number(row.seq);
  return row;
}

export function toDb(table: TableName, row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...row };
  for (const f of JSON_FIELDS[table] ?? []) if (f in out && out[f] !== null) out[f] = JSON.stringify(out[f]);
  for (const f of BOOL_FIELDS) if (f in out && typeof out[f] === 'boolean') out[f] = out[f] ? 1 : 0;
  return out;
}

/** What a device receives: no sequence stamp, no secrets. */
export function toWire(table: TableName, row: Record<string, unknown>): Record<string, unknown> {
  const out = { ...row };
  delete out.seq;
  for (const f of SECRET_FIELDS[table] ?? []) delete out[f];
  return out;
}
