// Reads an .xlsx inside a worker thread (see xlsx-pool.ts), so a large or hostile workbook never
// holds up the server's request thread. Plain JavaScript on purpose: it loads the same under
// tsx (`npm start`), vitest and plain node, with no TypeScript loader in the worker.
//
// In:  { bytes: Uint8Array, lastRow: number, columns: number }
// Out: { rows: [line, cells][] }       only rows holding a value, in order; cells[i] is column i + 1
//      { beyond: { ref, row, rowsBefore } } the first value outside rows 1..lastRow or columns
//                                           1..columns, and how many rows with values came before it
//      { unreadable: true } | { noSheet: true }
// A cell is a string, number, boolean, Date or null, { formula: true } or { error: '#REF!' }.
import { parentPort } from 'node:worker_threads';
import ExcelJS from 'exceljs';

function compact(v) {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' || v instanceof Date) return v;
  if ('formula' in v || 'sharedFormula' in v) return { formula: true };
  if ('error' in v) return { error: String(v.error) };
  if (Array.isArray(v.richText)) return v.richText.map((t) => t.text).join('');
  if ('text' in v) return typeof v.text === 'string' ? v.text : compact(v.text);
  return String(v);
}

async function read({ bytes, lastRow, columns }) {
  const wb = new ExcelJS.Workbook();
  try {
    await wb.xlsx.load(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  } catch {
    return { unreadable: true };
  }
  const ws = wb.worksheets[0];
  if (!ws) return { noSheet: true };
  const rows = [];
  let beyond = null;
  // Only rows and cells that hold a value are visited (no includeEmpty), each once: linear in the
  // values, however far apart they are. The bounds are checked before a row is copied.
  ws.eachRow((row, line) => {
    if (beyond) return;
    const cells = [];
    row.eachCell((cell, column) => {
      if (beyond) return;
      if (line > lastRow || column > columns) {
        beyond = { ref: cell.address, row: line, rowsBefore: rows.length };
        return;
      }
      while (cells.length < column - 1) cells.push(null);
      cells.push(compact(cell.value));
    });
    if (!beyond) rows.push([line, cells]);
  });
  return beyond ? { beyond } : { rows };
}

parentPort.on('message', async (job) => {
  parentPort.postMessage(await read(job));
});
