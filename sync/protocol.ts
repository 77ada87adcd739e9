// Wire shapes of SYNC-PROTOCOL.md v1 (push, pull, results) as valibot schemas and types.
import * as v from 'valibot';
import type { TableName } from './tables';

export const SCHEMA_VERSION = 1;
export const MAX_MUTATIONS_PER_PUSH = 500;
export const MAX_PUSH_BYTES = 1024 * 1024;

/** Deepest nesting of objects and arrays a request body may have; a push mutation's args get less. */
export const MAX_JSON_DEPTH = 64;
export const MAX_ARGS_DEPTH = 16;

/** How deeply a parsed JSON value nests, counted without recursion (a 20,000-level body must not overflow the stack). */
export function jsonDepth(value: unknown, stopAt = Infinity): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length) {
    const [v, d] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (d > deepest) deepest = d;
    if (deepest > stopAt) return deepest;
    for (const child of Array.isArray(v) ? v : Object.values(v)) stack.push([child, d + 1]);
  }
  return deepest;
}

export const Uuid = v.pipe(v.string('must be an id'), v.uuid('must be an id (a UUID)'));

/** Years a plant's dates and action times may fall in: anything else is a typo or a broken clock. */
export const MIN_YEAR = 2000;
export const MAX_YEAR = 2099;

/** A real calendar day `YYYY-MM-DD` (no 31 February, no rollover) within MIN_YEAR…MAX_YEAR. */
export function isRealDate(text: string, minYear = MIN_YEAR, maxYear = MAX_YEAR): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (y < minYear || y > maxYear || mo < 1 || mo > 12 || d < 1) return false;
  return d <= new Date(Date.UTC(y, mo, 0)).getUTCDate();
}

/** An ISO-8601 instant with a real date and time (a `Z` or ±hh:mm offset), within MIN_YEAR…MAX_YEAR as UTC. */
export function isRealTimestamp(text: string, minYear = MIN_YEAR, maxYear = MAX_YEAR): boolean {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-](\d{2}):(\d{2}))$/.exec(text);
  if (!m || !isRealDate(m[1], minYear, maxYear)) return false;
  if (Number(m[2]) > 23 || Number(m[3]) > 59 || Number(m[4] ?? 0) > 59) return false;
  if (m[6] !== undefined && (Number(m[6]) > 14 || Number(m[7]) > 59)) return false;
  const t = Date.parse(text);
  if (Number.isNaN(t)) return false;
  const year = new Date(t).getUTCFullYear();
  return year >= minYear && year <= maxYear;
}

/** The one date schema of every mutation and route: `YYYY-MM-DD`, a day that exists. */
export const IsoDate = v.pipe(
  v.string('must be a date (YYYY-MM-DD)'),
  v.check(isRealDate, `must be a real date (YYYY-MM-DD) between ${MIN_YEAR} and ${MAX_YEAR}`),
);
/** The one timestamp schema of every mutation and route: an instant that exists, with `Z` or an offset. */
export const IsoTime = v.pipe(
  v.string('must be an ISO-8601 timestamp'),
  v.check(isRealTimestamp, `must be a real ISO-8601 time (e.g. 2026-11-25T08:00:00Z) between ${MIN_YEAR} and ${MAX_YEAR}`),
);

/**
 * A device's clock reading: a real instant, but any year a broken clock may show (a phone reset to 1970
 * still made a real action; the mutator bounds the time by the server's clock). Four-digit years only.
 */
export const DeviceTime = v.pipe(
  v.string('must be an ISO-8601 timestamp'),
  v.check((t) => isRealTimestamp(t, 1970, 9999), 'must be a real ISO-8601 time (e.g. 2026-11-25T08:00:00Z)'),
);

/** One mutation as sent; `args` is checked later against the mutation's own schema. */
export const MutationEnvelopeSchema = v.object({
  id: Uuid,
  seq: v.pipe(v.number('must be a number'), v.integer('must be a whole number'), v.minValue(1, 'is at least 1')),
  name: v.pipe(v.string('must be text'), v.maxLength(64, 'can hold at most 64')),
  args: v.unknown(),
  at: DeviceTime,
});
export type MutationEnvelope = v.InferOutput<typeof MutationEnvelopeSchema>;

export const PushRequestSchema = v.strictObject({
  clientId: Uuid,
  schemaVersion: v.literal(SCHEMA_VERSION),
  mutations: v.pipe(
    v.array(v.unknown(), 'must be a list'),
    v.minLength(1, 'must hold at least one mutation'),
    v.maxLength(MAX_MUTATIONS_PER_PUSH, `must hold at most ${MAX_MUTATIONS_PER_PUSH} mutations`),
  ),
}, 'has a field that is not allowed');
export type PushRequest = v.InferOutput<typeof PushRequestSchema>;

export const PullQuerySchema = v.strictObject({
  cursor: v.optional(v.pipe(v.string('must be text'), v.maxLength(200, 'can hold at most 200'))),
  limit: v.optional(v.pipe(v.string('must be text'), v.regex(/^\d+$/, 'must be a whole number'), v.transform(Number), v.minValue(1, 'is at least 1'), v.maxValue(1000, 'is at most 1,000')), '500'),
  clientId: Uuid,
}, 'has a field that is not allowed');

export type MutationStatus = 'applied' | 'conflict' | 'rejected';
export type RejectCode =
  | 'validation_failed' | 'forbidden' | 'not_found' | 'entity_deleted' | 'illegal_transition' | 'unknown_mutation'
  // A create whose id is taken (by another row of the table): the device made a duplicate id.
  | 'already_exists';

export interface FieldConflict { field: string; base: unknown; mine: unknown; theirs: unknown }

export interface MutationResult {
  id: string;
  seq: number;
  status: MutationStatus;
  entity?: { table: TableName; id: string; version: number };
  conflicts?: FieldConflict[];
  code?: RejectCode;
  message?: string;
  details?: unknown[];
}

export interface PushResponse { lastSeq: number; results: MutationResult[] }

export type Change =
  | { table: TableName; op: 'upsert'; id: string; row: Record<string, unknown> }
  | { table: TableName; op: 'delete'; id: string };

export interface PullResponse { cursor: string; hasMore: boolean; lastSeq: number; reset: boolean; changes: Change[] }
