import { count } from '../cli/output.js';

/** `2026-03-02 12:30:05 UTC`: a time stated in full, for tooltips and tables. */
export function fullTime(time: number): string {
  return `${new Date(time).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** `812`, `12.3k`, `4.5M`: a count in a narrow column. */
export function shortCount(value: number): string {
  if (value < 10_000) return count(value);
  if (value < 1_000_000) return `${(value / 1000).toFixed(value < 100_000 ? 1 : 0)}k`;
  return `${(value / 1_000_000).toFixed(1)}M`;
}

/** `1 event`, `3 events`. */
export function plural(value: number, one: string, many = `${one}s`): string {
  return `${count(value)} ${value === 1 ? one : many}`;
}
