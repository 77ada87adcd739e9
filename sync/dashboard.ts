// The plant dashboard's answer (GET /api/dashboard, issue 15 §2): the shape the server computes and the
// device caches and draws. A ratio without a denominator is null and shown as "—"; ratios are 0..1.
export type Ratio = number | null;

export const ORDER_STATUSES = ['draft', 'released', 'in_progress', 'on_hold', 'completed', 'cancelled'] as const;

export interface OeeRow {
  plannedMinutes: number;
  runMinutes: number;
  downtimeMinutes: number;
  totalCount: number;
  goodCount: number;
  availability: Ratio;
  performance: Ratio;
  quality: Ratio;
  oee: Ratio;
}

export interface CapacityRow { scheduledHours: number; availableHours: number; utilisation: Ratio }
export interface MachineRef { machineId: string; code: string; name: string; departmentId: string }
export interface DepartmentRef { departmentId: string; code: string; name: string }

/** A figure for one period, per machine and per department. */
export interface Breakdown<Label extends string, Row> {
  label: Label;
  from: string;
  to: string;
  machines: Array<Row & MachineRef>;
  departments: Array<Row & DepartmentRef>;
}

export interface Dashboard {
  generatedAt: string;
  today: string;
  week: { from: string; to: string };
  nextWeek: { from: string; to: string };
  scope: { departmentId: string | null; departmentName: string | null };
  orders: {
    byStatus: Record<(typeof ORDER_STATUSES)[number], number>;
    /** Open orders (not completed or cancelled) due this week. */
    dueThisWeek: number;
    /** Open orders due before today. */
    late: number;
    /** DOMAIN.md: order lines completed on or before due / lines due in the period. */
    onTimeDelivery: { from: string; to: string; linesDue: number; linesOnTime: number; ratio: Ratio };
  };
  /** This week, then next week. */
  capacity: Array<Breakdown<'This week' | 'Next week', CapacityRow>>;
  /** Today, then this week. */
  oee: Array<Breakdown<'Today' | 'This week', OeeRow>>;
  /** Each alert's items hold at most ALERT_ITEMS, most urgent first; count is the full count. */
  alerts: {
    rejectsAwaitingReview: { count: number; items: Array<{ id: string; number: string; quantity: number; machineCode: string | null; defectCode: string | null; createdAt: string }> };
    sla: { breached: number; nearBreach: number; items: Array<{ id: string; number: string; machineCode: string; priority: number; clock: 'response' | 'resolution'; state: 'breached' | 'near'; dueAt: string }> };
    sopOverdue: { count: number; escalated: number; items: Array<{ id: string; number: string; againstDepartmentCode: string; status: string; dueAt: string; escalationLevel: number }> };
    /** Plans due within 7 days, or overdue. */
    preventiveDue: { count: number; items: Array<{ id: string; machineCode: string; task: string; nextDueAt: string }> };
    ordersOnHold: { count: number; items: Array<{ id: string; number: string; customerName: string; holdReason: string | null }> };
  };
}

export const ALERT_ITEMS = 10;
