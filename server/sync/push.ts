// POST /api/sync/push: each mutation in its own transaction with its audit entry, change-log
// entries, stored result and the client's lastSeq; replays answer from the stored result.
import * as v from 'valibot';
import { MUTATIONS, runMutator } from '../../sync/mutations';
import { isRealTimestamp, jsonDepth, MAX_ARGS_DEPTH, MutationEnvelopeSchema, type MutationResult, type PushRequest, type PushResponse } from '../../sync/protocol';
import type { PublicUser } from '../../sync/roles';
import { Rejection } from '../../sync/store';
import { UUID_RE } from '../../sync/ids';
import { writeAudit } from '../audit/audit';
import type { Deps } from '../context';
import { AppError } from '../http/errors';
import { classifyDbError } from '../db/errors';
import * as repo from './sync.repository';
import { auditedWrite } from './write';

interface PushMeta { clientId: string; user: PublicUser; ip: string | null }

type Step = { kind: 'result'; result: MutationResult } | { kind: 'gap'; expected: number };

export async function push(deps: Deps, user: PublicUser, req: PushRequest, ip: string | null): Promise<PushResponse> {
  // Every mutation must at least say which it is (id, seq) before anything is written.
  const shapeIssues = req.mutations.flatMap((m, i) => {
    const o = (m ?? {}) as Record<string, unknown>;
    const ok = typeof o.id === 'string' && UUID_RE.test(o.id) && Number.isInteger(o.seq) && (o.seq as number) >= 1;
    return ok ? [] : [{ field: `mutations.${i}`, message: 'each mutation needs a UUID id and an integer seq ≥ 1' }];
  });
  if (shapeIssues.length) throw new AppError(400, 'validation_failed', 'The push is not valid.', shapeIssues);

  const bound = await bindClient(deps, req.clientId, user);
  const meta: PushMeta = { clientId: req.clientId, user, ip };
  const results: MutationResult[] = [];
  // Each mutation commits on its own: when the push stops early (a gap, the database gone), the
  // answer still carries the results committed so far, so the device need not wait for a replay.
  let lastSeq = bound.lastSeq;
  for (const raw of req.mutations) {
    let step: Step;
    try {
      step = await applyOne(deps, meta, raw as Record<string, unknown>);
    } catch (err) {
      deps.log(`push stopped at seq ${String((raw as Record<string, unknown>).seq)} of client ${req.clientId}`, err);
      throw new AppError(503, 'unavailable', 'The database is busy or unreachable; the device will send the rest again.', [{ lastSeq, results }]);
    }
    if (step.kind === 'gap') {
      throw new AppError(409, 'seq_gap', `Expected mutation seq ${step.expected} next.`, [{ expected: step.expected, lastSeq, results }]);
    }
    results.push(step.result);
    lastSeq = Math.max(lastSeq, step.result.seq);
  }
  return { lastSeq, results };
}

/** The first push binds a client id to its user; another user's token is refused. */
export async function bindClient(deps: Deps, clientId: string, user: PublicUser) {
  let client = await repo.findClient(deps.db, clientId, deps.dialect);
  if (!client) {
    try {
      await repo.insertClient(deps.db, clientId, user.id, new Date().toISOString());
    } catch (err) {
      // Two first pushes raced: the other insert won; check its owner below.
      if (!(await repo.findClient(deps.db, clientId, deps.dialect))) throw err;
    }
    client = await repo.findClient(deps.db, clientId, deps.dialect);
  }
  if (client && client.userId !== user.id) {
    throw new AppError(403, 'client_not_owned', 'This device id belongs to another user. Log in as that user to sync its changes.');
  }
  return client!;
}

/** Busy or deadlocked transactions are tried again this many times before the push answers 503. */
const TRANSIENT_RETRIES = 2;

async function applyOne(deps: Deps, meta: PushMeta, raw: Record<string, unknown>): Promise<Step> {
  const name = typeof raw.name === 'string' ? raw.name.slice(0, 64) : '';
  for (let attempt = 0; ; attempt++) {
    try {
      return await applyInTransaction(deps, meta, raw, name);
    } catch (err) {
      if (err instanceof Rejection) return rejectSafely(deps, meta, raw, name, err);
      const kind = classifyDbError(err);
      if (kind === 'transient') {
        if (attempt < TRANSIENT_RETRIES) continue;
        throw err;
      }
      // The same statement would fail again on every resend: refuse the mutation so the queue moves on.
      deps.log(`mutation ${name} (${String(raw.id)}) could not be stored`, err);
      const r = kind === 'duplicate'
        ? new Rejection('already_exists', 'A row this change creates exists already: a new row needs a new id.')
        : new Rejection('validation_failed', 'The server could not store this change: a value does not fit. The error was logged.');
      return rejectSafely(deps, meta, raw, name, r);
    }
  }
}

/**
 * A rejection that cannot itself be stored as sent (say, a value of its args that no audit column
 * takes) is stored without the device's args and with a plain message, so it still advances lastSeq.
 */
async function rejectSafely(deps: Deps, meta: PushMeta, raw: Record<string, unknown>, name: string, r: Rejection): Promise<Step> {
  try {
    return await rejectOne(deps, meta, raw, name, r);
  } catch (err) {
    if (classifyDbError(err) === 'transient') throw err;
    deps.log(`rejection of ${name} (${String(raw.id)}) could not be stored as sent`, err);
    return rejectOne(deps, meta, { id: raw.id, seq: raw.seq, at: raw.at, args: {} }, name.replace(/[^\w.]/g, '').slice(0, 64), new Rejection(r.code, 'This change was refused and could not be kept as sent.'));
  }
}

async function applyInTransaction(deps: Deps, meta: PushMeta, raw: Record<string, unknown>, name: string): Promise<Step> {
  const id = raw.id as string;
  const seq = raw.seq as number;
  const envelope = v.safeParse(MutationEnvelopeSchema, raw);
  return await deps.db.transaction().execute(async (trx) => {
    const gate = await seqGate(trx, deps, meta, raw);
    if (gate) return gate;
    if (!envelope.success) {
      throw new Rejection('validation_failed', 'The mutation envelope is not valid.', envelope.issues.map((i) => ({ field: v.getDotPath(i) ?? '', message: i.message })));
    }
    if (jsonDepth(envelope.output.args, MAX_ARGS_DEPTH) > MAX_ARGS_DEPTH) {
      throw new Rejection('validation_failed', `The mutation's args nest more than ${MAX_ARGS_DEPTH} levels deep.`, [{ field: 'args', message: `nests more than ${MAX_ARGS_DEPTH} levels` }]);
    }
    const now = new Date().toISOString();
    const done = await auditedWrite(trx, { actor: meta.user, name, mutationId: id, now, clientAt: clientTime(envelope.output.at)!, clientId: meta.clientId, ip: meta.ip },
      (store, w) => runMutator(store, name, envelope.output.args, w.context(meta.user)));
    const result: MutationResult = {
      id, seq, status: done.status,
      entity: { table: done.table, id: done.id, version: done.version },
      ...(done.status === 'conflict' ? { conflicts: done.conflicts } : {}),
    };
    await repo.storeResult(trx, meta.clientId, result, name, now, done.position);
    await repo.advanceClient(trx, meta.clientId, seq, now);
    return { kind: 'result', result } as Step;
  });
}

/**
 * The device's clock in the one form stored (UTC, milliseconds), or null when it is not a real time:
 * `…T09:00:00-05:00` is valid ISO-8601 too, but it neither sorts as text nor fits the 24-character
 * time columns. Applied and rejected mutations are audited with the same value.
 */
function clientTime(at: unknown): string | null {
  return typeof at === 'string' && isRealTimestamp(at, 1970, 9999) ? new Date(at).toISOString() : null;
}

/** Replay → the stored result; gap → stop; the next seq → undefined (go on). Called under the client's row lock. */
async function seqGate(trx: Deps['db'], deps: Deps, meta: PushMeta, raw: Record<string, unknown>): Promise<Step | undefined> {
  const id = raw.id as string;
  const seq = raw.seq as number;
  const client = await repo.findClient(trx, meta.clientId, deps.dialect, true);
  const lastSeq = client?.lastSeq ?? 0;
  if (seq <= lastSeq) {
    const stored = await repo.storedResult(trx, meta.clientId, seq);
    if (stored && stored.id === id) return { kind: 'result', result: stored };
    // Not a replay: this seq was used by another mutation (or its result is gone). Answering the other
    // mutation's result would make the device drop this one silently; a rejection puts it on Sync issues.
    const message = stored
      ? `Sequence number ${seq} of this device was already used by another change; this one was not applied.`
      : `Sequence number ${seq} of this device was handled before, but its result is no longer kept; this change was not applied.`;
    await writeAudit(trx, {
      userId: meta.user.id, username: meta.user.username, clientId: meta.clientId, mutationId: id,
      mutationName: typeof raw.name === 'string' ? raw.name.slice(0, 64) : '(none)', outcome: 'rejected', code: 'validation_failed', message, ip: meta.ip,
    });
    return { kind: 'result', result: { id, seq, status: 'rejected', code: 'validation_failed', message } };
  }
  if (seq > lastSeq + 1) return { kind: 'gap', expected: lastSeq + 1 };
  return undefined;
}

/** A rejected mutation writes nothing of its own, but is audited and still advances lastSeq. */
async function rejectOne(deps: Deps, meta: PushMeta, raw: Record<string, unknown>, name: string, r: Rejection): Promise<Step> {
  const id = raw.id as string;
  const seq = raw.seq as number;
  return deps.db.transaction().execute(async (trx) => {
    const gate = await seqGate(trx, deps, meta, raw);
    if (gate) return gate;
    const now = new Date().toISOString();
    const result: MutationResult = { id, seq, status: 'rejected', code: r.code, message: r.message, ...(r.details ? { details: r.details } : {}) };
    const args = (raw.args ?? {}) as Record<string, unknown>;
    const def = MUTATIONS.get(name);
    const entityId = typeof args.id === 'string' ? args.id.slice(0, 36) : null;
    await writeAudit(trx, {
      at: now, userId: meta.user.id, username: meta.user.username, clientId: meta.clientId, mutationId: id, mutationName: name || '(none)',
      entity: def?.table ?? null, entityId, outcome: 'rejected', code: r.code, message: r.message,
      after: truncateArgs(args), clientAt: clientTime(raw.at), ip: meta.ip,
    });
    await repo.storeResult(trx, meta.clientId, result, name, now, await repo.readCounter(trx, 'sync'));
    await repo.advanceClient(trx, meta.clientId, seq, now);
    return { kind: 'result', result } as Step;
  });
}

/** The device's args, kept in the audit of a rejection (bounded: the body limit already caps the total). */
function truncateArgs(args: Record<string, unknown>) {
  if (jsonDepth(args, MAX_ARGS_DEPTH) > MAX_ARGS_DEPTH) return { args: `(nested more than ${MAX_ARGS_DEPTH} levels: not kept)` };
  const text = JSON.stringify(args);
  return text.length <= 20_000 ? { args } : { args: `${text.slice(0, 20_000)}…` };
}
