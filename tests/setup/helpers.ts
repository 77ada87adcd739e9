// Small helpers the server suites share: tokens for demo users without a bcrypt login, audit rows,
// row counts and a check that an error body leaks nothing of the server's insides.
import { expect } from 'vitest';
import { issueSession } from '../../server/auth/sessions';
import { uuidv7 } from '../../sync/ids';
import type { Harness } from './harness';
import { byName } from '../../server/db/db';

export const ROLE_USERS = {
  admin: 'admin',
  manager: 'manager',
  supervisor: 'supervisor.press',
  operator: 'operator.press',
  technician: 'technician',
} as const;
export type RoleName = keyof typeof ROLE_USERS;
export const ROLE_NAMES = Object.keys(ROLE_USERS) as RoleName[];

export async function userByName(h: Harness, username: string) {
  return h.deps.db.selectFrom('users').selectAll().where('username', '=', username).executeTakeFirstOrThrow();
}

/** A valid access token of a new session of a seeded user, without a bcrypt login (logins are slow on purpose). */
export async function tokenFor(h: Harness, username: string): Promise<string> {
  const u = await userByName(h, username);
  const user = { id: u.id, username: u.username, displayName: u.displayName, role: u.role, departmentId: u.departmentId };
  return (await issueSession(h.deps, user, uuidv7(), new Date())).accessToken;
}

/** The audit rows, oldest first, optionally only those of one mutation name; JSON columns parsed. */
export async function auditRows(h: Harness, mutationName?: string) {
  let q = h.deps.db.selectFrom('auditLog').selectAll().orderBy('at').orderBy('id');
  if (mutationName) q = q.where('mutationName', '=', mutationName);
  const rows = await q.execute();
  const parse = (s: unknown) => (typeof s === 'string' ? JSON.parse(s) : s);
  return rows.map((r): Record<string, any> => ({ ...r, before: parse(r.before), after: parse(r.after) }));
}

export async function countRows(h: Harness, table: string): Promise<number> {
  const r = await byName(h.deps.db).selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
  return Number(r.n);
}

/** Row counts of every table that a request could write to. */
export async function countAll(h: Harness, tables: readonly string[]) {
  return Object.fromEntries(await Promise.all(tables.map(async (t) => [t, await countRows(h, t)] as const)));
}

/** Asserts the error shape of SYNC-PROTOCOL.md and that nothing of a stack trace or SQL leaks. */
export function expectCleanError(body: unknown, code?: string) {
  expect(body).toMatchObject({ error: { code: code ?? expect.any(String), message: expect.any(String) } });
  const text = JSON.stringify(body);
  expect(text).not.toMatch(/\bat \S+ \(|\.ts:\d+|node_modules|SQLITE|ER_[A-Z_]+|\bselect\b.*\bfrom\b|\binsert into\b|\bupdate\b.*\bset\b|stack/i);
}

export type PushResult = { status: string; code?: string; message?: string; conflicts?: { field: string }[]; details?: { field: string; code?: string; [k: string]: unknown }[] };

/**
 * `send(username, name, args)` pushes one mutation as that user's device would (one device per user,
 * its seq counting up); `reset()` forgets the devices (call it in beforeEach).
 */
export function devicePush(h: Harness) {
  const devices = new Map<string, { clientId: string; seq: number }>();
  return {
    reset: () => devices.clear(),
    async send(username: string, name: string, args: Record<string, unknown>, at = new Date().toISOString()): Promise<PushResult> {
      const d = devices.get(username) ?? { clientId: uuidv7(), seq: 0 };
      devices.set(username, d);
      d.seq += 1;
      const r = await h.call('POST', '/api/sync/push', { token: await tokenFor(h, username), body: { clientId: d.clientId, schemaVersion: 1, mutations: [{ id: uuidv7(), seq: d.seq, name, args, at }] } });
      expect(r.status).toBe(200);
      return r.body.results[0];
    },
  };
}

/** The one row of a table matching every field of `where` (throws when there is none). */
export function oneRow(h: Harness, table: string, where: Record<string, unknown>) {
  let q = byName(h.deps.db).selectFrom(table).selectAll();
  for (const [k, v] of Object.entries(where)) q = q.where(k, '=', v);
  return q.executeTakeFirstOrThrow();
}
