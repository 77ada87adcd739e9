import { describe, expect, it } from 'vitest';
import { parseUpload } from '../import/import.parse';
import { csvCell, csvResponse, csvStream, paged, startsLikeFormula, toCsv } from './csv';

describe('CSV output', () => {
  it('prefixes a quote to text a spreadsheet would run as a formula, even behind spaces, and leaves numbers and ordinary text alone', () => {
    for (const text of ['=HYPERLINK("http://evil","x")', ' =1+1', '\u00A0@SUM(A1)', "+cmd|' /C calc'!A0", '- ACME', '\t1', '\rx', '-1+1']) {
      expect(startsLikeFormula(text), text).toBe(true);
      expect(csvCell(text).replace(/^"/, '').startsWith("'"), text).toBe(true);
    }
    for (const text of ['ACME', '-5', '+46', '12.5', '-', 'a=b', 'O\'Brien', '']) expect(startsLikeFormula(text), text).toBe(false);
    expect(csvCell(-5)).toBe('-5');
    expect(csvCell('-5')).toBe('-5');
    expect(csvCell(null)).toBe('');
    expect(csvCell(new Date(Date.UTC(2026, 11, 1)))).toBe('2026-12-01T00:00:00.000Z');
  });

  it('quotes separators, quotes, line breaks and outer spaces, so a CSV reader gets every cell back as written', async () => {
    const rows = [['Customer', 'Notes', 'Qty'], ['Volvo, Torslanda', 'say "hi"\nthen go', 5], [' padded ', '=HYPERLINK("http://evil","x")', -5], ['Scania; Södertälje', '', 0]];
    const text = toCsv(rows);
    expect(text.startsWith('\uFEFFCustomer,Notes,Qty\r\n"Volvo, Torslanda","say ""hi""\nthen go",5\r\n')).toBe(true);
    const back = await parseUpload('export.csv', new TextEncoder().encode(text));
    expect(back.headers).toEqual(['Customer', 'Notes', 'Qty']);
    expect(back.rows.map((r) => r.cells)).toEqual([
      ['Volvo, Torslanda', 'say "hi"\nthen go', '5'],
      [' padded ', `'=HYPERLINK("http://evil","x")`, '-5'],
      ['Scania; Södertälje', '', '0'],
    ]);
  });

  it('sends a download as text/csv with a file name that cannot break the header', async () => {
    const res = csvResponse('orders "late"\r\n.csv', [['a'], [1]]);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="orders_late_.csv"');
    // The BOM is there for Excel (Response.text() would drop it when decoding).
    expect(Buffer.from(await res.arrayBuffer()).toString('latin1')).toBe('\xEF\xBB\xBFa\r\n1\r\n');
  });

  it('streams: rows are produced only as the reader takes chunks, and a reader that goes away stops the production', async () => {
    let produced = 0;
    let finished = false;
    async function* rows() {
      try {
        for (let i = 0; i < 100_000; i++) {
          produced += 1;
          yield [i, `=row ${i}`, 'text, with a comma'];
        }
      } finally {
        finished = true;
      }
    }
    const res = csvStream('big.csv', ['n', 'formula', 'text'], rows());
    const reader = res.body!.getReader();
    const first = await reader.read();
    const text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(first.value);
    expect(text.startsWith('\uFEFFn,formula,text\r\n0,\'=row 0,"text, with a comma"\r\n')).toBe(true);
    expect(produced).toBeLessThan(5_000); // one ~64 KB chunk, not the 100 000 rows
    await reader.cancel();
    expect(finished).toBe(true);
    expect(produced).toBeLessThan(5_000);
  });

  it('pages: asks the next page after the last row of the previous one, and stops at a short page', async () => {
    const asked: (number | null)[] = [];
    const all: number[] = [];
    for await (const n of paged<number>(async (after, size) => {
      asked.push(after);
      const start = after === null ? 0 : after + 1;
      return Array.from({ length: Math.max(0, Math.min(size, 25 - start)) }, (_, i) => start + i);
    }, 10)) all.push(n);
    expect(all).toEqual(Array.from({ length: 25 }, (_, i) => i));
    expect(asked).toEqual([null, 9, 19]);
  });
});
