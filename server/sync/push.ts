// POST /api/sync/push: the mutations of a request in transactions of up to
// mutationsPerTransaction() each, the client's row lock and the sequence lock taken once per
// transaction and held to commit. A mutation's writes stay in memory until it is applied (a
// rejection drops them: it writes nothing of its own); at the end of the transaction its rows,
// change-log entries, audit entries, stored results and lastSeq are written in multi-row
// statements. Replays answer from the stored result.
import * as v from 'valibot';
import { MUTATIONS, runMutator } from '../../sync/mutations';
import { jsonDepth, MAX_ARGS_DEPTH, MutationEnvelopeSchema, type MutationResult, type PushRequest, type PushResponse } from '../../sync/protocol';
import type { PublicUser } from '../../sync/roles';
import { Rejection } from '../../sync/store';
import { UUID_RE } from '../../sync/ids';
import type { AuditEntry } from '../audit/audit';
import { writeAudits } from '../audit/audit.repository';
import { inOneTrip } from '../db/one-trip';
import type { Deps } from '../context';
import type { Db, Dialect } from '../db/db';
import { AppError } from '../http/errors';
import { classifyDbError } from '../db/errors';
import * as repo from './sync.repository';
import { Counters, type SharedWrite } from './server-store';
import { DeferredWrites, rowExists } from './deferred-writes';
import { stagedWrite } from './write';
import { prefetch } from './push-prefetch';
import { clientTime, Stopped, TRANSIENT_RETRIES, truncateArgs, type Handled, type PushMeta } from './push-kit';
import { applyOneByOne } from './push-one';

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

/**
 * One transaction for `part`, tried again on a transient failure (nothing of it committed: the
 * replay check of the next try sees the same lastSeq; if the commit did land before the connection
 * broke, the next try finds the stored results and answers them). Any other failure of the
 * transaction's own statements — a row or batched statement the database does not take at the end —
 * sends the part the slow way, one transaction per mutation, where each such mutation is refused
 * and kept as sent.
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
    const shared: SharedWrite = { counters: new Counters(trx), log: [], rows: new Map(), found: new Map(), deferred: new DeferredWrites() };
    const fresh = part.some((m) => (m.seq as number) > lastSeq);
    // Before any plain read: on MySQL the first one fixes the snapshot every later read sees.
    if (fresh) await shared.counters.lock();
    const replaySeqs = part.map((m) => m.seq as number).filter((seq) => seq <= lastSeq);
    const stored = replaySeqs.length ? await repo.storedResults(trx, meta.clientId, replaySeqs) : new Map<number, MutationResult>();
    if (fresh) await prefetch(trx, deps.dialect, shared, part.filter((m) => (m.seq as number) > lastSeq));

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
      const done = await applyMutation(trx, deps, meta, raw, shared);
      results.push(done.result);
      audits.push(done.audit);
      keep.push({ result: done.result, name: done.name, commitSeq: done.commitSeq });
      stored.set(seq, done.result); // a second copy of this seq later in the push is a replay
      lastSeq = seq;
    }

    const now = new Date().toISOString();
    // A statement here that fails (a unique index a row breaks) fails the part: it goes the slow way.
    // On MySQL they reach the database in one round trip (server/db/one-trip.ts).
    await inOneTrip(trx, deps.dialect, async (db) => {
      await shared.deferred!.flush(db, (key) => shared.rows.get(key));
      await shared.counters.flush(db);
      await repo.logChanges(db, shared.log, now);
      await writeAudits(db, audits);
      await repo.storeResults(db, meta.clientId, keep, now);
      if (keep.length) await repo.advanceClient(db, meta.clientId, lastSeq, now);
    });
    return { results, lastSeq, expected };
  });
}

/**
 * One mutation: applied (its writes join the transaction's), or refused, when its writes are dropped
 * with its store. It only reads the database: nothing of it is there to roll back.
 */
async function applyMutation(trx: Db, deps: Deps, meta: PushMeta, raw: Record<string, unknown>, shared: SharedWrite) {
  const id = raw.id as string;
  const seq = raw.seq as number;
  const name = typeof raw.name === 'string' ? raw.name.slice(0, 64) : '';
  const now = new Date().toISOString();
  const envelope = v.safeParse(MutationEnvelopeSchema, raw);
  const mark = shared.counters.mark();
  try {
    if (!envelope.success) {
      throw new Rejection('validation_failed', 'The mutation envelope is not valid.', envelope.issues.map((i) => ({ field: v.getDotPath(i) ?? '', message: i.message })));
    }
    if (jsonDepth(envelope.output.args, MAX_ARGS_DEPTH) > MAX_ARGS_DEPTH) {
      throw new Rejection('validation_failed', `The mutation's args nest more than ${MAX_ARGS_DEPTH} levels deep.`, [{ field: 'args', message: `nests more than ${MAX_ARGS_DEPTH} levels` }]);
    }
    const done = await stagedWrite(trx, { actor: meta.user, name, mutationId: id, now, clientAt: clientTime(envelope.output.at)!, clientId: meta.clientId, ip: meta.ip },
      (store, w) => runMutator(store, name, envelope.output.args, w.context(meta.user)), shared);
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
    ? rowExists()
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

