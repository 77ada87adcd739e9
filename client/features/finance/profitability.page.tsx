// Product profitability over a period: revenue of completed order lines − their cost − scrap cost,
// the worst margin first, a chart of margin by product, and the same table as a CSV download.
import { useEffect, useMemo, useState } from 'preact/hooks';
import type { ProfitReport, ProfitRow } from '../../../sync/finance';
import { errorMessage, useSession } from '../../app-state';
import { Chart, type ChartSpec } from '../../ui/chart';
import { Field, FormError, Link, Loading, PageHead } from '../../ui/components';
import { DataTable, type Column } from '../../ui/data-table';
import { FinanceTabs, MarginText, money, NeedsConnection, percent } from './finance-shared';

const iso = (d: Date) => d.toISOString().slice(0, 10);

/** The calendar quarter before the one `today` is in. */
function lastQuarter(today = new Date()) {
  const q = Math.floor(today.getUTCMonth() / 3);
  const from = new Date(Date.UTC(today.getUTCFullYear(), (q - 1) * 3, 1));
  const to = new Date(Date.UTC(today.getUTCFullYear(), q * 3, 0));
  return { from: iso(from), to: iso(to) };
}
const last90 = () => ({ from: iso(new Date(Date.now() - 89 * 86_400_000)), to: iso(new Date()) });

export default function ProfitabilityPage() {
  const { app } = useSession();
  const online = app.online.value;
  const [period, setPeriod] = useState(last90);
  const [report, setReport] = useState<ProfitReport | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (!online || !period.from || !period.to) return;
    setBusy(true);
    app.request<ProfitReport>(`/api/reports/profitability?from=${period.from}&to=${period.to}`).then(
      (r) => { setReport(r); setError(null); },
      (err) => setError(errorMessage(err)),
    ).finally(() => setBusy(false));
  }, [online, period.from, period.to]);

  const spec = useMemo<ChartSpec | null>(() => report && {
    title: `Margin by product, ${report.from} to ${report.to} (worst first)`,
    labels: report.rows.map((r) => r.sku),
    horizontal: true,
    unit: '%',
    height: Math.max(200, report.rows.length * 34 + 60),
    series: [{
      label: 'Margin %', data: report.rows.map((r) => (r.marginBp === null ? null : r.marginBp / 100)),
      colors: report.rows.map((r) => ((r.marginBp ?? 0) < 0 ? '#b3261e' : '#2e7d32')), format: (x) => `${x.toFixed(1)} %`,
    }],
  }, [report]);

  if (!online) return <NeedsConnection title="Profitability" />;

  async function download() {
    setError(null);
    try {
      // The CSV comes from the server's one CSV writer; a fresh token first (a request refreshes it), then the file.
      await app.request('/api/me');
      const session = await app.sessions.get(app.user.value!.id);
      const res = await fetch(`/api/reports/profitability?from=${period.from}&to=${period.to}&format=csv`, { headers: { authorization: `Bearer ${session?.accessToken ?? ''}` } });
      if (!res.ok) throw new Error(`The server answered ${res.status}.`);
      const url = URL.createObjectURL(await res.blob());
      const a = document.createElement('a');
      a.href = url;
      a.download = `profitability-${period.from}-${period.to}.csv`;
      a.click();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (err) {
      setError(`The CSV could not be downloaded: ${errorMessage(err)}`);
    }
  }

  const columns: Column<ProfitRow>[] = [
    { key: 'sku', label: 'Product', value: (r) => r.sku, render: (r) => <Link href={`/finance/products/${r.productId}`}>{r.sku} — {r.name}</Link> },
    { key: 'marginBp', label: 'Margin %', value: (r) => r.marginBp, render: (r) => <MarginText bp={r.marginBp} />, numeric: true },
    { key: 'profit', label: 'Profit', value: (r) => r.profit, render: (r) => <span class={r.profit < 0 ? 'loss' : undefined}>{money(r.profit)}</span>, numeric: true },
    { key: 'revenue', label: 'Revenue', value: (r) => r.revenue, render: (r) => money(r.revenue), numeric: true },
    { key: 'cost', label: 'Cost', value: (r) => r.cost, render: (r) => money(r.cost), numeric: true },
    { key: 'scrapCost', label: 'Scrap cost', value: (r) => r.scrapCost, render: (r) => `${money(r.scrapCost)}${r.scrapUnits ? ` (${r.scrapUnits})` : ''}`, numeric: true },
    { key: 'unitsSold', label: 'Units sold', value: (r) => r.unitsSold, numeric: true },
    { key: 'unitCost', label: 'Unit cost', value: (r) => r.unitCost, render: (r) => (r.hasBom ? money(r.unitCost) : <>{money(r.unitCost)} <span class="small muted">no BOM</span></>), numeric: true },
    { key: 'sellPrice', label: 'Sell price', value: (r) => r.sellPrice, render: (r) => money(r.sellPrice), numeric: true },
    { key: 'unitMarginBp', label: 'Unit margin %', value: (r) => r.unitMarginBp, render: (r) => percent(r.unitMarginBp), numeric: true },
  ];

  return (
    <>
      <PageHead title="Profitability" />
      <FinanceTabs current="/finance/profitability" />
      <div class="card">
        <div class="period">
          <Field label="From">{(id) => <input id={id} class="input" type="date" value={period.from} max={period.to} onChange={(e) => setPeriod({ ...period, from: e.currentTarget.value })} />}</Field>
          <Field label="To">{(id) => <input id={id} class="input" type="date" value={period.to} min={period.from} onChange={(e) => setPeriod({ ...period, to: e.currentTarget.value })} />}</Field>
          <button type="button" class="btn" onClick={() => setPeriod(last90())}>Last 90 days</button>
          <button type="button" class="btn" onClick={() => setPeriod(lastQuarter())}>Last quarter</button>
          <button type="button" class="btn dark" onClick={download} disabled={!report}>Download CSV</button>
        </div>
        <p class="small muted" style="margin:0">Revenue of order lines completed in the period at today's sell price, less their cost at completion (material and labour) and the cost of rejects scrapped in the period.</p>
      </div>
      <FormError message={error} />
      {busy && !report && <Loading />}
      {report && (
        <>
          <dl class="cost-facts card" data-testid="profit-totals">
            <div><dt>Revenue</dt><dd>{money(report.totals.revenue)}</dd></div>
            <div><dt>Cost</dt><dd>{money(report.totals.cost)}</dd></div>
            <div><dt>Scrap cost</dt><dd>{money(report.totals.scrapCost)}</dd></div>
            <div><dt>Profit</dt><dd><span class={report.totals.profit < 0 ? 'loss' : undefined}>{money(report.totals.profit)}</span></dd></div>
            <div><dt>Margin</dt><dd><MarginText bp={report.totals.marginBp} /></dd></div>
          </dl>
          {spec && <Chart spec={spec} />}
          <DataTable caption={`Profitability by product, worst margin first (${report.currency})`} columns={columns} rows={report.rows} />
        </>
      )}
    </>
  );
}
