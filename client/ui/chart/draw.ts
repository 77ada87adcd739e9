// The part of the chart that loads lazily: Chart.js with only the pieces our charts use (bars and
// lines on category/linear axes), so a report page pulls ~60 KB gzip on first use and nothing else does.
import {
  BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, LineController, LineElement, PointElement, Tooltip,
  type ChartConfiguration,
} from 'chart.js';
import type { ChartSpec } from '../chart';

Chart.register(BarController, BarElement, LineController, LineElement, PointElement, CategoryScale, LinearScale, Tooltip, Legend);

/** Distinct hues that stay apart for the common colour-vision deficiencies (Okabe–Ito). */
const PALETTE = ['#0072B2', '#E69F00', '#009E73', '#D55E00', '#CC79A7', '#56B4E9', '#F0E442', '#000000'];

export function draw(canvas: HTMLCanvasElement, spec: ChartSpec): { destroy(): void } {
  const horizontal = spec.horizontal === true;
  const valueAxis = horizontal ? 'x' : 'y';
  const hasRight = spec.series.some((s) => s.axis === 'right');
  const config: ChartConfiguration<'bar' | 'line', (number | null)[], string> = {
    type: 'bar',
    data: {
      labels: spec.labels,
      datasets: spec.series.map((s, i) => {
        const color = s.color ?? PALETTE[i % PALETTE.length];
        const kind = s.kind ?? spec.kind ?? 'bar';
        return {
          type: kind,
          label: s.label,
          data: s.data,
          backgroundColor: kind === 'line' ? color : s.colors ?? color,
          borderColor: color,
          borderWidth: kind === 'line' ? 2 : 0,
          pointRadius: kind === 'line' ? 3 : 0,
          yAxisID: !horizontal && s.axis === 'right' ? 'right' : valueAxis === 'y' ? 'y' : undefined,
          xAxisID: horizontal ? 'x' : undefined,
          order: kind === 'line' ? 0 : 1,
        };
      }),
    },
    options: {
      indexAxis: horizontal ? 'y' : 'x',
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      // dashboard (issue 15): a clickable chart picks a whole label (anywhere in its column or row), with a pointer over it.
      ...(spec.onPick ? {
        interaction: { mode: 'index' as const, intersect: false, axis: horizontal ? 'y' as const : 'x' as const },
        onClick: (_e: unknown, els: { index: number }[]) => { if (els[0]) spec.onPick!(els[0].index); },
        onHover: (e: { native: Event | null }, els: unknown[]) => { const t = e.native?.target as HTMLElement | undefined; if (t) t.style.cursor = els.length ? 'pointer' : 'default'; },
      } : {}),
      plugins: {
        legend: { display: spec.series.length > 1, position: 'bottom' },
        tooltip: {
          callbacks: {
            label: (item) => {
              const s = spec.series[item.datasetIndex];
              const v = item.raw as number | null;
              return `${s.label}: ${v == null ? '—' : (s.format ?? spec.format ?? String)(v)}`;
            },
          },
        },
      },
      scales: {
        [valueAxis]: { beginAtZero: true, stacked: spec.stacked, title: { display: !!spec.unit, text: spec.unit ?? '' }, ...(spec.integers ? { ticks: { precision: 0 } } : {}), suggestedMax: spec.suggestedMax },
        [horizontal ? 'y' : 'x']: { stacked: spec.stacked, ticks: { autoSkip: true, maxRotation: 45 } },
        ...(hasRight && !horizontal ? { right: { position: 'right' as const, beginAtZero: true, max: spec.rightMax, grid: { drawOnChartArea: false }, title: { display: !!spec.rightUnit, text: spec.rightUnit ?? '' } } } : {}),
      },
    },
  };
  const chart = new Chart(canvas, config);
  return { destroy: () => chart.destroy() };
}
