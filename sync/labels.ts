// Words for people: what each mutation and each field is called on screen, in history and in
// messages, so internal names ("maintenance.transition", "workDone") never reach a user.
import type { MutationName } from './mutations';

export const MUTATION_LABELS: Record<MutationName, string> = {
  'stage.transition': 'Stage status change',
  'job.progress': 'Progress entry',
  'job.downtime': 'Downtime entry',
  'job.correction': 'Count correction',
  'order.transition': 'Order status change',
  'order.create': 'New order',
  'order.update': 'Order edit',
  'stage.update': 'Stage edit',
  'stage.schedule': 'Stage schedule',
  'holdRequest.create': 'Hold request',
  'holdRequest.transition': 'Hold request answer',
  'reject.create': 'Reject',
  'reject.transition': 'Reject review',
  'maintenance.create': 'Maintenance request',
  'maintenance.update': 'Maintenance ticket edit',
  'maintenance.transition': 'Maintenance status change',
  'maintenance.comment': 'Maintenance comment',
  // quality (CAPA)
  'action.create': 'New corrective action',
  'action.update': 'Corrective action edit',
  'action.transition': 'Corrective action status change',
  // quality (returns)
  'return.create': 'New customer return',
  'return.update': 'Customer return edit',
  'return.transition': 'Customer return status change',
  // SOP compliance (issue 12)
  'sop.raise': 'SOP ticket',
  'sop.transition': 'SOP ticket status change',
  'sop.escalate': 'SOP ticket escalation',
  'ncr.create': 'New NCR',
  'ncr.update': 'NCR edit',
  'ncr.transition': 'NCR status change',
  'notification.read': 'Notification read',
  // maintenance (issue 13)
  'maintenance.tick': 'Checklist tick',
  'plan.create': 'New preventive plan',
  'plan.update': 'Preventive plan edit',
  'plan.transition': 'Preventive plan pause or resume',
  'plan.due': 'Preventive ticket opened',
};

/** Field names as a form or a history line says them. */
export const FIELD_LABELS: Record<string, string> = {
  id: 'Id', stageId: 'Stage', orderId: 'Order', productId: 'Product', machineId: 'Machine', defectCodeId: 'Defect',
  goodQty: 'Good parts', rejectQty: 'Rejected parts', quantity: 'Quantity', note: 'Note', reason: 'Reason', minutes: 'Minutes',
  description: 'Description', priority: 'Priority', type: 'Type', workDone: 'Work done', partsUsed: 'Parts used',
  downtimeMinutes: 'Downtime (min)', assigneeId: 'Assigned to', status: 'Status', from: 'From', to: 'To',
  customerName: 'Customer', externalRef: 'Customer reference', dueDate: 'Due date', notes: 'Notes', items: 'Items',
  name: 'Name', plannedMinutes: 'Planned minutes', scheduledStart: 'Start', scheduledEnd: 'End', disposition: 'Disposition',
  rootCause: 'Root cause', correctiveAction: 'Corrective action', holdReason: 'Hold reason', answerNote: 'Answer',
  respondedAt: 'Responded', completedAt: 'Completed', verifiedAt: 'Verified', startedAt: 'Started', approvedAt: 'Approved',
  closedAt: 'Closed', responseDueAt: 'Response due', resolutionDueAt: 'Resolution due', reject: 'Defect',
  confirmShort: 'Confirmation', confirmParallel: 'Confirmation', confirmOverPlan: 'Confirmation', confirmPastDue: 'Confirmation',
  confirmOverCapacity: 'Confirmation', confirmOverlap: 'Confirmation',
  // maintenance (issue 13)
  confirmDown: 'Confirmation', checklist: 'Checklist', item: 'Checklist item', reading: 'Reading', task: 'Task',
  intervalDays: 'Interval (days)', intervalHours: 'Interval (run hours)', nextDueAt: 'Next due', planId: 'Plan', dueAt: 'Due',
  // Master data (the admin forms).
  username: 'Username', displayName: 'Display name', role: 'Role', password: 'Password', departmentId: 'Department',
  hodUserId: 'Head of department', code: 'Code', title: 'Title', revision: 'Revision', unit: 'Unit', sku: 'Product SKU',
  sellPrice: 'Sell price', standardMinutes: 'Standard minutes', routing: 'Routing', category: 'Category', contact: 'Contact',
  email: 'Email', leadTimeDays: 'Lead time (days)', hoursPerDay: 'Hours per day', idealCycleSeconds: 'Ideal cycle (seconds)',
  allowParallel: 'Runs several stages at once',
  // quality (CAPA)
  sourceType: 'Source', sourceId: 'Source', ownerId: 'Owner', doneNote: 'Done note', doneAt: 'Done',
  reopenNote: 'Sent back because', verifiedBy: 'Verified by',
  // quality (returns, reject review)
  receivedAt: 'Received', creditValue: 'Credit value', resolvedAt: 'Resolved', reviewNote: 'Review note', reportedBy: 'Reported by',
  approvedBy: 'Approved by', number: 'Number', departmentIds: 'Seen by',
  // SOP compliance (issue 12)
  sopId: 'SOP', againstDepartmentId: 'Against department', severity: 'Severity', what: 'What (requirement violated)',
  containment: 'Containment', preventiveAction: 'Preventive action', quantityAffected: 'Quantity affected', returnNote: 'Return note',
};

/** A mutation's name as people say it; an unknown name is shown as it is. */
export function mutationLabel(name: string): string {
  return (MUTATION_LABELS as Record<string, string>)[name] ?? name;
}

/** A field's label; a dotted path (`items.0.quantity`) is labelled by its last named part. */
export function fieldLabel(path: string): string {
  const last = path.split('.').filter((p) => !/^\d+$/.test(p)).pop() ?? path;
  return FIELD_LABELS[last] ?? last.replace(/([A-Z])/g, ' $1').replace(/^./, (c) => c.toUpperCase());
}
