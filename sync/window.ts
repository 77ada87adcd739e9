// The sync window (SYNC-PROTOCOL.md "What a device holds"): everything open, plus what closed
// within the window; children follow their order or ticket. One rule for the server's snapshot
// and the device's pruning.
import type { TableName } from './tables';

export const DEFAULT_SYNC_WINDOW_DAYS = 30;

export type WindowRule =
  /** The row itself closes: `field` in `closed` and last written before the horizon. */
  | { kind: 'own'; field: string; closed: string[] }
  /** The row follows its parent (`via` holds the parent's id). */
  | { kind: 'parent'; parent: TableName; via: string };

export const WINDOW: Partial<Record<TableName, WindowRule>> = {
  orders: { kind: 'own', field: 'status', closed: ['completed', 'cancelled'] },
  orderItems: { kind: 'parent', parent: 'orders', via: 'orderId' },
  stages: { kind: 'parent', parent: 'orders', via: 'orderId' },
  jobEvents: { kind: 'parent', parent: 'orders', via: 'orderId' },
  rejects: { kind: 'own', field: 'status', closed: ['closed'] },
  maintenanceTickets: { kind: 'own', field: 'status', closed: ['verified', 'cancelled'] },
  maintenanceEvents: { kind: 'parent', parent: 'maintenanceTickets', via: 'ticketId' },
  holdRequests: { kind: 'parent', parent: 'orders', via: 'orderId' },
  // quality (CAPA): an action stays on the owner's device until verified, wherever its source went.
  correctiveActions: { kind: 'own', field: 'status', closed: ['verified'] },
  // quality (returns)
  customerReturns: { kind: 'own', field: 'status', closed: ['closed'] },
  // SOP compliance (issue 12)
  sopTickets: { kind: 'own', field: 'status', closed: ['closed', 'rejected'] },
  ncrReports: { kind: 'own', field: 'status', closed: ['approved'] },
  notifications: { kind: 'own', field: 'status', closed: ['read'] },
};

export function horizon(now: Date, days = DEFAULT_SYNC_WINDOW_DAYS): string {
  return new Date(now.getTime() - days * 86_400_000).toISOString();
}

/** True when a row of a table with an own rule closed before the horizon. */
export function closedBefore(table: TableName, row: Record<string, unknown>, horizonIso: string): boolean {
  const rule = WINDOW[table];
  return !!rule && rule.kind === 'own' && rule.closed.includes(row[rule.field] as string) && (row.updatedAt as string) < horizonIso;
}
