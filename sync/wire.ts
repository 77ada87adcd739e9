// The shapes online routes answer, declared once: the server types its answers with them and the
// screens read them, so a renamed field fails the typecheck on both sides instead of showing blank.

// ── audit (GET /api/audit) ───────────────────────────────────────────────
export type AuditOutcome = 'applied' | 'conflict' | 'rejected';

export interface AuditConflict { field: string; base: unknown; mine: unknown; theirs: unknown }

/** One entry of the audit log as the route answers it (JSON columns parsed). */
export interface AuditEntry {
  id: string; at: string; userId: string | null; username: string | null; clientId: string | null; mutationId: string | null;
  mutationName: string; entity: string | null; entityId: string | null; baseVersion: number | null; resultVersion: number | null;
  outcome: AuditOutcome | string; code: string | null; message: string | null;
  before: Record<string, unknown> | null; after: Record<string, unknown> | null; conflicts: AuditConflict[] | null;
  clientAt: string | null; ip: string | null;
}

export interface AuditPage { total: number; page: number; pageSize: number; entries: AuditEntry[] }

// ── order import (GET /api/import/presets, POST /api/import/orders) ───────
export const IMPORT_FIELDS = ['externalRef', 'customerName', 'dueDate', 'sku', 'quantity', 'priority', 'notes'] as const;
export type ImportField = (typeof IMPORT_FIELDS)[number];
export const REQUIRED_IMPORT_FIELDS: ImportField[] = ['customerName', 'dueDate', 'sku', 'quantity'];

export interface ImportPreset {
  name: string;
  label: string;
  /** Field → the sheet's column header. */
  mapping: Partial<Record<ImportField, string>>;
  /** How to read a date written as text with slashes: month first (US, D365 default) or day first. */
  slashDates: 'mdy' | 'dmy';
}

export interface ImportPresets { presets: ImportPreset[]; fields: readonly ImportField[] }

export interface ImportRowError { field: ImportField | 'row'; message: string }
export interface ImportPreviewRow { line: number; values: Partial<Record<ImportField, string | number | null>>; errors: ImportRowError[] }

/** The preview (no `commit=true`): every row with an error and the first 200 rows. */
export interface ImportDryRun {
  headers: string[]; mapping: Partial<Record<ImportField, string>>; rows: ImportPreviewRow[];
  rowCount: number; errorCount: number; orders: number; committed: false;
}

export interface ImportCommitted {
  orders: { id: string; number: string | null; externalRef: string | null; lines: number }[];
  orderCount: number; lineCount: number; committed: true;
}

/**
 * The preset whose columns a header row holds (every mapped column, ignoring case and outer
 * spaces), the most specific first; null when none fits. The import screen picks it for the planner.
 */
export function presetForHeaders(presets: readonly ImportPreset[], headers: readonly string[]): ImportPreset | null {
  const norm = (s: string) => s.trim().toLowerCase();
  const have = new Set(headers.map(norm));
  const fits = presets.filter((p) => {
    const cols = Object.values(p.mapping).filter((c): c is string => !!c);
    return cols.length > 0 && cols.every((c) => have.has(norm(c)));
  });
  return fits.sort((a, b) => Object.keys(b.mapping).length - Object.keys(a.mapping).length)[0] ?? null;
}

/** The first line of a CSV file as its column headers (quotes and a byte-order mark handled). */
export function csvHeaderRow(text: string): string[] {
  const line = text.replace(/^\uFEFF/, '').split(/\r?\n/, 1)[0] ?? '';
  const sep = line.split(';').length > line.split(',').length ? ';' : ',';
  const out: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') { cell += '"'; i++; } else if (ch === '"') quoted = false; else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === sep) { out.push(cell.trim()); cell = ''; } else cell += ch;
  }
  out.push(cell.trim());
  return out.filter((h) => h !== '');
}
