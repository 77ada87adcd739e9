// The rejections every module's mutators share, worded once: not found (or not yours), taken ids.
import { Rejection } from './store';
import type { TableName } from './tables';

/** What a row of each table is called in a message. */
export const ROW_LABEL: Record<TableName, string> = {
  departments: 'Department', users: 'User', machines: 'Machine', products: 'Product', defectCodes: 'Defect code', sops: 'SOP',
  orders: 'Order', orderItems: 'Order item', stages: 'Stage', jobEvents: 'Job event', rejects: 'Reject',
  maintenanceTickets: 'Maintenance ticket', maintenanceEvents: 'Maintenance event', holdRequests: 'Hold request',
  // quality (CAPA)
  correctiveActions: 'Corrective action',
  // quality (returns)
  customerReturns: 'Customer return',
  attachments: 'Photo',
  // SOP compliance (issue 12)
  sopTickets: 'SOP ticket', ncrReports: 'NCR', notifications: 'Notification',
  // maintenance (issue 13)
  preventivePlans: 'Preventive plan',
};

/**
 * One answer for "does not exist" and "exists but is not yours to see", so ids cannot be probed:
 * a Paint stage's id sent by a Press operator reads exactly like a made-up id.
 */
export function notFound(table: TableName, id: string) {
  return new Rejection('not_found', `${ROW_LABEL[table]} ${id} does not exist.`);
}

/** A create's id (or the id of a row it makes) is taken by a row of the table. */
export function alreadyExists(table: TableName, id: string, field = 'id') {
  return new Rejection('already_exists', `${ROW_LABEL[table]} ${id} exists already: a new row needs a new id.`, [{ field, message: 'is taken' }]);
}

