// Reads an uploaded .csv or .xlsx into header + rows of cells, keeping enough of each cell
// (formula, error, position) to tell the planner exactly what is wrong with it.
import ExcelJS from 'exceljs';
import { AppError } from '../http/errors';

export type Cell =
  | { kind: 'value'; value: string | number | boolean | Date | null; ref: string }
  | { kind: 'formula'; ref: string }
  | { kind: 'error'; error: string; ref: string };

export interface Sheet {
  headers: string[];
  /** Data rows; `line` is the row number the planner sees in the spreadsheet. */
  rows: { line: number; cells: Cell[] }[];
}

export const MAX_ROWS = 20_000;

const bad = (message: string) => new AppError(400, 'validation_failed', message, [{ field: 'file', message }]);

function colName(i: number): string {
  let s = '';
  for (let n = i + 1; n > 0; n = Math.floor((n - 1) / 26)) s = String.fromCharCode(65 + ((n - 1) % 26)) + s;
  return s;
}

export async function parseUpload(fileName: string, bytes: Uint8Array): Promise<Sheet> {
  const lower = fileName.toLowerCase();
  const isZip = bytes.length > 3 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04;
  if (lower.endsWith('.xlsx')) {
    if (!isZip) throw bad('The file is named .xlsx but is not an Excel workbook.');
    return parseXlsx(bytes);
  }
  if (lower.endsWith('.csv') || lower.endsWith('.txt')) {
    if (isZip || bytes.includes(0)) throw bad('The file is named .csv but is not a text file.');
    return parseCsv(bytes);
  }
  throw bad('Only .xlsx and .csv files can be imported.');
}

function finish(grid: Cell[][]): Sheet {
  const nonEmpty = grid
    .map((cells, i) => ({ line: i + 1, cells }))
    .filter((r) => r.cells.some((c) => c.kind !== 'value' || (c.value !== null && String(c.value).trim() !== '')));
  if (nonEmpty.length === 0) throw bad('The sheet is empty.');
  const [head, ...rows] = nonEmpty;
  const headers = head.cells.map((c) => (c.kind === 'value' && c.value !== null ? String(c.value).trim() : ''));
  if (rows.length === 0) throw bad('The sheet has a header row but no data rows.');
  if (rows.length > MAX_ROWS) throw bad(`The sheet has ${rows.length} data rows; at most ${MAX_ROWS} can be imported at once.`);
  return { headers, rows };
}

async function parseXlsx(bytes: Uint8Array): Promise<Sheet> {
  const wb = new ExcelJS.Workbook();
  try {
    await wb.xlsx.load(Buffer.from(bytes) as unknown as ArrayBuffer);
  } catch {
    throw bad('The workbook cannot be read: it is damaged or not an .xlsx file.');
  }
  const ws = wb.worksheets[0];
  if (!ws) throw bad('The workbook has no sheets.');
  const grid: Cell[][] = [];
  ws.eachRow({ includeEmpty: true }, (row, rowNumber) => {
    const cells: Cell[] = [];
    for (let c = 1; c <= ws.columnCount; c++) {
      const ref = `${colName(c - 1)}${rowNumber}`;
      const v = row.getCell(c).value as unknown;
      cells.push(toCell(v, ref));
    }
    grid[rowNumber - 1] = cells;
  });
  for (let i = 0; i < grid.length; i++) grid[i] ??= [];
  return finish(grid);
}

function toCell(v: unknown, ref: string): Cell {
  if (v === null || v === undefined) return { kind: 'value', value: null, ref };
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' || v instanceof Date) return { kind: 'value', value: v, ref };
  const o = v as Record<string, unknown>;
  if ('formula' in o || 'sharedFormula' in o) return { kind: 'formula', ref };
  if ('error' in o) return { kind: 'error', error: String(o.error), ref };
  if (Array.isArray(o.richText)) return { kind: 'value', value: (o.richText as { text: string }[]).map((t) => t.text).join(''), ref };
  if ('text' in o) return { kind: 'value', value: String(o.text), ref };
  return { kind: 'value', value: String(v), ref };
}

/** RFC 4180 CSV with either `,` or `;` as the separator (European Excel writes `;`). */
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
  const grid: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') { field += '"'; i++; }
      else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"' && field === '') quoted = true;
    else if (ch === sep) { row.push(field); field = ''; }
    else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      grid.push(row);
      row = [];
      field = '';
    } else field += ch;
  }
  if (quoted) throw bad('The CSV file has a quote that is never closed.');
  if (field !== '' || row.length) { row.push(field); grid.push(row); }
  return finish(grid.map((r, ri) => r.map((value, ci): Cell => {
    const ref = `${colName(ci)}${ri + 1}`;
    if (value.startsWith('=')) return { kind: 'formula', ref };
    if (/^#(REF!|VALUE!|DIV\/0!|N\/A|NAME\?|NUM!|NULL!)$/.test(value.trim())) return { kind: 'error', error: value.trim(), ref };
    return { kind: 'value', value, ref };
  })));
}
