// Master data the pages show by name (machines, defect codes, users…), read live from this device.
import type { PublicUser } from '../../../sync/roles';
import type { DefectCode, Department, Machine, Product, UserRow } from '../../../sync/tables';
import type { BarronDB } from '../../db/db';
import { useLive } from '../../db/live';
import { allRows } from '../../db/rows';

export interface Lookups {
  machines: Map<string, Machine>;
  defectCodes: Map<string, DefectCode>;
  users: Map<string, UserRow>;
  departments: Map<string, Department>;
  products: Map<string, Product>;
}

const byId = <T extends { id: string }>(rows: T[]) => new Map(rows.map((r) => [r.id, r]));

export function useLookups(db: BarronDB): Lookups | undefined {
  return useLive(async () => {
    const [machines, defectCodes, users, departments, products] = await Promise.all([
      allRows(db, 'machines'), allRows(db, 'defectCodes'), allRows(db, 'users'), allRows(db, 'departments'), allRows(db, 'products'),
    ]);
    return { machines: byId(machines), defectCodes: byId(defectCodes), users: byId(users), departments: byId(departments), products: byId(products) };
  }, [db]);
}

/**
 * The machines in use that a rule of sync/permissions.ts allows for this user (the mutator checks
 * the same rule), the user's own department first.
 */
export function machineOptions(l: Lookups, user: PublicUser, allowed: (actor: PublicUser, departmentId: string) => boolean) {
  const own = (m: Machine) => (m.departmentId === user.departmentId ? 0 : 1);
  return [...l.machines.values()]
    .filter((m) => m.active && !m.deletedAt && allowed(user, m.departmentId))
    .sort((a, b) => own(a) - own(b) || a.code.localeCompare(b.code))
    .map((m) => ({ value: m.id, label: `${m.code} — ${m.name}` }));
}

export function machineName(l: Lookups, id: string | null | undefined) {
  const m = id ? l.machines.get(id) : undefined;
  return m ? `${m.code} ${m.name}` : '—';
}

export function userName(l: Lookups, id: string | null | undefined) {
  return (id && l.users.get(id)?.displayName) || '—';
}

/** A row the server has not confirmed yet (made or changed on this device). */
export function isLocal(row: { version: number }) {
  return row.version === 0;
}
