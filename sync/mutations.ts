// The mutation registry: one object of every module's mutations, so that names and args are
// derived from it (`MutationName`, `MutationArgs`), and `runMutator`, the entry point both sides use.
import * as v from 'valibot';
import { jobCorrection, jobDowntime, jobProgress, orderTransition, stageTransition } from './production';
import { orderCreate, orderUpdate, stageSchedule, stageUpdate } from './planning';
import { actionCreate, actionTransition, actionUpdate, rejectCreate, rejectTransition } from './quality';
import { returnCreate, returnTransition, returnUpdate } from './returns';
import { holdRequestCreate, holdRequestTransition } from './holds';
import { maintenanceComment, maintenanceCreate, maintenanceTransition, maintenanceUpdate } from './maintenance';
import { sopEscalate, sopRaise, sopTransition } from './sop';
import { ncrCreate, ncrTransition, ncrUpdate } from './ncr';
import { notificationRead } from './notifications';
import { maintenanceTick } from './maintenance';
import { planCreate, planDue, planTransition, planUpdate } from './preventive';
import type { MutationDef, MutationOutcome } from './mutation-kit';
import { alreadyExists, notFound } from './rejections';
import { fieldLabel, mutationLabel } from './labels';
import type { Role } from './roles';
import { Rejection, type MutationContext, type MutationStore } from './store';
import { canSee } from './tables';

export type { MutationDef, MutationKind, MutationOutcome } from './mutation-kit';
export { DOWNTIME_REASONS } from './production';
export { DISPOSITIONS, MAX_OVER_PLAN } from './quality';
export { ACTION_EDIT_FIELDS, ACTION_SOURCE_TYPES } from './quality';
export { RETURN_EDIT_FIELDS } from './returns';
export { DEFAULT_SLA, MAINTENANCE_EDIT_FIELDS } from './maintenance';
export { PLAN_EDIT_FIELDS } from './preventive';

export const mutators = {
  'stage.transition': stageTransition,
  'job.progress': jobProgress,
  'job.downtime': jobDowntime,
  'job.correction': jobCorrection,
  'order.transition': orderTransition,
  'order.create': orderCreate,
  'order.update': orderUpdate,
  'stage.update': stageUpdate,
  'stage.schedule': stageSchedule,
  'holdRequest.create': holdRequestCreate,
  'holdRequest.transition': holdRequestTransition,
  'reject.create': rejectCreate,
  'reject.transition': rejectTransition,
  'maintenance.create': maintenanceCreate,
  'maintenance.update': maintenanceUpdate,
  'maintenance.transition': maintenanceTransition,
  'maintenance.comment': maintenanceComment,
  // quality (CAPA)
  'action.create': actionCreate,
  'action.update': actionUpdate,
  'action.transition': actionTransition,
  // quality (returns)
  'return.create': returnCreate,
  'return.update': returnUpdate,
  'return.transition': returnTransition,
  // SOP compliance (issue 12)
  'sop.raise': sopRaise,
  'sop.transition': sopTransition,
  'sop.escalate': sopEscalate,
  'ncr.create': ncrCreate,
  'ncr.update': ncrUpdate,
  'ncr.transition': ncrTransition,
  'notification.read': notificationRead,
  // maintenance (issue 13): checklists and preventive plans
  'maintenance.tick': maintenanceTick,
  'plan.create': planCreate,
  'plan.update': planUpdate,
  'plan.transition': planTransition,
  'plan.due': planDue,
} as const;

type Mutators = typeof mutators;
export type MutationName = keyof Mutators;
/** The args a device sends for each mutation, derived from its schema. */
export type MutationArgs = { [N in MutationName]: v.InferInput<Mutators[N]['args']> };

export const MUTATIONS: ReadonlyMap<string, MutationDef> = new Map(Object.entries(mutators) as [string, MutationDef][]);
for (const [name, def] of MUTATIONS) if (def.name !== name) throw new Error(`mutation ${def.name} is registered as ${name}`);

/** Whether a role may send a mutation at all (what the UI asks before offering the action). */
export function mayUse(role: Role, name: MutationName): boolean {
  return MUTATIONS.get(name)?.roles.includes(role) ?? false;
}

/** Field-level messages for a failed args parse, in the `details` shape of the error contract. */
export function issueDetails(issues: readonly v.BaseIssue<unknown>[]): { field: string; message: string }[] {
  return issues.map((i) => ({ field: v.getDotPath(i) ?? '', message: i.message }));
}

/** Validates and applies one mutation: the single entry point both sides use. */
export async function runMutator(store: MutationStore, name: string, rawArgs: unknown, ctx: MutationContext): Promise<MutationOutcome> {
  const def = MUTATIONS.get(name);
  if (!def) throw new Rejection('unknown_mutation', `There is no mutation called "${name}".`);
  if (!def.roles.includes(ctx.actor.role)) throw new Rejection('forbidden', `A ${ctx.actor.role} may not use ${name}.`);
  const parsed = v.safeParse(def.args, rawArgs);
  if (!parsed.success) {
    const details = issueDetails(parsed.issues);
    const first = details[0];
    const what = first?.field ? `${fieldLabel(first.field)} ${first.message}` : (first?.message ?? 'check the marked fields');
    throw new Rejection('validation_failed', `${mutationLabel(name)}: ${what}.`, details);
  }
  if (def.scope) {
    // What a user may not see they may not change either (a Press operator and a Paint stage's id).
    // Answered as if the row did not exist, so another department's ids cannot be told from made-up ones.
    const id = (parsed.output as Record<string, string>)[def.scope.arg];
    const row = await store.get(def.scope.table, id);
    if (row && !canSee(ctx.actor, def.scope.table, row)) throw notFound(def.scope.table, id);
  }
  if (def.kind === 'create' || def.kind === 'event') {
    // A device's id for a new row must be new: a taken id is the device's mistake, never the server's 500.
    const id = (parsed.output as { id: string }).id;
    if (await store.get(def.table, id)) throw alreadyExists(def.table, id);
  }
  return def.apply(store, parsed.output, ctx);
}
