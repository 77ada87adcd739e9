// Column mapping presets for the order import: our generic sheet, and a Dynamics 365
// "sales order lines" export. A planner can override any column by header name.
export const IMPORT_FIELDS = ['externalRef', 'customerName', 'dueDate', 'sku', 'quantity', 'priority', 'notes'] as const;
export type ImportField = (typeof IMPORT_FIELDS)[number];
export const REQUIRED_FIELDS: ImportField[] = ['customerName', 'dueDate', 'sku', 'quantity'];

export interface Preset {
  name: string;
  label: string;
  mapping: Partial<Record<ImportField, string>>;
  /** How to read a date written as text with slashes: month first (US, D365 default) or day first. */
  slashDates: 'mdy' | 'dmy';
}

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
