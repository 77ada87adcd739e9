// The SOP escalation job (issue 12): every ESCALATION_CHECK_SECONDS, each open or acknowledged ticket
// past its due time climbs to the head of the department it is against, and one still without an NCR
// `sop.escalateAfterMinutes` later climbs to the managers. Each step is the `sop.escalate` mutation,
// written through auditedWrite as the system user, so devices learn it through pull.
import * as v from 'valibot';
import { sopEscalate } from '../../sync/sop';
import { Rejection } from '../../sync/store';
import type { Deps } from '../context';
import { classifyDbError } from '../db/errors';
import { auditedWrite } from '../sync/write';
import * as repo from '../sop/sop.repository';
import { SYSTEM_ACTOR, SYSTEM_USERNAME, type Job } from './jobs';

/** One step in a transaction of its own; false when another process (or pass) took it first or it is not due. */
export async function escalateOne(deps: Deps, id: string, fromLevel: 0 | 1, now: Date): Promise<boolean> {
  const args = v.parse(sopEscalate.args, { id, fromLevel, toLevel: fromLevel + 1 });
  try {
    await deps.db.transaction().execute((trx) =>
      auditedWrite(trx, { actor: { id: SYSTEM_ACTOR.id, username: SYSTEM_USERNAME }, system: true, name: sopEscalate.name, now: now.toISOString() }, async (store, w) => {
        const out = await sopEscalate.apply(store, args, w.context(SYSTEM_ACTOR));
        return { ...out, message: `escalated by the system to level ${fromLevel + 1}` };
      }));
    return true;
  } catch (err) {
    // Refused (already escalated by another process, answered meanwhile): nothing was written.
    if (err instanceof Rejection) return false;
    // Two processes at once on MySQL: the loser's lock wait or deadlock is the same "someone else did it".
    if (classifyDbError(err) === 'transient') { deps.log(`escalation of SOP ticket ${id} lost a race or the database; the next pass tries again`, err); return false; }
    throw err;
  }
}

export const escalationJob: Job = {
  name: 'sop-escalation',
  everySeconds: (deps) => deps.env.ESCALATION_CHECK_SECONDS,
  async run(deps, now) {
    let steps = 0;
    const toHead = await repo.dueForHead(deps.db, now.toISOString());
    for (const id of toHead) if (await escalateOne(deps, id, 0, now)) steps++;
    // Minutes are read per pass: an admin's change applies at the next check.
    const after = await repo.escalateAfterMinutes(deps.db);
    const toManagers = await repo.dueForManagers(deps.db, new Date(now.getTime() - after * 60_000).toISOString());
    for (const id of toManagers) if (await escalateOne(deps, id, 1, now)) steps++;
    return steps;
  },
};
