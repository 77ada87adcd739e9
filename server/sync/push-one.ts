// The slow way of a push: each mutation in a transaction of its own, as before batching. push.ts
// takes it for a part whose batched statements failed for a reason a retry would not cure.
import * as v from 'valibot';
import { MUTATIONS, runMutator } from '../../sync/mutations';
import { jsonDepth, MAX_ARGS_DEPTH, MutationEnvelopeSchema, type MutationResult } from '../../sync/protocol';
import { Rejection } from '../../sync/store';
import { writeAudit } from '../audit/audit';
import type { Deps } from '../context';
import { classifyDbError } from '../db/errors';
import * as repo from './sync.repository';
import { auditedWrite } from './write';
import { clientTime, Stopped, TRANSIENT_RETRIES, truncateArgs, type Handled, type PushMeta, type Step } from './push-kit';

/**
 * The slow way, each mutation in a transaction of its own (as before batching): taken for a part
 * whose batched statements failed for a reason a retry would not cure, so that the one mutation at
 * fault is refused (and kept without its args if need be) and the others apply.
 */
export async function applyOneByOne(deps: Deps, meta: PushMeta, part: Record<string, unknown>[]): Promise<Handled> {
  const handled: Handled = { results: [], lastSeq: 0 };
  for (const raw of part) {
    let step: Step;
    try {
      step = await applyOne(deps, meta, raw);
    } catch (err) {
      throw new Stopped(handled, err);
    }
    if (step.kind === 'gap') return { ...handled, expected: step.expected };
    handled.results.push(step.result);
    handled.lastSeq = Math.max(handled.lastSeq, step.result.seq);
  }
  return handled;
}

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
