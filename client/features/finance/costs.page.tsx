// Finance home: every product's rolled-up cost per unit against its sell price (the worst margin
// first), each opening its BOM; and the labour rate the roll-up charges.
import { useEffect, useState } from 'preact/hooks';
import type { LabourRate, ProductCostSummary } from '../../../sync/finance';
import { errorMessage, useSession } from '../../app-state';
import { FormError, Link, Loading, PageHead, TextField } from '../../ui/components';
import { DataTable, type Column } from '../../ui/data-table';
import { useAction } from '../../ui/form';
import { useLookups } from '../shared/lookups';
import { FinanceTabs, MarginText, money, moneyInput, NeedsConnection, parseMoney } from './finance-shared';

export default function CostsPage() {
  const { app } = useSession();
  const online = app.online.value;
  const [items, setItems] = useState<ProductCostSummary[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    if (!online) return;
    app.request<{ items: ProductCostSummary[] }>('/api/finance/products').then((r) => { setItems(r.items); setError(null); }, (err) => setError(errorMessage(err)));
  }, [online, tick]);
  if (!online) return <NeedsConnection title="Costs" />;

  const columns: Column<ProductCostSummary>[] = [
    { key: 'sku', label: 'Product', value: (r) => r.sku, render: (r) => <Link href={`/finance/products/${r.productId}`}>{r.sku} — {r.name}</Link> },
    { key: 'revision', label: 'Active BOM', value: (r) => r.revision, render: (r) => (r.revision ? `Rev. ${r.revision}` : <span class="muted">no BOM</span>) },
    { key: 'material', label: 'Material', value: (r) => r.material, render: (r) => money(r.material), numeric: true },
    { key: 'labour', label: 'Labour', value: (r) => r.labour, render: (r) => money(r.labour), numeric: true },
    { key: 'unitCost', label: 'Unit cost', value: (r) => r.unitCost, render: (r) => <strong>{money(r.unitCost)}</strong>, numeric: true },
    { key: 'sellPrice', label: 'Sell price', value: (r) => r.sellPrice, render: (r) => money(r.sellPrice), numeric: true },
    { key: 'margin', label: 'Margin', value: (r) => r.margin, render: (r) => <span class={r.margin < 0 ? 'loss' : undefined}>{money(r.margin)}</span>, numeric: true },
    { key: 'marginBp', label: 'Margin %', value: (r) => r.marginBp, render: (r) => <MarginText bp={r.marginBp} />, numeric: true },
  ];
  return (
    <>
      <PageHead title="Costs" />
      <FinanceTabs current="/finance" />
      <p class="muted">Cost of one unit: the active BOM rolled up through its sub-assemblies, plus labour at standard minutes. Open a product to edit its BOM.</p>
      <FormError message={error} />
      {!items ? <Loading /> : <div class="fin-gap"><DataTable caption="Unit cost and margin by product" columns={columns} rows={items} initialSort={{ key: 'marginBp', dir: 'asc' }} /></div>}
      <LabourRateCard onSaved={() => setTick((t) => t + 1)} />
    </>
  );
}

function LabourRateCard({ onSaved }: { onSaved: () => void }) {
  const { app, db } = useSession();
  const lookups = useLookups(db);
  const [rate, setRate] = useState<Record<string, string> | null>(null);
  const [saved, setSaved] = useState(false);
  const { errors, busy, run, setErrors } = useAction();
  useEffect(() => {
    app.request<{ item: LabourRate }>('/api/finance/labour-rate').then((r) => {
      setRate({ default: moneyInput(r.item.default), ...Object.fromEntries(Object.entries(r.item.departments ?? {}).map(([k, c]) => [k, moneyInput(c)])) });
    }, (err) => setErrors({ form: errorMessage(err), fields: {} }));
  }, []);
  if (!rate || !lookups) return <Loading />;
  const depts = [...lookups.departments.values()].filter((d) => d.active && !d.deletedAt).sort((a, b) => a.code.localeCompare(b.code));

  async function save(e: Event) {
    e.preventDefault();
    setSaved(false);
    const fields: Record<string, string> = {};
    const def = parseMoney(rate!.default ?? '');
    if (def === null) fields.default = 'Enter an amount such as 45.00.';
    const departments: Record<string, number> = {};
    for (const d of depts) {
      const text = rate![d.id] ?? '';
      if (text.trim() === '') continue;
      const c = parseMoney(text);
      if (c === null) fields[d.id] = 'Enter an amount such as 45.00, or leave it empty for the plant rate.';
      else departments[d.id] = c;
    }
    if (Object.keys(fields).length) return setErrors({ form: 'Check the marked fields.', fields });
    const ok = await run(() => app.request('/api/finance/labour-rate', { method: 'PUT', body: { default: def, departments } }));
    if (ok) { setSaved(true); onSaved(); }
  }

  return (
    <form class="card" onSubmit={save} noValidate aria-labelledby="rate-h">
      <h2 id="rate-h">Labour rate per hour</h2>
      <p class="small muted">A product's standard minutes are shared over its routing's departments by their planned minutes, each at its department's rate (or the plant rate).</p>
      <FormError message={errors.form} />
      {saved && <p class="form-ok" role="status">Labour rate saved; costs are rolled up again.</p>}
      <div class="grid three">
        <TextField label="Plant rate" inputMode="decimal" value={rate.default ?? ''} onValue={(x) => setRate({ ...rate, default: x })} error={errors.fields.default} hint="for departments without their own" />
        {depts.map((d) => (
          <TextField key={d.id} label={`${d.name} rate`} inputMode="decimal" value={rate[d.id] ?? ''} onValue={(x) => setRate({ ...rate, [d.id]: x })} error={errors.fields[d.id]} hint="empty: the plant rate" />
        ))}
      </div>
      <button class="btn primary" type="submit" disabled={busy}>Save labour rate</button>
    </form>
  );
}
