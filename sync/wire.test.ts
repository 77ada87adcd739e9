import { describe, expect, it } from 'vitest';
import { csvHeaderRow, presetForHeaders, type ImportPreset } from './wire';

const generic: ImportPreset = { name: 'generic', label: 'Generic', slashDates: 'dmy', mapping: { customerName: 'Customer', dueDate: 'Due date', sku: 'SKU', quantity: 'Quantity' } };
const d365: ImportPreset = { name: 'd365', label: 'D365', slashDates: 'mdy', mapping: { externalRef: 'Sales order', customerName: 'Customer name', dueDate: 'Requested ship date', sku: 'Item number', quantity: 'Quantity' } };

describe('import presets from a header row', () => {
  it('a D365 export header (any case, quoted, with a BOM and ; separators) picks the D365 preset; an unknown header none', () => {
    const header = csvHeaderRow('\uFEFF"Sales order";customer NAME;Requested ship date;Item number;Quantity;Line description\r\nSO-1;Acme;1/2/2027;X;3;');
    expect(header).toEqual(['Sales order', 'customer NAME', 'Requested ship date', 'Item number', 'Quantity', 'Line description']);
    expect(presetForHeaders([generic, d365], header)?.name).toBe('d365');
    expect(presetForHeaders([generic, d365], csvHeaderRow('Customer,Due date,SKU,Quantity'))?.name).toBe('generic');
    expect(presetForHeaders([generic, d365], csvHeaderRow('a,b,c'))).toBeNull();
  });
});
