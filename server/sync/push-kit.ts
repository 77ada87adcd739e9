// What both ways of handling a push share (push.ts batches mutations, their writes deferred; push-one.ts
// runs one mutation per transaction when a batch fails): its caller, a step's outcome, the device's
// clock and args as audited, and how often a transient failure is tried again.
import { isRealTimestamp, jsonDepth, MAX_ARGS_DEPTH, type MutationResult } from '../../sync/protocol';
import type { PublicUser } from '../../sync/roles';

export interface PushMeta { clientId: string; user: PublicUser; ip: string | null }
export type Step = { kind: 'result'; result: MutationResult } | { kind: 'gap'; expected: number };
/** What a transaction of a push handled: every result up to a gap (`expected`), and the client's lastSeq after it. */
export interface Handled { results: MutationResult[]; lastSeq: number; expected?: number }
/** A push stopped by the database after some mutations committed (the one-by-one path). */
export class Stopped extends Error {
  constructor(readonly handled: Handled, readonly reason: unknown) {
    super('push stopped');
  }
}

/** Busy or deadlocked transactions are tried again this many times before the push answers 503. */
export const TRANSIENT_RETRIES = 2;

/**
 * The device's clock in the one form stored (UTC, milliseconds), or null when it is not a real time:
 * `…T09:00:00-05:00` is valid ISO-8601 too, but it neither sorts as text nor fits the 24-character
 * time columns. Applied and rejected mutations are audited with the same value.
 */
export function clientTime(at: unknown): string | null {
  return typeof at === 'string' && isRealTimestamp(at, 1970, 9999) ? new Date(at).toISOString() : null;
}

/** The device's args, kept in the audit of a rejection (bounded: the body limit already caps the total). */
export function truncateArgs(args: Record<string, unknown>) {
  if (jsonDepth(args, MAX_ARGS_DEPTH) > MAX_ARGS_DEPTH) return { args: `(nested more than ${MAX_ARGS_DEPTH} levels: not kept)` };
  const text = JSON.stringify(args);
  return text.length <= 20_000 ? { args } : { args: `${text.slice(0, 20_000)}…` };
}
