// The one way to write CSV. Every CSV export goes through here, so quoting and the neutralising of
// text a spreadsheet program would run as a formula (CSV injection) are done once, the same way.

const PLAIN_NUMBER = /^[+-]?\d+(?:[.,]\d+)?$/;

/**
 * True when Excel, LibreOffice or Sheets would read this text as a formula: its trimmed text starts
 * with = + - or @, or the text starts with a tab or carriage return. A plain number such as -5 and a
 * lone sign such as "-" are not formulas. The order import refuses such text on the way in.
 */
export function startsLikeFormula(text: string): boolean {
  if (text.startsWith('\t') || text.startsWith('\r')) return true;
  const t = text.trim();
  return t.length > 1 && '=+-@'.includes(t[0]) && !PLAIN_NUMBER.test(t);
}

/**
 * One CSV field: text that starts like a formula gets a leading `'` (shown by spreadsheets, never
 * run); fields with a separator, quote, line break or outer space are quoted. Numbers stay numbers.
 */
export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  let text = value instanceof Date ? value.toISOString() : String(value);
  if (typeof value === 'string' && startsLikeFormula(text)) text = `'${text}`;
  return /[",;\r\n]/.test(text) || text !== text.trim() ? `"${text.replaceAll('"', '""')}"` : text;
}

/** A whole CSV document: comma-separated, CRLF line ends, and a BOM so Excel reads it as UTF-8. */
export function toCsv(rows: readonly (readonly unknown[])[]): string {
  return `\uFEFF${rows.map((row) => row.map(csvCell).join(',')).join('\r\n')}\r\n`;
}

/** A download of `rows` as `fileName` (reduced to letters, digits, `.`, `-` and `_`). */
export function csvResponse(fileName: string, rows: readonly (readonly unknown[])[]): Response {
  const safe = fileName.replace(/[^\w.-]+/g, '_').replace(/^\.+/, '') || 'export.csv';
  return new Response(toCsv(rows), {
    headers: { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': `attachment; filename="${safe}"` },
  });
}

const encoder = new TextEncoder();

/** About this many bytes go in one chunk of a streamed CSV (a page of rows from the database is read per chunk or so). */
export const CSV_CHUNK_BYTES = 64 * 1024;

/**
 * A streamed CSV download: the BOM and `header` first, then `rows` as they come. The stream is pulled:
 * the next rows are read (and the next database page queried) only when the client has taken the
 * previous chunk, so a 50 000-row export never sits whole in memory and starts arriving at once.
 * An error mid-way aborts the download (the file is cut short rather than silently incomplete).
 */
export function csvStream(fileName: string, header: readonly string[], rows: AsyncIterable<readonly unknown[]>): Response {
  const safe = fileName.replace(/[^\w.-]+/g, '_').replace(/^\.+/, '') || 'export.csv';
  const it = rows[Symbol.asyncIterator]();
  let first = true;
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      let text = first ? `\uFEFF${header.map(csvCell).join(',')}\r\n` : '';
      first = false;
      while (text.length < CSV_CHUNK_BYTES) {
        const next = await it.next();
        if (next.done) {
          if (text) controller.enqueue(encoder.encode(text));
          controller.close();
          return;
        }
        text += `${next.value.map(csvCell).join(',')}\r\n`;
      }
      controller.enqueue(encoder.encode(text));
    },
    async cancel() {
      await it.return?.(); // the client went away: stop reading pages
    },
  }, { highWaterMark: 0 });
  return new Response(body, {
    headers: { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': `attachment; filename="${safe}"` },
  });
}

/**
 * Every row of a keyset-paged query, one page at a time: `page(after)` answers the rows after the last
 * row of the previous page (null for the first), at most `size` of them.
 */
export async function* paged<T>(page: (after: T | null, size: number) => Promise<T[]>, size = 1000): AsyncGenerator<T> {
  let after: T | null = null;
  for (;;) {
    const rows = await page(after, size);
    yield* rows;
    if (rows.length < size) return;
    after = rows[rows.length - 1];
  }
}
