// Reads an uploaded .csv or .xlsx into header + rows of cells, keeping enough of each cell
// (formula, error) to tell the planner exactly what is wrong with it. Both readers take time linear
// in the file and stop at the first value outside the bounds below; an .xlsx is read in a worker
// thread (xlsx-pool.ts) within a time budget, so no upload holds up other requests.
import { AppError } from '../http/errors';
import { readXlsx } from './xlsx-pool';

/** A cell as read: a value, or a formula or error cell the planner must replace with a value. */
export type Cell = string | number | boolean | Date | null | { formula: true } | { error: string };

export interface Sheet {
  headers: string[];
  /** Data rows holding a value; `line` is the row number the planner sees in the spreadsheet. */
  rows: { line: number; cells: Cell[] }[];
}

/** Data rows one import takes. */
export const MAX_ROWS = 20_000;
/** The last row that may hold a value: room for a title block and blank rows above 20,000 lines, but a
 * stray cell at row 1,048,576 is refused at once instead of being read as a sheet of a million rows. */
export const LAST_ROW = 25_000;
export const MAX_COLUMNS = 100;
/** Reading a workbook that takes longer than this is stopped; 20,000 lines take about a second. */
export const PARSE_BUDGET_MS = 15_000;

const fmt = (n: number) => n.toLocaleString('en-US');
const bad = (message: string, status: 400 | 413 = 400) =>
  new AppError(status, status === 413 ? 'payload_too_large' : 'validation_failed', message, [{ field: 'file', message }]);

/** The spreadsheet name of a 0-based column index: 0 → A, 26 → AA. */
export function colName(i: number): string {
  let s = '';
  for (let n = i + 1; n > 0; n = Math.floor((n - 1) / 26)) s = String.fromCharCode(65 + ((n - 1) % 26)) + s;
  return s;
}

const tooManyRows = (count: string) => bad(`The sheet has ${count} data rows; at most ${fmt(MAX_ROWS)} can be imported at once. Split the file.`);

/** A value at `ref` outside the rows or columns an import reads; `rowsBefore` rows with values came before it. */
function outOfBounds(ref: string, row: number, rowsBefore: number): AppError {
  // Past the last row after more than MAX_ROWS data rows (and a header): simply too long a sheet.
  if (row > LAST_ROW && rowsBefore > MAX_ROWS) return tooManyRows(`more than ${fmt(MAX_ROWS)}`);
  if (row > LAST_ROW) {
    return bad(`Cell ${ref} holds a value, but an import reads rows 1 to ${fmt(LAST_ROW)} only (at most ${fmt(MAX_ROWS)} data rows). Delete what is in row ${fmt(row)}, or split the file.`);
  }
  return bad(`Cell ${ref} holds a value, but an import reads columns A to ${colName(MAX_COLUMNS - 1)} only (${MAX_COLUMNS} columns). Delete what is in column ${ref.replace(/\d+$/, '')}.`);
}

export async function parseUpload(fileName: string, bytes: Uint8Array, opts: { budgetMs?: number } = {}): Promise<Sheet> {
  const lower = fileName.toLowerCase();
  const isZip = bytes.length > 3 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04;
  if (lower.endsWith('.xlsx')) {
    if (!isZip) throw bad('The file is named .xlsx but is not an Excel workbook.');
    return parseXlsx(bytes, opts.budgetMs ?? PARSE_BUDGET_MS);
  }
  if (lower.endsWith('.csv') || lower.endsWith('.txt')) {
    if (isZip || bytes.includes(0)) throw bad('The file is named .csv but is not a text file.');
    return parseCsv(bytes);
  }
  throw bad('Only .xlsx and .csv files can be imported.');
}

const hasValue = (c: Cell) => c !== null && (typeof c !== 'string' || c.trim() !== '');

function finish(rows: Sheet['rows']): Sheet {
  const nonEmpty = rows.filter((r) => r.cells.some(hasValue));
  if (nonEmpty.length === 0) throw bad('The sheet is empty.');
  const [head, ...data] = nonEmpty;
  const headers = Array.from(head.cells, (c) => (c !== null && (typeof c !== 'object' || c instanceof Date) ? String(c).trim() : ''));
  if (data.length === 0) throw bad('The sheet has a header row but no data rows.');
  if (data.length > MAX_ROWS) throw tooManyRows(fmt(data.length));
  return { headers, rows: data };
}

async function parseXlsx(bytes: Uint8Array, budgetMs: number): Promise<Sheet> {
  const answer = await readXlsx(bytes, { lastRow: LAST_ROW, columns: MAX_COLUMNS }, budgetMs);
  if ('rows' in answer) return finish(answer.rows.map(([line, cells]) => ({ line, cells })));
  if ('beyond' in answer) throw outOfBounds(answer.beyond.ref, answer.beyond.row, answer.beyond.rowsBefore);
  if ('noSheet' in answer) throw bad('The workbook has no sheets.');
  if ('stopped' in answer) {
    throw bad(answer.stopped === 'time'
      ? `Reading the workbook took longer than ${budgetMs / 1000} s and was stopped. Split it into files of at most ${fmt(MAX_ROWS)} rows.`
      : 'Reading the workbook needed more memory than the server allows and was stopped. Split it into smaller files.', 413);
  }
  throw bad('The workbook cannot be read: it is damaged or not an .xlsx file.');
}

const ERROR_LITERAL = /^#(REF!|VALUE!|DIV\/0!|N\/A|NAME\?|NUM!|NULL!)$/;

/**
 * RFC 4180 CSV with either `,` or `;` as the separator (European Excel writes `;`). One pass:
 * each field is found with indexOf / a sticky search, and only records holding a value are kept.
 */
function parseCsv(bytes: Uint8Array): Sheet {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw bad('The CSV file is not UTF-8 text. Save it as "CSV UTF-8" and try again.');
  }
  text = text.replace(/^\uFEFF/, '');
  const firstLine = text.slice(0, text.search(/\r?\n|$/));
  const sep = (firstLine.match(/;/g)?.length ?? 0) > (firstLine.match(/,/g)?.length ?? 0) ? ';' : ',';
  const fieldEnd = new RegExp(`[${sep}\\r\\n]`, 'g');
  const rows: Sheet['rows'] = [];
  let record: Cell[] = [];
  let filled = false;
  let line = 1;
  for (let i = 0; ;) {
    let field = '';
    if (text[i] === '"') {
      const parts: string[] = [];
      for (let from = i + 1; ;) {
        const q = text.indexOf('"', from);
        if (q < 0) throw bad('The CSV file has a quote that is never closed.');
        parts.push(text.slice(from, q));
        if (text[q + 1] !== '"') { i = q + 1; break; }
        parts.push('"');
        from = q + 2;
      }
      field = parts.join('');
    }
    fieldEnd.lastIndex = i;
    const end = fieldEnd.exec(text);
    const stop = end ? end.index : text.length;
    field += text.slice(i, stop);
    const blank = field.trim() === '';
    if (!blank && (line > LAST_ROW || record.length >= MAX_COLUMNS)) throw outOfBounds(`${colName(record.length)}${line}`, line, rows.length);
    // Blank fields past the last column are dropped, so `,,,,` padding costs no memory.
    if (record.length < MAX_COLUMNS) record.push(blank ? field : ERROR_LITERAL.test(field.trim()) ? { error: field.trim() } : field);
    filled ||= !blank;
    if (end && end[0] === sep) { i = stop + 1; continue; }
    if (filled) rows.push({ line, cells: record });
    record = [];
    filled = false;
    line++;
    i = stop + (text.startsWith('\r\n', stop) ? 2 : 1);
    if (i >= text.length) break;
  }
  return finish(rows);
}
