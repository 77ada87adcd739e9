// The planning data the orders, board and portal pages read live from this device: orders with their
// items and stages, and the shift calendar (config `shiftCalendar`, else the default).
import { DEFAULT_CALENDAR, type ShiftCalendar } from '../../../sync/planning';
import type { Order, OrderItem, Stage } from '../../../sync/tables';
import type { BarronDB } from '../../db/db';
import { useLive } from '../../db/live';
import { allRows } from '../../db/rows';

export interface PlanData {
  orders: Map<string, Order>;
  items: Map<string, OrderItem>;
  stages: Stage[];
  /** Items of each order, stages of each item (by sequence). */
  itemsOf: Map<string, OrderItem[]>;
  stagesOf: Map<string, Stage[]>;
}

function group<T>(rows: T[], key: (r: T) => string): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const r of rows) m.set(key(r), [...(m.get(key(r)) ?? []), r]);
  return m;
}

/** Every live order, item and stage on the device (a planner's device holds all of them; a floor device its department's). */
export function usePlanData(db: BarronDB): PlanData | undefined {
  return useLive(async () => {
    const [orders, items, stages] = await Promise.all([allRows(db, 'orders'), allRows(db, 'orderItems'), allRows(db, 'stages')]);
    const liveItems = items.filter((i) => !i.deletedAt);
    const liveStages = stages.filter((s) => !s.deletedAt).sort((a, b) => a.sequence - b.sequence);
    return {
      orders: new Map(orders.filter((o) => !o.deletedAt).map((o) => [o.id, o])),
      items: new Map(liveItems.map((i) => [i.id, i])),
      stages: liveStages,
      itemsOf: group(liveItems, (i) => i.orderId),
      stagesOf: group(liveStages, (s) => s.orderItemId),
    };
  }, [db]);
}

export function useCalendar(db: BarronDB): ShiftCalendar {
  return useLive(() => db.getMeta<ShiftCalendar>('config:shiftCalendar'), [db]) ?? DEFAULT_CALENDAR;
}
