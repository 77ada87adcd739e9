// Every link the dashboard makes (issue 15 §2: each tile and chart opens the list behind it, filtered).
// The list pages read these query parameters, named as their GET /api/<list>/export.csv filters
// (server/exports/exports.routes.ts, docs/api.md): keep the names here, in one place, so aligning
// them with the lists is a change to this file only.
import type { ORDER_STATUSES } from '../../../sync/dashboard';

type OrderStatus = (typeof ORDER_STATUSES)[number];

/** The Orders list's chips (client/features/orders/order-list.tsx, ORDER_VIEWS) by order status. */
const ORDER_CHIP: Record<OrderStatus, string> = {
  draft: 'Draft', released: 'Released', in_progress: 'In progress', on_hold: 'On hold', completed: 'Completed', cancelled: 'Cancelled',
};

/** `/path?a=1&b=2`, leaving out empty values; spaces as %20 (what the lists' URLSearchParams reads back). */
export function href(path: string, params: Record<string, string | null | undefined> = {}): string {
  const q = Object.entries(params).filter(([, v]) => v != null && v !== '')
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v!)}`).join('&');
  return q ? `${path}?${q}` : path;
}

/** The department a manager narrowed the dashboard to (null: the plant; supervisors are scoped by the server). */
type Dept = string | null;

export const links = {
  ordersByStatus: (status: OrderStatus) => href('/orders', { show: ORDER_CHIP[status] }),
  /** Open orders; the list sorts by due date, so this week's come first. */
  ordersOpen: () => href('/orders', { show: 'Open' }),
  /** The department's floor right now (today's stages, machines, the shift's counts) on a tablet. */
  floorNow: (departmentCode?: string | null) => href('/floor', { dept: departmentCode }),
  /** Open orders due Monday to Sunday of this week, the tile's own count. */
  ordersDueThisWeek: () => href('/orders', { show: 'Due this week' }),
  ordersLate: () => href('/orders', { show: 'Late' }),
  ordersOnHold: () => href('/orders', { show: 'On hold' }),
  /** On-time delivery is counted on the lines of completed orders. */
  ordersCompleted: () => href('/orders', { show: 'Completed' }),
  order: (id: string) => `/orders/${encodeURIComponent(id)}`,

  /** Capacity: the planning board's week (it reads `week` and `dept`). */
  capacity: (weekFrom: string, departmentId: Dept) => href('/planning', { week: weekFrom, dept: departmentId }),

  /** OEE of a machine: its downtime and tickets; of a department: its stages now. */
  machineTickets: (machineId: string) => href('/maintenance', { machineId }),
  stagesNow: (departmentId: Dept) => href('/stages', { show: 'now', departmentId }),

  rejectsOpen: (departmentId: Dept) => href('/rejects', { show: 'Open', departmentId }),
  reject: (id: string) => `/rejects/${encodeURIComponent(id)}`,

  slaBreached: () => href('/maintenance', { show: 'Open', sla: 'breached' }),
  slaNear: () => href('/maintenance', { show: 'Open', sla: 'near' }),
  ticket: (id: string) => `/maintenance/${encodeURIComponent(id)}`,

  sopOverdue: () => href('/sop', { show: 'Overdue' }),
  sopTicket: (id: string) => `/sop/${encodeURIComponent(id)}`,

  preventiveDue: () => href('/maintenance/plans', { due: 'week' }),
};
