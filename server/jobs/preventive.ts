// The preventive-maintenance job: opens a plan's ticket when the plan falls due within
// PREVENTIVE_LEAD_DAYS, once per plan and due time, as the system actor through auditedWrite. Safe with
// several servers at once: the ticket's id is derived from the plan and its due time (a second pass
// finds it taken), a unique key on (plan, due time) stands behind that, and the mutator checks again
// under the sequence lock. A pass catches up: a plan whose due time passed while the server was down
// is opened at the first pass (once, not once per missed interval).
import { planTicketId } from '../../sync/preventive';
import { runMutator } from '../../sync/mutations';
import { Rejection } from '../../sync/store';
import { isUniqueViolation } from '../db/db';
import { auditedWrite } from '../sync/write';
import { duePlansWithoutTicket } from '../maintenance/maintenance.repository';
import { SYSTEM_ACTOR, SYSTEM_USERNAME, type Job } from './jobs';

export const preventiveJob: Job = {
  name: 'preventive',
  everySeconds: (deps) => deps.env.PREVENTIVE_CHECK_SECONDS,
  async run(deps, now) {
    const until = new Date(now.getTime() + deps.env.PREVENTIVE_LEAD_DAYS * 86_400_000).toISOString();
    let opened = 0;
    for (const plan of await duePlansWithoutTicket(deps.db, until)) {
      const id = planTicketId(plan.id, plan.nextDueAt);
      try {
        await deps.db.transaction().execute((trx) => auditedWrite(trx, {
          actor: { id: SYSTEM_ACTOR.id, username: SYSTEM_USERNAME }, system: true, name: 'plan.due', mutationId: id, now: now.toISOString(),
        }, async (store, w) => runMutator(store, 'plan.due', { id, planId: plan.id, dueAt: plan.nextDueAt }, w.context(SYSTEM_ACTOR))));
        opened += 1;
      } catch (err) {
        // Another pass (or server) opened it first, or the plan changed since it was listed: nothing to do.
        if (err instanceof Rejection || isUniqueViolation(err)) continue;
        throw err;
      }
    }
    return opened;
  },
};
