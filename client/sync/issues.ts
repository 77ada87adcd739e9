// The Sync issues inbox's two actions. "Apply mine again" is a new mutation made against the row as
// it is now (an edit with the current values as base, a transition from the current state), so it
// goes through the same rules as any change; "discard" only files the issue away.
import { MUTATIONS } from '../../sync/mutations';
import type { Role } from '../../sync/roles';
import { allowedMoves, STATE_MACHINE_OF } from '../../sync/state-machines';
import type { Row, TableName } from '../../sync/tables';
import type { SyncIssue } from '../db/db';

export interface Retry { name: string; args: Record<string, unknown>; summary: string }

/** The table and id of the row an issue is about, for edits and transitions (the kinds that can be redone). */
export function issueTarget(issue: SyncIssue): { table: TableName; id: string } | null {
  const def = MUTATIONS.get(issue.name);
  const id = (issue.args as { id?: unknown })?.id;
  if (!def || typeof id !== 'string' || (def.kind !== 'edit' && def.kind !== 'transition')) return null;
  return { table: def.table, id };
}

/** What "apply mine again" would send, or null when it cannot be redone (the row is gone, the move is no longer possible). */
export function retryFor(issue: SyncIssue, current: Row | null, role: Role): Retry | null {
  const def = MUTATIONS.get(issue.name);
  if (!def || !current || current.deletedAt) return null;
  const args = issue.args as Record<string, unknown>;
  if (def.kind === 'edit') {
    const changes = (args.changes ?? {}) as Record<string, unknown>;
    // A conflict: only the fields that lost; a rejection: everything that was asked.
    const fields = issue.status === 'conflict' && issue.conflicts?.length ? issue.conflicts.map((c) => c.field) : Object.keys(changes);
    const redo = fields.filter((f) => f in changes && !Object.is(current[f], changes[f]));
    if (redo.length === 0) return null;
    return {
      name: issue.name,
      args: { id: args.id, base: Object.fromEntries(redo.map((f) => [f, current[f]])), changes: Object.fromEntries(redo.map((f) => [f, changes[f]])) },
      summary: redo.join(', '),
    };
  }
  if (def.kind === 'transition') {
    const machine = STATE_MACHINE_OF[def.table];
    const state = String(current.status);
    if (!machine || state === args.to || !allowedMoves(machine, state, role).includes(String(args.to))) return null;
    return { name: issue.name, args: { ...args, from: state }, summary: `${state} → ${String(args.to)}` };
  }
  return null;
}
