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
