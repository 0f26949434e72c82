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
 * bar per count, scaled to the largest; an empty period gets a hairline so the time axis stays readable.
 */
export function barChart(counts: readonly number[], options: ChartOptions): Html {
  const { width, height } = options;
  const max = Math.max(1, ...counts);
  const slot = width / Math.max(1, counts.length);
  const gap = slot >= 4 ? 1 : 0;
  const bars = counts.map((count, index) => {
    const barHeight = count === 0 ? 1 : Math.max(2, Math.round((count / max) * (height - 1)));
    const x = round(index * slot);
    const tip = options.barLabel?.(index, count);
    return html`<rect
      x="${x}"
      y="${height - barHeight}"
      width="${round(slot - gap)}"
      height="${barHeight}"
      class="${count === 0 ? 'bar empty' : 'bar'}"
      >${tip === undefined ? '' : html`<title>${tip}</title>`}</rect
    >`;
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
