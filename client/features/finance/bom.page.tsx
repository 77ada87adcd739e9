// One product's BOMs: its revisions (new, copy, activate), the editor of a revision's lines (a bought
// component or a sub-assembly, supplier, quantity, cost, scrap; reorder, remove), lines imported
// from a spreadsheet with a dry run first, and the rolled-up cost as an indented tree.
import { useEffect, useState } from 'preact/hooks';
import * as v from 'valibot';
import { BomLineInputSchema, type BomWire, type CostedLine, type CostNode, type SupplierWire } from '../../../sync/finance';
import { errorMessage, useSession } from '../../app-state';
import { ApiError } from '../../sync/api';
import { Field, FormError, Link, Loading, PageHead, SelectField, TextField, useDirty } from '../../ui/components';
import { friendly, NO_ERRORS, useAction, type FormErrors } from '../../ui/form';
import { formatTime } from '../../ui/format';
import { useLookups } from '../shared/lookups';
import { FinanceTabs, MarginText, money, moneyInput, NeedsConnection, parseMoney } from './finance-shared';

interface Draft {
  key: number; id?: string; kind: 'component' | 'product'; componentName: string; childProductId: string; supplierId: string;
  quantity: string; unit: string; unitCost: string; scrapFactor: string; was?: number; history: BomWire['lines'][number]['costHistory'];
}

let keys = 0;
const draftOf = (l: BomWire['lines'][number]): Draft => ({
  key: ++keys, id: l.id, kind: l.childProductId ? 'product' : 'component', componentName: l.componentName ?? '', childProductId: l.childProductId ?? '',
  supplierId: l.supplierId ?? '', quantity: String(l.quantity), unit: l.unit, unitCost: moneyInput(l.unitCost), scrapFactor: String(l.scrapFactor),
  was: l.childProductId ? undefined : l.unitCost, history: l.costHistory,
});
const blank = (): Draft => ({ key: ++keys, kind: 'component', componentName: '', childProductId: '', supplierId: '', quantity: '1', unit: 'pcs', unitCost: '0.00', scrapFactor: '0', history: [] });

export default function BomPage({ id }: { id: string }) {
  const { app, db } = useSession();
  const lookups = useLookups(db);
  const online = app.online.value;
  const [boms, setBoms] = useState<BomWire[] | null>(null);
  const [suppliers, setSuppliers] = useState<SupplierWire[]>([]);
  const [cost, setCost] = useState<CostNode | null>(null);
  const [selected, setSelected] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [tick, setTick] = useState(0);
  const [justSaved, setJustSaved] = useState<string | null>(null);
  const reload = () => setTick((t) => t + 1);

  useEffect(() => {
    if (!online) return;
    Promise.all([
      app.request<{ items: BomWire[] }>(`/api/finance/boms?productId=${id}`),
      app.request<{ items: SupplierWire[] }>('/api/finance/suppliers?includeInactive=true'),
      app.request<{ item: CostNode }>(`/api/finance/products/${id}/cost`),
    ]).then(([b, s, c]) => {
      setBoms(b.items);
      setSuppliers(s.items);
      setCost(c.item);
      setError(null);
      setSelected((cur) => (cur && b.items.some((x) => x.id === cur) ? cur : (b.items.find((x) => x.active) ?? b.items[0])?.id ?? null));
    }, (err) => setError(errorMessage(err)));
  }, [id, online, tick]);

  if (!online) return <NeedsConnection title="Bill of materials" />;
  const product = lookups?.products.get(id);
  if (error) return <><PageHead title="Bill of materials" /><FinanceTabs current="" /><div class="form-error">{error}</div></>;
  if (!boms || !lookups || !cost) return <Loading />;
  const bom = boms.find((b) => b.id === selected) ?? null;

  return (
    <>
      <PageHead title={`BOM — ${product ? `${product.sku} ${product.name}` : cost.sku}`}>
        <Link class="btn" href="/finance">All products</Link>
      </PageHead>
      <FinanceTabs current="" />
      <CostSummary cost={cost} />
      <Revisions productId={id} boms={boms} selected={selected} onSelect={(x) => { setSelected(x); setJustSaved(null); }} onChanged={(newId) => { if (newId) setSelected(newId); reload(); }} />
      {bom && <Editor key={`${bom.id}:${bom.version}`} bom={bom} productId={id} suppliers={suppliers} justSaved={justSaved === bom.id} onSaved={() => { setJustSaved(bom.id); reload(); }} />}
      {bom && <ImportLines key={`import:${bom.id}`} bom={bom} onImported={reload} />}
      <section class="card" aria-labelledby="tree-h">
        <h2 id="tree-h">Rolled-up cost{cost.revision ? ` (active revision ${cost.revision})` : ''}</h2>
        {cost.lines.length === 0 ? <p class="muted">No active BOM: the unit cost is labour only.</p> : <Tree node={cost} />}
      </section>
    </>
  );
}

function CostSummary({ cost }: { cost: CostNode }) {
  return (
    <dl class="cost-facts card" data-testid="cost-summary">
      <div><dt>Material</dt><dd data-testid="material">{money(cost.material)}</dd></div>
      <div><dt>Labour</dt><dd>{money(cost.labour)}</dd></div>
      <div><dt>Unit cost</dt><dd data-testid="unit-cost">{money(cost.unitCost)}</dd></div>
      <div><dt>Sell price</dt><dd>{money(cost.sellPrice)}</dd></div>
      <div><dt>Margin</dt><dd data-testid="margin"><span class={cost.margin < 0 ? 'loss' : undefined}>{money(cost.margin)}</span> (<MarginText bp={cost.marginBp} />)</dd></div>
    </dl>
  );
}

function Tree({ node }: { node: CostNode }) {
  return (
    <ul class="tree" data-testid="bom-tree">
      <li>
        <div class="node"><span class="what sub">{node.sku} — {node.name}</span><span class="amount">{money(node.unitCost)} a unit</span></div>
        <Lines node={node} />
      </li>
    </ul>
  );
}

function Lines({ node }: { node: CostNode }) {
  return (
    <ul>
      {node.lines.map((l: CostedLine) => (
        <li key={l.id}>
          <div class="node">
            <span class={l.child ? 'what sub' : 'what'}>
              {l.quantity} {l.unit} × {l.child ? `${l.child.sku} ${l.child.name}` : l.componentName} at {money(l.unitCost)}{l.scrapFactor ? ` + ${(l.scrapFactor * 100).toFixed(2).replace(/\.?0+$/, '')} % scrap` : ''}
            </span>
            <span class="amount">{money(l.cost)}</span>
          </div>
          {l.child && (
            <>
              <p class="small muted" style="margin:0 0 0 18px">{l.child.sku}: material {money(l.child.material)} + labour {money(l.child.labour)} = {money(l.child.unitCost)}</p>
              {l.child.lines.length > 0 && <Lines node={l.child} />}
            </>
          )}
        </li>
      ))}
      <li><div class="node"><span class="what">Labour, {node.minutes} standard minutes</span><span class="amount">{money(node.labour)}</span></div></li>
    </ul>
  );
}

function Revisions({ productId, boms, selected, onSelect, onChanged }: {
  productId: string; boms: BomWire[]; selected: string | null; onSelect: (id: string) => void; onChanged: (newId?: string) => void;
}) {
  const { app } = useSession();
  const [mode, setMode] = useState<'new' | 'copy' | null>(null);
  const [revision, setRevision] = useState('');
  const { errors, busy, run, setErrors } = useAction();
  const current = boms.find((b) => b.id === selected);

  async function create(e: Event) {
    e.preventDefault();
    if (!revision.trim()) return setErrors({ form: null, fields: { revision: 'Revision is required.' } });
    await run(async () => {
      const r = mode === 'copy' && current
        ? await app.request<{ item: BomWire }>(`/api/finance/boms/${current.id}/copy`, { method: 'POST', body: { revision } })
        : await app.request<{ item: BomWire }>('/api/finance/boms', { method: 'POST', body: { productId, revision, active: boms.length === 0, lines: [] } });
      setMode(null);
      setRevision('');
      onChanged(r.item.id);
    });
  }
  const act = (path: string) => run(async () => { await app.request(`/api/finance/boms/${current!.id}/${path}`, { method: 'POST', body: {} }); onChanged(); });

  return (
    <section class="card" aria-labelledby="rev-h">
      <h2 id="rev-h">Revisions</h2>
      {boms.length === 0 ? <p class="muted">This product has no BOM yet.</p> : (
        <div class="chips" role="group" aria-label="Revisions of this product">
          {boms.map((b) => (
            <button key={b.id} type="button" class="chip" aria-pressed={b.id === selected} onClick={() => onSelect(b.id)}>
              Rev. {b.revision}{b.active ? ' (active)' : ''}
            </button>
          ))}
        </div>
      )}
      <FormError message={errors.form} />
      <div class="row">
        <button type="button" class="btn" onClick={() => { setMode('new'); setRevision(''); }}>+ New revision</button>
        {current && <button type="button" class="btn" onClick={() => { setMode('copy'); setRevision(''); }}>Copy revision {current.revision}</button>}
        {current && !current.active && <button type="button" class="btn go" disabled={busy} onClick={() => act('activate')}>Activate revision {current.revision}</button>}
        {current?.active && <button type="button" class="btn" disabled={busy} onClick={() => act('deactivate')}>Deactivate</button>}
      </div>
      {mode && (
        <form class="card flat" style="margin-top:12px" onSubmit={create} noValidate aria-label={mode === 'copy' ? 'Copy revision' : 'New revision'}>
          <TextField label={mode === 'copy' ? `New revision name (a copy of ${current?.revision})` : 'New revision name'} value={revision} onValue={setRevision} error={errors.fields.revision} />
          <div class="actions">
            <button class="btn primary" type="submit" disabled={busy}>{mode === 'copy' ? 'Copy' : 'Create'}</button>
            <button class="btn" type="button" onClick={() => setMode(null)}>Cancel</button>
          </div>
        </form>
      )}
    </section>
  );
}

function Editor({ bom, productId, suppliers, justSaved, onSaved }: { bom: BomWire; productId: string; suppliers: SupplierWire[]; justSaved: boolean; onSaved: () => void }) {
  const { app, db } = useSession();
  const lookups = useLookups(db);
  const [lines, setLines] = useState<Draft[]>(() => bom.lines.map(draftOf));
  const [notes, setNotes] = useState(bom.notes);
  const [costFrom, setCostFrom] = useState('');
  const [dirty, setDirty] = useState(false);
  const [saved, setSaved] = useState(justSaved);
  const { errors, busy, run, setErrors } = useAction(explain);
  useDirty(dirty);
  if (!lookups) return <Loading />;

  const products = [...lookups.products.values()].filter((p) => p.active && !p.deletedAt && p.id !== productId).sort((a, b) => a.sku.localeCompare(b.sku))
    .map((p) => ({ value: p.id, label: `${p.sku} — ${p.name}` }));
  const supplierOptions = suppliers.filter((s) => s.active || lines.some((l) => l.supplierId === s.id)).map((s) => ({ value: s.id, label: s.active ? s.name : `${s.name} (inactive)` }));
  const change = (i: number, patch: Partial<Draft>) => { setLines(lines.map((l, j) => (j === i ? { ...l, ...patch } : l))); setDirty(true); setSaved(false); };
  const move = (i: number, by: number) => {
    const next = [...lines];
    const [l] = next.splice(i, 1);
    next.splice(i + by, 0, l);
    setLines(next);
    setDirty(true);
  };

  function explain(err: unknown): FormErrors {
    if (err instanceof ApiError) {
      const fields: Record<string, string> = {};
      for (const d of (err.details ?? []) as { field?: string; message?: string }[]) if (d.field && d.message) fields[d.field] = friendly(d.message);
      return { form: err.message, fields };
    }
    return { form: errorMessage(err), fields: {} };
  }

  async function save(e: Event) {
    e.preventDefault();
    setSaved(false);
    const fields: Record<string, string> = {};
    const from = costFrom ? new Date(`${costFrom}T00:00:00`).toISOString() : undefined;
    const body = lines.map((l, i) => {
      const cents = l.kind === 'component' ? parseMoney(l.unitCost) : 0;
      if (cents === null) fields[`lines.${i}.unitCost`] = 'Enter an amount such as 12.34 (not negative).';
      const line = {
        ...(l.id ? { id: l.id } : {}),
        childProductId: l.kind === 'product' ? l.childProductId || null : null,
        componentName: l.kind === 'component' ? l.componentName : null,
        supplierId: l.supplierId || null,
        quantity: l.quantity.trim() === '' ? Number.NaN : Number(l.quantity.replace(',', '.')),
        unit: l.unit,
        unitCost: cents ?? 0,
        scrapFactor: l.scrapFactor.trim() === '' ? 0 : Number(l.scrapFactor.replace(',', '.')),
        ...(from && l.kind === 'component' && (l.was === undefined || l.was !== cents) ? { costFrom: from } : {}),
      };
      const r = v.safeParse(BomLineInputSchema, line);
      if (!r.success) for (const issue of r.issues) {
        const f = `lines.${i}.${v.getDotPath(issue) ?? ''}`;
        fields[f] ??= friendly(issue.message, v.getDotPath(issue) ?? '');
      }
      if (l.kind === 'product' && !l.childProductId) fields[`lines.${i}.childProductId`] = 'Choose the sub-assembly.';
      return line;
    });
    if (Object.keys(fields).length) return setErrors({ form: 'Check the marked fields; nothing was saved.', fields });
    const ok = await run(() => app.request(`/api/finance/boms/${bom.id}`, { method: 'PATCH', body: { lines: body, notes } }));
    if (ok) { setDirty(false); setSaved(true); onSaved(); }
  }

  const err = (i: number, f: string) => errors.fields[`lines.${i}.${f}`];
  return (
    <form class="card" onSubmit={save} noValidate aria-labelledby="edit-h" data-testid="bom-editor">
      <h2 id="edit-h">Revision {bom.revision} {bom.active ? '(active)' : '(not active)'}</h2>
      <p class="small muted">Last saved {formatTime(bom.updatedAt)}. Lines are costed in the order shown.</p>
      {errors.form && <div class="form-error" role="alert" data-testid="bom-error">{errors.form}</div>}
      {saved && <p class="form-ok" role="status">Saved. The rolled-up cost below is updated.</p>}
      {lines.length === 0 && <p class="muted">No lines yet.</p>}
      {lines.map((l, i) => (
        <fieldset class="bom-line" key={l.key} aria-label={`Line ${i + 1}`}>
          <div class="line-head">
            <strong>Line {i + 1}</strong>
            <button type="button" class="btn" aria-label={`Move line ${i + 1} up`} disabled={i === 0} onClick={() => move(i, -1)}>↑</button>
            <button type="button" class="btn" aria-label={`Move line ${i + 1} down`} disabled={i === lines.length - 1} onClick={() => move(i, 1)}>↓</button>
            <button type="button" class="btn stop" aria-label={`Remove line ${i + 1}`} onClick={() => { setLines(lines.filter((_, j) => j !== i)); setDirty(true); }}>Remove</button>
          </div>
          <div class="line-fields">
            <SelectField label="Line is" value={l.kind} onValue={(x) => change(i, { kind: x as Draft['kind'] })}
              options={[{ value: 'component', label: 'Bought component' }, { value: 'product', label: 'Sub-assembly' }]} />
            {l.kind === 'product'
              ? <SelectField label="Sub-assembly" value={l.childProductId} onValue={(x) => change(i, { childProductId: x })} placeholder="Choose a product" options={products} error={err(i, 'childProductId')} />
              : <TextField label="Component" value={l.componentName} onValue={(x) => change(i, { componentName: x })} error={err(i, 'componentName')} />}
            <SelectField label="Supplier" value={l.supplierId} onValue={(x) => change(i, { supplierId: x })} placeholder="(none)" options={supplierOptions} error={err(i, 'supplierId')} />
            <TextField label="Quantity" inputMode="decimal" value={l.quantity} onValue={(x) => change(i, { quantity: x })} error={err(i, 'quantity')} />
            <TextField label="Unit" value={l.unit} onValue={(x) => change(i, { unit: x })} error={err(i, 'unit')} />
            {l.kind === 'component'
              ? <TextField label="Unit cost" inputMode="decimal" value={l.unitCost} onValue={(x) => change(i, { unitCost: x })} error={err(i, 'unitCost') ?? err(i, 'costFrom')} />
              : <Field label="Unit cost">{() => <p class="muted" style="margin:10px 0">rolled up from its BOM</p>}</Field>}
            <TextField label="Scrap (0–1)" inputMode="decimal" value={l.scrapFactor} onValue={(x) => change(i, { scrapFactor: x })} error={err(i, 'scrapFactor')} hint="0.05 is 5 %" />
          </div>
          {l.history.length > 1 && (
            <p class="history">Earlier costs: {l.history.slice(0, -1).map((h) => `${money(h.unitCost)} until ${formatTime(h.validTo)}`).join('; ')}.</p>
          )}
        </fieldset>
      ))}
      <div class="row" style="margin-bottom:12px">
        <button type="button" class="btn" onClick={() => { setLines([...lines, blank()]); setDirty(true); }}>+ Add line</button>
      </div>
      <div class="grid two">
        <TextField label="Notes" value={notes} onValue={(x) => { setNotes(x); setDirty(true); }} error={errors.fields.notes} />
        <Field label="Changed costs take effect on" hint="empty: now. The old cost is kept for reports of earlier periods." error={errors.fields.costFrom}>
          {(fid, d) => <input id={fid} class="input" type="date" aria-describedby={d} value={costFrom} onInput={(e) => { setCostFrom(e.currentTarget.value); setDirty(true); }} />}
        </Field>
      </div>
      <div class="actions">
        <button class="btn primary big" type="submit" disabled={busy}>Save revision {bom.revision}</button>
        {dirty && <button class="btn big" type="button" onClick={() => { setLines(bom.lines.map(draftOf)); setNotes(bom.notes); setDirty(false); setErrors(NO_ERRORS); }}>Undo changes</button>}
      </div>
    </form>
  );
}

interface DryRun {
  headers: string[]; mapping: Record<string, string>; rowCount: number; errorCount: number;
  rows: { line: number; values: Record<string, string | number | null>; errors: { field: string; message: string }[] }[];
}
const IMPORT_LABEL: Record<string, string> = { sku: 'Sub-assembly SKU', componentName: 'Component', supplier: 'Supplier', quantity: 'Quantity', unit: 'Unit', unitCost: 'Unit cost', scrapFactor: 'Scrap', row: 'Line' };

function ImportLines({ bom, onImported }: { bom: BomWire; onImported: () => void }) {
  const { app } = useSession();
  const [file, setFile] = useState<File | null>(null);
  const [preview, setPreview] = useState<DryRun | null>(null);
  const [done, setDone] = useState<number | null>(null);
  const { errors, busy, run } = useAction();
  const form = (f: File) => { const b = new FormData(); b.append('file', f, f.name); return b; };

  async function check(f: File) {
    setFile(f);
    setDone(null);
    setPreview(null);
    await run(async () => setPreview(await app.request<DryRun>(`/api/finance/boms/${bom.id}/import`, { method: 'POST', body: form(f) })));
  }
  async function commit() {
    if (!file) return;
    await run(async () => {
      const r = await app.request<{ imported: number }>(`/api/finance/boms/${bom.id}/import?commit=true`, { method: 'POST', body: form(file) });
      setDone(r.imported);
      setPreview(null);
      onImported();
    });
  }
  const mapped = preview ? Object.keys(IMPORT_LABEL).filter((f) => preview.mapping[f]) : [];
  return (
    <section class="card" aria-labelledby="imp-h">
      <h2 id="imp-h">Import lines into revision {bom.revision}</h2>
      <p class="small muted">A .xlsx or .csv with the columns Component or SKU (a sub-assembly), Quantity, and optionally Supplier, Unit, Unit cost (12.34) and Scrap (0.05 or 5 %). The file is checked first; lines are added only if every line is right.</p>
      <div class="field">
        <label for="bom-import-file">Spreadsheet</label>
        <input id="bom-import-file" class="input" type="file" accept=".xlsx,.csv,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
          onChange={(e) => { const f = e.currentTarget.files?.[0]; if (f) void check(f); }} />
      </div>
      {busy && <p role="status" class="muted">Checking the file…</p>}
      <FormError message={errors.form} />
      {done !== null && <p class="form-ok" role="status">{done} line{done === 1 ? '' : 's'} added to revision {bom.revision}.</p>}
      {preview && (
        <>
          <p class={preview.errorCount ? 'form-error' : 'muted'} data-testid="bom-import-summary">
            {preview.rowCount} line{preview.rowCount === 1 ? '' : 's'};{' '}
            {preview.errorCount ? `${preview.errorCount} with problems: correct the file and choose it again. Nothing is added while a line has a problem.` : 'no problems found.'}
          </p>
          <div class="table-wrap">
            <table class="fin-table">
              <thead><tr><th>Line</th>{mapped.map((f) => <th key={f}>{IMPORT_LABEL[f]}</th>)}<th>Problems</th></tr></thead>
              <tbody>
                {preview.rows.map((r) => (
                  <tr key={r.line}>
                    <td class="num">{r.line}</td>
                    {mapped.map((f) => <td key={f}>{r.values[f] ?? '—'}</td>)}
                    <td>{r.errors.map((e, i) => <div key={i}><strong>{IMPORT_LABEL[e.field] ?? e.field}:</strong> {e.message}</div>)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <div class="actions">
            <button class="btn primary" type="button" disabled={busy || preview.errorCount > 0 || preview.rowCount === 0} onClick={commit}>
              {preview.errorCount ? 'Fix the problems to import' : `Add ${preview.rowCount} line${preview.rowCount === 1 ? '' : 's'}`}
            </button>
          </div>
        </>
      )}
    </section>
  );
}
