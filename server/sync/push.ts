// POST /api/sync/push: the mutations of a request in transactions of up to
// mutationsPerTransaction() each, a savepoint per mutation (a rejection rolls back to it and writes
// nothing of its own), the client's row lock and the sequence lock taken once per transaction and
// held to commit; change-log entries, audit entries, stored results and lastSeq are written once
// per transaction in multi-row statements. Replays answer from the stored result.
import * as v from 'valibot';
import { MUTATIONS, runMutator } from '../../sync/mutations';
import { isRealTimestamp, jsonDepth, MAX_ARGS_DEPTH, MutationEnvelopeSchema, type MutationResult, type PushRequest, type PushResponse } from '../../sync/protocol';
import type { PublicUser } from '../../sync/roles';
import { Rejection } from '../../sync/store';
import { UUID_RE } from '../../sync/ids';
import { writeAudit, type AuditEntry } from '../audit/audit';
import { writeAudits } from '../audit/audit.repository';
import type { Deps } from '../context';
import type { Db, Dialect } from '../db/db';
import { AppError } from '../http/errors';
import { classifyDbError } from '../db/errors';
import { exec } from '../db/compiled';
import * as repo from './sync.repository';
import { Counters, type SharedWrite } from './server-store';
import { auditedWrite, stagedWrite } from './write';
import { prefetch } from './push-prefetch';

interface PushMeta { clientId: string; user: PublicUser; ip: string | null }

type Step = { kind: 'result'; result: MutationResult } | { kind: 'gap'; expected: number };

/**
 * The most mutations one transaction holds. A device's 500-mutation push takes several turns at
 * the sequence lock, so the other devices' pushes (and every pull on SQLite, whose one connection
 * is shared) wait for at most this many mutations, not for the whole push. On SQLite a commit is
 * the largest single cost of a push (WAL frames for every page the transaction dirtied, and every
 * few commits a checkpoint with its fsync: half of all commit time), so a transaction there holds
 * 100 (~25 ms of work on the benchmark machine); on MySQL the shared sequence lock is held to
 * commit, and 50 lets more devices' pushes interleave (docs/performance.md, "Sync").
 */
export function mutationsPerTransaction(dialect: Dialect): number {
  return dialect === 'sqlite' ? 100 : 50;
}

/** What a transaction of a push handled: every result up to a gap (`expected`), and the client's lastSeq after it. */
interface Handled { results: MutationResult[]; lastSeq: number; expected?: number }

/** A push stopped by the database after some mutations committed (the one-by-one path). */
class Stopped extends Error {
  constructor(readonly handled: Handled, readonly reason: unknown) {
    super('push stopped');
  }
}

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
  // Each transaction commits on its own: when the push stops early (a gap, the database gone), the
  // answer still carries the results committed so far, so the device need not wait for a replay.
  // A transaction that did not commit answers nothing: its mutations are resent and handled then.
  let lastSeq = bound.lastSeq;
  const all = req.mutations as Record<string, unknown>[];
  const perTransaction = mutationsPerTransaction(deps.dialect);
  for (let i = 0; i < all.length; i += perTransaction) {
    const part = all.slice(i, i + perTransaction);
    let handled: Handled;
    try {
      handled = await applyPart(deps, meta, part);
    } catch (err) {
      if (err instanceof Stopped) {
        results.push(...err.handled.results);
        lastSeq = Math.max(lastSeq, err.handled.lastSeq);
      }
      deps.log(`push stopped at seq ${String(part[0].seq)} of client ${req.clientId}`, err instanceof Stopped ? err.reason : err);
      throw new AppError(503, 'unavailable', 'The database is busy or unreachable; the device will send the rest again.', [{ lastSeq, results }]);
    }
    results.push(...handled.results);
    lastSeq = Math.max(lastSeq, handled.lastSeq);
    if (handled.expected !== undefined) {
      throw new AppError(409, 'seq_gap', `Expected mutation seq ${handled.expected} next.`, [{ expected: handled.expected, lastSeq, results }]);
    }
  }
  return { lastSeq, results };
}

/** Busy or deadlocked transactions are tried again this many times before the push answers 503. */
const TRANSIENT_RETRIES = 2;

/**
 * One transaction for `part`, tried again on a transient failure (nothing of it committed: the
 * replay check of the next try sees the same lastSeq; if the commit did land before the connection
 * broke, the next try finds the stored results and answers them). Any other failure outside a
 * mutation's savepoint — a batched statement that does not take a value — sends the part the slow
 * way, one transaction per mutation, where each such mutation is refused and kept as sent.
 */
async function applyPart(deps: Deps, meta: PushMeta, part: Record<string, unknown>[]): Promise<Handled> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await partInTransaction(deps, meta, part);
    } catch (err) {
      if (classifyDbError(err) === 'transient') {
        if (attempt < TRANSIENT_RETRIES) continue;
        throw err;
      }
      deps.log(`push of client ${meta.clientId} goes one mutation at a time from seq ${String(part[0].seq)}`, err);
      return applyOneByOne(deps, meta, part);
    }
  }
}

async function partInTransaction(deps: Deps, meta: PushMeta, part: Record<string, unknown>[]): Promise<Handled> {
  return deps.db.transaction().execute(async (trx) => {
    // The client's row lock (MySQL; SQLite serialises writers) first, then the sequence lock,
    // both held to commit: no later seq of this client, and no later sequence number, commits first.
    const client = await repo.findClient(trx, meta.clientId, deps.dialect, true);
    let lastSeq = client?.lastSeq ?? 0;
    const shared: SharedWrite = { counters: new Counters(trx), log: [], rows: new Map(), found: new Map() };
    const fresh = part.some((m) => (m.seq as number) > lastSeq);
    // Before any plain read: on MySQL the first one fixes the snapshot every later read sees.
    if (fresh) await shared.counters.lock();
    const replaySeqs = part.map((m) => m.seq as number).filter((seq) => seq <= lastSeq);
    const stored = replaySeqs.length ? await repo.storedResults(trx, meta.clientId, replaySeqs) : new Map<number, MutationResult>();
    if (fresh) await prefetch(trx, shared, part.filter((m) => (m.seq as number) > lastSeq));

    const results: MutationResult[] = [];
    const audits: AuditEntry[] = [];
    const keep: repo.StoredResult[] = [];
    let expected: number | undefined;
    for (const raw of part) {
      const id = raw.id as string;
      const seq = raw.seq as number;
      if (seq <= lastSeq) {
        const before = stored.get(seq);
        if (before && before.id === id) {
          results.push(before);
          continue;
        }
        // Not a replay: this seq was used by another mutation (or its result is gone). Answering the other
        // mutation's result would make the device drop this one silently; a rejection puts it on Sync issues.
        const message = before
          ? `Sequence number ${seq} of this device was already used by another change; this one was not applied.`
          : `Sequence number ${seq} of this device was handled before, but its result is no longer kept; this change was not applied.`;
        audits.push({
          userId: meta.user.id, username: meta.user.username, clientId: meta.clientId, mutationId: id,
          mutationName: typeof raw.name === 'string' ? raw.name.slice(0, 64) : '(none)', outcome: 'rejected', code: 'validation_failed', message, ip: meta.ip,
        });
        results.push({ id, seq, status: 'rejected', code: 'validation_failed', message });
        continue;
      }
      if (seq > lastSeq + 1) {
        expected = lastSeq + 1;
        break;
      }
      const done = await applyAtSavepoint(trx, deps, meta, raw, shared);
      results.push(done.result);
      audits.push(done.audit);
      keep.push({ result: done.result, name: done.name, commitSeq: done.commitSeq });
      stored.set(seq, done.result); // a second copy of this seq later in the push is a replay
      lastSeq = seq;
    }

    const now = new Date().toISOString();
    await shared.counters.flush();
    await repo.logChanges(trx, shared.log, now);
    await writeAudits(trx, audits);
    await repo.storeResults(trx, meta.clientId, keep, now);
    if (keep.length) await repo.advanceClient(trx, meta.clientId, lastSeq, now);
    return { results, lastSeq, expected };
  });
}

/**
 * SQLite stacks savepoints of one name, so each is released; MySQL/MariaDB replace a savepoint
 * when one of the same name is set, so the next mutation's `savepoint m` does it — and there a
 * RELEASE SAVEPOINT costs a round trip that measured 10× a savepoint's.
 */
async function releaseSavepoint(trx: Db, deps: Deps) {
  if (deps.dialect === 'sqlite') await exec(trx, 'release savepoint m');
}

/** One mutation under its own savepoint: applied, or rolled back to it and refused. */
async function applyAtSavepoint(trx: Db, deps: Deps, meta: PushMeta, raw: Record<string, unknown>, shared: SharedWrite) {
  const id = raw.id as string;
  const seq = raw.seq as number;
  const name = typeof raw.name === 'string' ? raw.name.slice(0, 64) : '';
  const now = new Date().toISOString();
  const envelope = v.safeParse(MutationEnvelopeSchema, raw);
  const mark = shared.counters.mark();
  await exec(trx, 'savepoint m');
  try {
    if (!envelope.success) {
      throw new Rejection('validation_failed', 'The mutation envelope is not valid.', envelope.issues.map((i) => ({ field: v.getDotPath(i) ?? '', message: i.message })));
    }
    if (jsonDepth(envelope.output.args, MAX_ARGS_DEPTH) > MAX_ARGS_DEPTH) {
      throw new Rejection('validation_failed', `The mutation's args nest more than ${MAX_ARGS_DEPTH} levels deep.`, [{ field: 'args', message: `nests more than ${MAX_ARGS_DEPTH} levels` }]);
    }
    const done = await stagedWrite(trx, { actor: meta.user, name, mutationId: id, now, clientAt: clientTime(envelope.output.at)!, clientId: meta.clientId, ip: meta.ip },
      (store, w) => runMutator(store, name, envelope.output.args, w.context(meta.user)), shared);
    await releaseSavepoint(trx, deps);
    done.store.settle();
    const result: MutationResult = {
      id, seq, status: done.result.status,
      entity: { table: done.result.table, id: done.result.id, version: done.result.version },
      ...(done.result.status === 'conflict' ? { conflicts: done.result.conflicts } : {}),
    };
    return { result, audit: done.audit, name, commitSeq: done.result.position };
  } catch (err) {
    // A transient failure (a deadlock rolls the whole transaction back on MySQL) fails the part.
    if (!(err instanceof Rejection) && classifyDbError(err) === 'transient') throw err;
    await exec(trx, 'rollback to savepoint m');
    await releaseSavepoint(trx, deps);
    shared.counters.restore(mark);
    const r = err instanceof Rejection ? err : storageRejection(deps, name, raw, err);
    const result: MutationResult = { id, seq, status: 'rejected', code: r.code, message: r.message, ...(r.details ? { details: r.details } : {}) };
    return { result, audit: rejectionAudit(meta, raw, name, r, now), name, commitSeq: shared.counters.position ?? 0 };
  }
}

/** A database error the same statement would hit again on every resend: refuse the mutation so the queue moves on. */
function storageRejection(deps: Deps, name: string, raw: Record<string, unknown>, err: unknown) {
  deps.log(`mutation ${name} (${String(raw.id)}) could not be stored`, err);
  return classifyDbError(err) === 'duplicate'
    ? new Rejection('already_exists', 'A row this change creates exists already: a new row needs a new id.')
    : new Rejection('validation_failed', 'The server could not store this change: a value does not fit. The error was logged.');
}

/** The audit entry of a refused mutation: the device's args as sent (bounded). */
function rejectionAudit(meta: PushMeta, raw: Record<string, unknown>, name: string, r: Rejection, now: string): AuditEntry {
  const args = (raw.args ?? {}) as Record<string, unknown>;
  const def = MUTATIONS.get(name);
  const entityId = typeof args.id === 'string' ? args.id.slice(0, 36) : null;
  return {
    at: now, userId: meta.user.id, username: meta.user.username, clientId: meta.clientId, mutationId: raw.id as string, mutationName: name || '(none)',
    entity: def?.table ?? null, entityId, outcome: 'rejected', code: r.code, message: r.message,
    after: truncateArgs(args), clientAt: clientTime(raw.at), ip: meta.ip,
  };
}

/**
 * The slow way, each mutation in a transaction of its own (as before batching): taken for a part
 * whose batched statements failed for a reason a retry would not cure, so that the one mutation at
 * fault is refused (and kept without its args if need be) and the others apply.
 */
async function applyOneByOne(deps: Deps, meta: PushMeta, part: Record<string, unknown>[]): Promise<Handled> {
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
