// What every module's mutators are made of: the definition type, text and count schemas, row
// lookups that answer not_found the same way, the device's action time and the transition rule.
import * as v from 'valibot';
import { checkTransition, type StateMachine } from './state-machines';
import { Uuid, type FieldConflict } from './protocol';
import { notFound, ROW_LABEL } from './rejections';
import type { Role } from './roles';
import { Rejection, type MutationContext, type MutationStore } from './store';
import { canSee, type TableName } from './tables';

export type MutationKind = 'create' | 'event' | 'edit' | 'transition';

export interface MutationOutcome { table: TableName; id: string; conflicts?: FieldConflict[] }

export interface MutationDef<S extends v.GenericSchema = v.GenericSchema> {
  name: string;
  kind: MutationKind;
  /** The table of the row the mutation is about (the audit entry's entity). */
  table: TableName;
  roles: readonly Role[];
  /** The existing row the mutation acts on (`arg` names its id): the actor must be able to see it. */
  scope?: { table: TableName; arg: string };
  args: S;
  apply(store: MutationStore, args: v.InferOutput<S>, ctx: MutationContext): Promise<MutationOutcome>;
}

export function define<S extends v.GenericSchema>(def: MutationDef<S>): MutationDef<S> {
  return def;
}

export const Text = (max: number) => v.pipe(v.string('must be text'), v.trim(), v.maxLength(max, `must be at most ${max} characters`));
/** Text that must be given: missing or blank both read "is required". */
export const RequiredText = (max: number) => v.pipe(v.string('is required'), v.trim(), v.minLength(1, 'is required'), v.maxLength(max, `must be at most ${max} characters`));
export const Count = v.pipe(v.number('must be a number'), v.integer('must be a whole number'), v.minValue(0, 'must be 0 or more'), v.maxValue(1_000_000, 'is at most 1,000,000'));
export const Qty = v.pipe(v.number('must be a number'), v.integer('must be a whole number'), v.minValue(1, 'must be at least 1'), v.maxValue(1_000_000, 'is at most 1,000,000'));

// ── helpers shared by the mutators ─────────────────────────────────────────

export async function mustGet<T extends TableName>(store: MutationStore, table: T, id: string) {
  const row = await store.get(table, id);
  if (!row) throw notFound(table, id);
  if (row.deletedAt) throw new Rejection('entity_deleted', `${ROW_LABEL[table]} ${id} was deleted.`);
  return row;
}

/** A row the actor refers to: it must exist, be live and be in the actor's scope (else: not found). */
export async function mustSee<T extends TableName>(store: MutationStore, ctx: MutationContext, table: T, id: string) {
  const row = await store.get(table, id);
  if (row && !canSee(ctx.actor, table, row)) throw notFound(table, id);
  return mustGet(store, table, id);
}

/** Master data a create refers to must be in use (a retired machine or defect code takes no new work). */
export function mustBeActive(row: { active: boolean }, what: string, field: string) {
  if (!row.active) throw new Rejection('validation_failed', `${what} is no longer in use.`, [{ field, message: 'is no longer in use' }]);
}

/** A device's time for an action, in UTC and never later than the server's receive time. */
/** A device clock further back than this is taken as wrong (a phone reset to 1970), not as an old action. */
export const MAX_OFFLINE_MS = 90 * 86_400_000;

export function actionTime(ctx: MutationContext): string {
  // Compared as instants: `at` may carry an offset (…T09:00:00-05:00), which does not sort as text.
  const at = Date.parse(ctx.at);
  const now = Date.parse(ctx.now);
  if (at > now || at < now - MAX_OFFLINE_MS) return ctx.now;
  return new Date(at).toISOString();
}

export function transition(m: StateMachine, current: string, args: { from: string; to: string }, ctx: MutationContext): boolean {
  const check = checkTransition(m, current, args.from, args.to, ctx.actor.role);
  if (!check.ok) throw new Rejection(check.code, check.message);
  return !check.noop;
}

/** The args of an edit (SYNC-PROTOCOL.md): `base` holds the value seen for every field in `changes`. */
/**
 * The args of a `<table>.transition` mutation: the row, the state the device saw and the one it asks
 * for (both states of `m`), plus what this move may carry (`note`, a reason, a root cause …).
 */
export function transitionArgs<S extends string, E extends v.ObjectEntries>(m: StateMachine<S>, extra: E) {
  const state = v.picklist(m.states as readonly S[] as [S, ...S[]], 'is not one of the choices');
  return v.strictObject({ id: Uuid, from: state, to: state, ...extra }, 'has a field that is not allowed');
}

export function editArgs<E extends v.ObjectEntries>(fields: E) {
  const opt = v.strictObject(Object.fromEntries(Object.entries(fields).map(([k, s]) => [k, v.optional(s)])) as { [K in keyof E]: v.OptionalSchema<E[K], undefined> }, 'has a field that is not allowed');
  return v.pipe(
    v.strictObject({ id: Uuid, base: opt, changes: opt }, 'has a field that is not allowed'),
    v.check((a) => Object.keys(a.changes).length > 0, 'changes must name at least one field'),
    v.check((a) => Object.keys(a.changes).every((k) => k in a.base), 'base must hold the value seen for every changed field'),
  );
}

/**
 * The questions a mutator can ask: a rejection whose details carry one of these codes means "confirm
 * and send again with the flag", and a screen reads the code to ask it (offline too, since the device
 * runs the same mutator).
 */
export const ASK = {
  short: 'short', machineBusy: 'machine_busy', overPlan: 'over_plan', pastDue: 'past_due', overlap: 'overlap',
  // maintenance (issue 13): starting a stage on a machine that is down or in maintenance
  machineDown: 'machine_down',
} as const;

/**
 * Whether to ask here. Questions are asked where the person is: on the device, which runs the same
 * mutator before queueing (offline too). The server records what the floor did: a stage an operator
 * started or completed offline was started or completed, and two devices' progress both counts, so
 * a question the device could not have asked (it did not know of the other device) never turns a
 * person's action into a rejection there. Nor is it asked again when the device re-applies its pending
 * changes after a pull (rebase): the person already answered, or had nothing to answer when they acted.
 * Hard limits (a typo far beyond the plan) hold on both sides.
 */
export function asksHere(ctx: MutationContext): boolean {
  return ctx.asking;
}

/** The ASK code of a rejection's details, if it is a question. */
export function askedFor(details: unknown[] | undefined): { code: string; [k: string]: unknown } | undefined {
  const codes: readonly string[] = Object.values(ASK);
  return details?.find((d): d is { code: string } => !!d && typeof d === 'object' && codes.includes(String((d as { code?: unknown }).code)));
}
