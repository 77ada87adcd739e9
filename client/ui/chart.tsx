// One chart component for every report (quality Pareto, maintenance, profitability, dashboard): a
// figure with a canvas drawn by Chart.js, loaded only when a chart first shows (decision 0007).
// A chart is never the only way to read the figures: pages put a <DataTable> of the same numbers
// under it, and the canvas carries an accessible name and a text summary.
import { useEffect, useRef, useState } from 'preact/hooks';

export interface ChartSeries {
  label: string;
  data: (number | null)[];
  /** 'bar' (default) or 'line' — a Pareto chart is bars plus a cumulative line on the right axis. */
  kind?: 'bar' | 'line';
  axis?: 'left' | 'right';
  color?: string;
  /** A colour per bar (e.g. red for the over-capacity ones); the table says the same in words. */
  colors?: string[];
  format?: (v: number) => string;
}

export interface ChartSpec {
  /** The accessible name of the chart ("Rejects by defect code, 1–30 Nov"). */
  title: string;
  labels: string[];
  series: ChartSeries[];
  kind?: 'bar' | 'line';
  horizontal?: boolean;
  stacked?: boolean;
  unit?: string;
  rightUnit?: string;
  rightMax?: number;
  format?: (v: number) => string;
  /** Pixels; the width follows the container. */
  height?: number;
  /** dashboard (issue 15): a click on a bar or point picks its label (index); the table under the chart has the same links. */
  onPick?: (index: number) => void;
  /** dashboard: whole numbers on the value axis (counts of orders), and the words shown when there is nothing to draw. */
  integers?: boolean;
  /** The value axis reaches at least this far (100 for a load in %, so 5 % does not fill the chart). */
  suggestedMax?: number;
  emptyText?: string;
}

type Draw = typeof import('./chart/draw').draw;
let drawing: Promise<Draw> | null = null;
const loadDraw = () => (drawing ??= import('./chart/draw').then((m) => m.draw).catch((e) => { drawing = null; throw e; }));

export function Chart({ spec }: { spec: ChartSpec }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const [failed, setFailed] = useState<string | null>(null);
  useEffect(() => {
    let chart: { destroy(): void } | null = null;
    let gone = false;
    loadDraw().then((draw) => {
      if (!gone && canvas.current) chart = draw(canvas.current, spec);
    }, (e) => setFailed(String(e?.message ?? e)));
    return () => { gone = true; chart?.destroy(); };
  }, [spec]);
  const empty = spec.labels.length === 0;
  return (
    <figure class="chart">
      <figcaption>{spec.title}</figcaption>
      {empty ? <p class="chart-empty">{spec.emptyText ?? 'No data for this period.'}</p>
        : failed ? <p class="form-error">The chart could not be drawn ({failed}); the table below has the figures.</p>
          : <div class="chart-box" style={{ height: `${spec.height ?? 260}px` }}>
              <canvas ref={canvas} role="img" aria-label={`${spec.title}: ${summary(spec)}`} />
            </div>}
    </figure>
  );
}

/** The chart's figures in one sentence for a screen reader (the table under it has them all). */
function summary(spec: ChartSpec): string {
  const s = spec.series[0];
  if (!s) return 'no data';
  const fmt = s.format ?? spec.format ?? String;
  const parts = spec.labels.slice(0, 5).map((l, i) => `${l} ${s.data[i] == null ? '—' : fmt(s.data[i] as number)}`);
  return `${s.label}: ${parts.join(', ')}${spec.labels.length > 5 ? `, and ${spec.labels.length - 5} more in the table` : ''}`;
}
