// Wire shapes of SYNC-PROTOCOL.md v1 (push, pull, results) as valibot schemas and types.
import * as v from 'valibot';
import type { TableName } from './tables';

export const SCHEMA_VERSION = 1;
export const MAX_MUTATIONS_PER_PUSH = 500;
export const MAX_PUSH_BYTES = 1024 * 1024;

export const Uuid = v.pipe(v.string(), v.uuid('must be a UUID'));
export const IsoTime = v.pipe(v.string(), v.isoTimestamp('must be an ISO-8601 timestamp'));

/** One mutation as sent; `args` is checked later against the mutation's own schema. */
export const MutationEnvelopeSchema = v.object({
  id: Uuid,
  seq: v.pipe(v.number(), v.integer(), v.minValue(1)),
  name: v.pipe(v.string(), v.maxLength(64)),
  args: v.unknown(),
  at: IsoTime,
});
export type MutationEnvelope = v.InferOutput<typeof MutationEnvelopeSchema>;

export const PushRequestSchema = v.strictObject({
  clientId: Uuid,
  schemaVersion: v.literal(SCHEMA_VERSION),
  mutations: v.pipe(
    v.array(v.unknown()),
    v.minLength(1, 'must hold at least one mutation'),
    v.maxLength(MAX_MUTATIONS_PER_PUSH, `must hold at most ${MAX_MUTATIONS_PER_PUSH} mutations`),
  ),
});
export type PushRequest = v.InferOutput<typeof PushRequestSchema>;

export const PullQuerySchema = v.strictObject({
  cursor: v.optional(v.pipe(v.string(), v.maxLength(200))),
  limit: v.optional(v.pipe(v.string(), v.regex(/^\d+$/, 'must be a whole number'), v.transform(Number), v.minValue(1), v.maxValue(1000)), '500'),
  clientId: Uuid,
});

export type MutationStatus = 'applied' | 'conflict' | 'rejected';
export type RejectCode =
  | 'validation_failed' | 'forbidden' | 'not_found' | 'entity_deleted' | 'illegal_transition' | 'unknown_mutation';

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
