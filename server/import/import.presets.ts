// Column mapping presets for the order import: our generic sheet, and a Dynamics 365
// "sales order lines" export. A planner can override any column by header name.
import { IMPORT_FIELDS, REQUIRED_IMPORT_FIELDS, type ImportField, type ImportPreset } from '../../sync/wire';

export { IMPORT_FIELDS, type ImportField };
export const REQUIRED_FIELDS = REQUIRED_IMPORT_FIELDS;
/** The shape lives in sync/wire.ts: GET /api/import/presets answers it to the import screen. */
export type Preset = ImportPreset;

export const PRESETS: Record<string, Preset> = {
  generic: {
    name: 'generic',
    label: 'Generic (Order ref, Customer, Due date, SKU, Quantity, Priority, Notes)',
    mapping: { externalRef: 'Order ref', customerName: 'Customer', dueDate: 'Due date', sku: 'SKU', quantity: 'Quantity', priority: 'Priority', notes: 'Notes' },
    slashDates: 'dmy',
  },
  d365: {
    name: 'd365',
    label: 'Dynamics 365 sales order lines export',
    mapping: { externalRef: 'Sales order', customerName: 'Customer name', dueDate: 'Requested ship date', sku: 'Item number', quantity: 'Quantity', notes: 'Line description' },
    slashDates: 'mdy',
  },
};
