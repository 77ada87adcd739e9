import { describe, expect, it } from 'vitest';
import { genericOrderLines, xlsxBytes } from '../../tests/fixtures/build';
import { parseUpload } from './import.parse';

const csv = (text: string) => parseUpload('orders.csv', new TextEncoder().encode(text));

describe('reading an uploaded sheet', () => {
  it('stops a workbook that takes longer than its time budget with a 413, and reads the next one normally', async () => {
    const bytes = await xlsxBytes(genericOrderLines(2_000));
    await expect(parseUpload('big.xlsx', bytes, { budgetMs: 1 })).rejects.toMatchObject({ status: 413, code: 'payload_too_large', message: expect.stringContaining('took longer than') });
    const sheet = await parseUpload('big.xlsx', bytes);
    expect(sheet.rows).toHaveLength(2_000);
    expect(sheet.rows[1_999]).toMatchObject({ line: 2_001, cells: ['BIG-499', 'Customer 49', '2026-12-24', 'CLP-400', 299] });
  });

  it('keeps the row numbers the planner sees in a workbook with a title above and blank rows between', async () => {
    const bytes = await xlsxBytes([['Orders for week 49'], [], ['Order ref', 'Customer', 'Due date', 'SKU', 'Quantity']], (ws) => {
      ws.getRow(6).values = ['PO-1', 'ACME', new Date(Date.UTC(2026, 11, 20)), 'BRK-100', 5];
      ws.getCell('C9').value = 'only C';
    });
    const sheet = await parseUpload('title.xlsx', bytes);
    expect(sheet.headers).toEqual(['Orders for week 49']);
    expect(sheet.rows.map((r) => r.line)).toEqual([3, 6, 9]);
    expect(sheet.rows[1].cells).toEqual(['PO-1', 'ACME', new Date(Date.UTC(2026, 11, 20)), 'BRK-100', 5]);
    expect(sheet.rows[2].cells).toEqual([null, null, 'only C']);
  });

  it('reads CSV quoting, line breaks inside quotes, CRLF, a BOM and ; separators, keeping row numbers across blank lines', async () => {
    const sheet = await csv('\uFEFFOrder ref;Customer;Notes\r\nPO-1;"Volvo; Torslanda";"say ""hi""\nthen go"\r\n\r\nPO-2;ACME;#REF!\r\n');
    expect(sheet.headers).toEqual(['Order ref', 'Customer', 'Notes']);
    expect(sheet.rows).toEqual([
      { line: 2, cells: ['PO-1', 'Volvo; Torslanda', 'say "hi"\nthen go'] },
      { line: 4, cells: ['PO-2', 'ACME', { error: '#REF!' }] },
    ]);
    await expect(csv('a,b\n"open,2\n')).rejects.toMatchObject({ status: 400, message: expect.stringContaining('never closed') });
  });
});
