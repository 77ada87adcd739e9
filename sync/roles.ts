// Roles and the user shape every side agrees on (SYNC-PROTOCOL.md "Auth").
export const ROLES = ['admin', 'manager', 'supervisor', 'operator', 'technician'] as const;
export type Role = (typeof ROLES)[number];

/** The acting user as the server knows it from the token (never from the request body). */
export interface Actor {
  id: string;
  role: Role;
  departmentId: string | null;
}

export interface PublicUser extends Actor {
  username: string;
  displayName: string;
}

export const ALL_ROLES: readonly Role[] = ROLES;
export const MANAGERS: readonly Role[] = ['admin', 'manager'];
export const LEADS: readonly Role[] = ['admin', 'manager', 'supervisor'];
export const FLOOR: readonly Role[] = ['admin', 'manager', 'supervisor', 'operator'];
/** Who works maintenance tickets: technicians, their supervisors and the plant's management. */
export const MAINTAINERS: readonly Role[] = ['admin', 'manager', 'supervisor', 'technician'];
