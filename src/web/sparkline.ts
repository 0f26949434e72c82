import { html } from './html.js';
import type { Html } from './html.js';

export interface ChartOptions {
  readonly width: number;
  readonly height: number;
  /** Read by screen readers and shown as the chart's tooltip. */
  readonly label: string;
  /** A tooltip for bar `index` (its period and count). */
  readonly barLabel?: (index: number, count: number) => string;
  readonly className?: string;
}

/**
 * A bar chart as inline SVG (no script, no style attribute, so the page's Content-Security-Policy allows it): one
 * bar per count, scaled to the largest; an empty period gets a hairline so the time axis stays readable. With
 * `barLabel` each bar is an element with its own tooltip; without, the bars are drawn as two paths (full and empty),
 * so a list of fifty sparklines is a hundred elements rather than two thousand.
 */
export function barChart(counts: readonly number[], options: ChartOptions): Html {
  const { width, height, barLabel } = options;
  const max = Math.max(1, ...counts);
  const slot = width / Math.max(1, counts.length);
  const barWidth = round(slot - (slot >= 4 ? 1 : 0));
  const geometry = counts.map((count, index) => {
    const barHeight = count === 0 ? 1 : Math.max(2, Math.round((count / max) * (height - 1)));
    return { count, index, x: round(index * slot), y: height - barHeight, barHeight };
  });
  const bars = barLabel
    ? geometry.map(
        ({ count, index, x, y, barHeight }) =>
          html`<rect x="${x}" y="${y}" width="${barWidth}" height="${barHeight}" class="${count === 0 ? 'bar empty' : 'bar'}"
            ><title>${barLabel(index, count)}</title></rect
          >`,
      )
    : (['bar', 'bar empty'] as const).map((className) => {
        const d = geometry
          .filter(({ count }) => (className === 'bar') === count > 0)
          .map(({ x, y, barHeight }) => `M${String(x)} ${String(y)}h${String(barWidth)}v${String(barHeight)}h-${String(barWidth)}z`)
          .join('');
        return d === '' ? '' : html`<path d="${d}" class="${className}"></path>`;
      });
  return html`<svg
    class="${['chart', options.className].filter(Boolean).join(' ')}"
    viewBox="0 0 ${width} ${height}"
    width="${width}"
    height="${height}"
    role="img"
    aria-label="${options.label}"
  >
    <title>${options.label}</title>
    ${bars}
  </svg>`;
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}
