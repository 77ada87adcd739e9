// What a mutator may do to data: the same interface over the server's database and a device's IndexedDB.
import type { Actor } from './roles';
import type { RowMeta, RowTypes, TableName } from './tables';
import type { RejectCode } from './protocol';
import { derivedId } from './ids';

export type NewRow<T extends TableName> = Omit<RowTypes[T], keyof RowMeta> & { id: string };

export interface MutationStore {
  /** The row, tombstoned or not; undefined when it does not exist (or is not on this device). */
  get<T extends TableName>(table: T, id: string): Promise<RowTypes[T] | undefined>;
  /** Live (not tombstoned) rows whose `field` equals `value`. */
  find<T extends TableName>(table: T, field: string, value: string): Promise<RowTypes[T][]>;
  /** Inserts a row; the store stamps version 1, times, author and sequence. */
  insert<T extends TableName>(table: T, row: NewRow<T>): Promise<void>;
  /** Changes fields of a row; the store bumps version and stamps time, author and sequence. */
  update<T extends TableName>(table: T, id: string, changes: Partial<RowTypes[T]>): Promise<void>;
  /** The next human number for a prefix (`MT-000001`); a device answers null: the server assigns it. */
  nextNumber(prefix: string): Promise<string | null>;
  /** A config value (SLA targets, shift calendar…), or undefined for the built-in default. */
  config<T>(key: string): Promise<T | undefined>;
}

export interface MutationContext {
  actor: Actor;
  /** The applying side's clock: the server's when authoritative, the device's when optimistic. */
  now: string;
  /** The device's clock when the user acted: stored and audited, bounded by `now`, never used for ordering. */
  at: string;
  side: 'server' | 'client';
  /**
   * Whether a question may be asked now (`asksHere`): true when a person acts on the device. False
   * when the device re-applies its pending changes after a pull (rebase): the person already acted,
   * and a question asked then would hide their pending change until the server's answer comes.
   */
  asking: boolean;
  /**
   * A new id for a row the mutation makes beyond its args (a ticket's history event). Derived from
   * the mutation's id and a counter, so both sides make the same ids; never `uuidv7()` in a mutator.
   */
  newId(): string;
}

/**
 * The context a mutation runs in. `mutationId` is the mutation's own id: the outbox entry's on a
 * device, the envelope's on the server (push), or the write's own id (import, admin, seed).
 */
export function mutationContext(c: { actor: Actor; now: string; at: string; side: 'server' | 'client'; mutationId: string; rebase?: boolean }): MutationContext {
  let n = 0;
  return { actor: c.actor, now: c.now, at: c.at, side: c.side, asking: c.side === 'client' && !c.rebase, newId: () => derivedId(c.mutationId, n++) };
}

/** A mutation that cannot take effect; nothing it did is kept. */
export class Rejection extends Error {
  constructor(
    public readonly code: RejectCode,
    message: string,
    public readonly details?: unknown[],
  ) {
    super(message);
  }
}
