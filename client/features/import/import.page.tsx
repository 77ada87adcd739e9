// Order import for planners (online only): pick a spreadsheet, choose a preset or map each field to a
// column, preview the server's dry run with its errors in place, then commit all orders or none.
import { useEffect, useState } from 'preact/hooks';
import { errorMessage, useSession } from '../../app-state';
import { ApiError, NetworkError } from '../../sync/api';
import { Empty, FormError, Link, Loading, PageHead } from '../../ui/components';
import { friendly, NO_ERRORS, useAction, type FormErrors } from '../../ui/form';
import '../planning/planning.css';
import { csvHeaderRow, presetForHeaders, REQUIRED_IMPORT_FIELDS, type ImportCommitted, type ImportDryRun, type ImportPreset, type ImportField, type ImportPresets } from '../../../sync/wire';

type Preset = ImportPreset;
type DryRun = ImportDryRun;
type Committed = ImportCommitted;

const FIELD_LABEL: Record<string, string> = {
  externalRef: 'Order reference', customerName: 'Customer', dueDate: 'Due date', sku: 'Product SKU', quantity: 'Quantity', priority: 'Priority', notes: 'Notes',
};
const REQUIRED: readonly string[] = REQUIRED_IMPORT_FIELDS;

/** The sheet's header a mapping names; the server matches headers ignoring case and outer spaces. */
function findHeader(headers: string[], name: string | undefined): string | undefined {
  const norm = (x: string) => x.trim().toLowerCase();
  return name ? headers.find((h) => norm(h) === norm(name)) : undefined;
}

/** The columns a refused mapping names in its message ("Columns found: A, B, C."), so the planner can still pick from them. */
function headersFromMessage(message: string): string[] {
  const m = /Columns found: (.*)\.$/.exec(message);
  return m ? m[1].split(', ').filter(Boolean) : [];
}

export default function ImportPage() {
  const { app } = useSession();
  const online = app.online.value;
  const [presets, setPresets] = useState<ImportPresets | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [file, setFile] = useState<File | null>(null);
  const [preset, setPreset] = useState('generic');
  const [mapping, setMapping] = useState<Record<string, string> | null>(null);
  const [headers, setHeaders] = useState<string[]>([]);
  const [preview, setPreview] = useState<DryRun | null>(null);
  const { errors, busy, run, setErrors } = useAction(explain);
  const [done, setDone] = useState<Committed | null>(null);
  const [detected, setDetected] = useState<string | null>(null);

  useEffect(() => {
    if (!online || presets) return;
    app.request<ImportPresets>('/api/import/presets').then(setPresets, (err) => setLoadError(errorMessage(err)));
  }, [online]);

  function form(f: File, p: string, m: Record<string, string> | null) {
    const body = new FormData();
    body.append('file', f, f.name);
    body.append('preset', p);
    // '' unmaps a field the preset would otherwise fill.
    if (m) body.append('mapping', JSON.stringify(m));
    return body;
  }

  function explain(err: unknown): FormErrors {
    if (err instanceof ApiError) {
      const fields: Record<string, string> = {};
      for (const d of (err.details ?? []) as { field?: string; message?: string }[]) {
        if (d.field && d.message) fields[d.field.replace(/^mapping\./, '')] = friendly(d.message, d.field.replace(/^mapping\./, ''));
      }
      if (err.status === 413) return { form: `${err.message}`, fields };
      if (err.code === 'import_has_errors') return { form: `Nothing was imported: ${err.message}`, fields };
      const mappingProblem = (err.details ?? []).some((d) => String((d as { field?: string }).field).startsWith('mapping.'));
      return { form: mappingProblem ? `${err.message} Choose the matching columns below, or another preset.` : err.message, fields };
    }
    if (err instanceof NetworkError) return { form: 'The server cannot be reached. The import needs a connection; try again when online.', fields: {} };
    return { form: errorMessage(err), fields: {} };
  }

  /** Checks the file on the server; resolves to the headers it found (in the preview or in a refusal). */
  async function dryRun(f: File, p: string, m: Record<string, string> | null): Promise<string[]> {
    setErrors(NO_ERRORS);
    setDone(null);
    let seen: string[] = [];
    await run(async () => {
      try {
        const r = await app.request<DryRun>('/api/import/orders', { method: 'POST', body: form(f, p, m) });
        seen = r.headers;
        setPreview(r);
        setHeaders(r.headers);
        setMapping(r.mapping);
      } catch (err) {
        setPreview(null);
        // A file whose columns match no preset: offer its headers to map by hand.
        if (err instanceof ApiError && err.code === 'validation_failed') {
          const found = headersFromMessage(err.message);
          seen = found;
          if (found.length) {
            setHeaders(found);
            setMapping(m ?? presets?.presets.find((x) => x.name === p)?.mapping ?? {});
          }
        }
        throw err;
      }
    });
    return seen;
  }

  /**
   * A chosen file: a CSV's header row is read here and picks the preset whose columns it holds; an
   * .xlsx needs a spreadsheet reader, so the server's dry run answers its headers and the preset follows.
   */
  async function choose(f: File) {
    setFile(f);
    setMapping(null);
    setDetected(null);
    const all = presets?.presets ?? [];
    let p = preset;
    const pick = (headerRow: string[]) => {
      const match = presetForHeaders(all, headerRow);
      if (!match || match.name === p) return false;
      p = match.name;
      setPreset(p);
      setDetected(match.label);
      return true;
    };
    if (/\.csv$/i.test(f.name)) pick(csvHeaderRow(await f.slice(0, 65_536).text()));
    const seen = await dryRun(f, p, null);
    if (pick(seen)) await dryRun(f, p, null);
  }

  async function commit() {
    if (!file || !preview) return;
    setErrors(NO_ERRORS);
    await run(async () => {
      const r = await app.request<Committed>('/api/import/orders?commit=true', { method: 'POST', body: form(file, preset, mapping) });
      setDone(r);
      setPreview(null);
      // The new orders come down with the next pull.
      void app.syncNow().catch((err) => app.reportError('Syncing the imported orders', err));
    });
  }

  if (!online) return <><PageHead title="Import orders" /><Empty>The import checks the file on the server: connect to the network to use this page.</Empty></>;
  if (loadError) return <><PageHead title="Import orders" /><div class="form-error">{loadError}</div></>;
  if (!presets) return <Loading />;
  const fields = presets.fields;

  return (
    <div class="import-page">
      <PageHead title="Import orders" />
      <div class="card">
        <div class="import-pick">
          <div class="field">
            <label for="import-file">Spreadsheet (.xlsx or .csv, up to 5 MB)</label>
            <input id="import-file" class="input" type="file" accept=".xlsx,.csv,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
              onChange={(e) => {
                const f = e.currentTarget.files?.[0] ?? null;
                if (f) void choose(f);
                else setFile(null);
              }} />
          </div>
          <div class="field">
            <label for="import-preset">Column preset</label>
            <select id="import-preset" class="input" value={preset} onChange={(e) => {
              const p = e.currentTarget.value;
              setPreset(p);
              setDetected(null);
              setMapping(null);
              if (file) void dryRun(file, p, null);
            }}>
              {presets.presets.map((p) => <option key={p.name} value={p.name}>{p.label}</option>)}
            </select>
          </div>
        </div>
        {detected && <p role="status" class="form-ok" data-testid="preset-detected">The columns of “{file?.name}” match the preset “{detected}”: it is selected.</p>}
        {busy && <p role="status" class="muted">Checking the file…</p>}
        <FormError message={errors.form} />
        {done && (
          <div class="form-ok" role="status" data-testid="import-done">
            Imported {done.orderCount} order{done.orderCount === 1 ? '' : 's'} with {done.lineCount} line{done.lineCount === 1 ? '' : 's'}:{' '}
            {done.orders.map((o, i) => <span key={o.id}>{i > 0 && ', '}<Link href={`/orders/${o.id}`}>{o.number}</Link>{o.externalRef ? ` (${o.externalRef})` : ''}</span>)}.
            {' '}They are drafts; release them from <Link href="/orders?show=Draft">Orders</Link>.
          </div>
        )}
      </div>

      {file && mapping && headers.length > 0 && (
        <section class="card" aria-labelledby="map-h">
          <h2 id="map-h">Columns</h2>
          <p class="small muted">Which column of “{file.name}” holds each field. Fields marked * are required.</p>
          <div class="mapping-grid">
            {fields.map((f) => {
              const err = errors.fields[f];
              return (
                <div key={f} class={`field${err ? ' has-error' : ''}`}>
                  <label for={`map-${f}`}>{FIELD_LABEL[f] ?? f}{REQUIRED.includes(f) ? ' *' : ''}</label>
                  <select id={`map-${f}`} class="input" value={findHeader(headers, mapping[f]) ?? ''} aria-invalid={!!err} onChange={(e) => {
                    const next = { ...mapping, [f]: e.currentTarget.value };
                    setMapping(next);
                    void dryRun(file, preset, next);
                  }}>
                    <option value="">— not in the file —</option>
                    {headers.filter(Boolean).map((h) => <option key={h} value={h}>{h}</option>)}
                  </select>
                  {err && <span class="field-error" role="alert">{err}</span>}
                </div>
              );
            })}
          </div>
        </section>
      )}

      {preview && <Preview preview={preview} fields={fields} busy={busy} onCommit={commit} />}
    </div>
  );
}

function Preview({ preview, fields, busy, onCommit }: { preview: DryRun; fields: readonly ImportField[]; busy: boolean; onCommit: () => void }) {
  const mapped = fields.filter((f) => findHeader(preview.headers, preview.mapping[f]));
  const errorRows = preview.rows.filter((r) => r.errors.length).length;
  const blocked = preview.errorCount > 0 || preview.rowCount === 0;
  return (
    <section class="card" aria-labelledby="preview-h">
      <div class="page-head">
        <h2 id="preview-h" style="margin:0;flex:1 1 auto">Preview</h2>
        <button class="btn primary big" disabled={blocked || busy} onClick={onCommit} data-testid="commit">
          {preview.errorCount ? 'Fix the problems to import' : `Import ${preview.orders} order${preview.orders === 1 ? '' : 's'}`}
        </button>
      </div>
      <p data-testid="import-summary" class={preview.errorCount ? 'form-error' : 'muted'}>
        {preview.rowCount} line{preview.rowCount === 1 ? '' : 's'} → {preview.orders} order{preview.orders === 1 ? '' : 's'}.{' '}
        {preview.errorCount
          ? `${preview.errorCount} problem${preview.errorCount === 1 ? '' : 's'} in ${errorRows} line${errorRows === 1 ? '' : 's'}: correct the file (or the columns) and choose it again. Nothing is imported while a line has a problem.`
          : preview.rowCount === 0 ? 'The sheet has no lines to import.' : 'No problems found.'}
      </p>
      {preview.rows.length < preview.rowCount && <p class="small muted">Showing the first {preview.rows.length} lines and every line with a problem.</p>}
      <div class="table-wrap">
        <table class="preview-table" data-testid="import-preview">
          <thead>
            <tr><th>Line</th>{mapped.map((f) => <th key={f}>{FIELD_LABEL[f] ?? f}</th>)}<th>Problems</th></tr>
          </thead>
          <tbody>
            {preview.rows.map((r) => {
              const bad = new Set(r.errors.map((e) => e.field));
              return (
                <tr key={r.line} class={r.errors.length ? 'bad-row' : ''}>
                  <td class="num">{r.line}</td>
                  {mapped.map((f) => (
                    <td key={f} class={bad.has(f) ? 'bad-cell' : ''} title={r.errors.filter((e) => e.field === f).map((e) => e.message).join('; ') || undefined}>
                      {r.values[f] ?? <span class="muted">—</span>}
                    </td>
                  ))}
                  <td class="problems">{r.errors.map((e, i) => <div key={i}><strong>{FIELD_LABEL[e.field] ?? (e.field === 'row' ? 'Line' : e.field)}:</strong> {e.message}</div>)}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </section>
  );
}
