import { relative } from 'node:path';
import Table from 'cli-table3';
import pc from 'picocolors';
import type { IssueSummary } from '../ext/local/store.js';

export type Colors = ReturnType<typeof pc.createColors>;

/** Where a command writes: its text, its colours (none unless stdout is a terminal and NO_COLOR is unset), its width. */
export interface Output {
  readonly colors: Colors;
  /** Columns to fit tables in; `undefined` when not writing to a terminal (nothing is cut for a pipe but the longest titles). */
  readonly width: number | undefined;
  line(text?: string): void;
  /** Written as it is (NDJSON, JSON). */
  raw(text: string): void;
}

export function terminalOutput(stream: NodeJS.WriteStream = process.stdout, env: NodeJS.ProcessEnv = process.env): Output {
  const noColor = env.NO_COLOR !== undefined && env.NO_COLOR !== '';
  const forced = env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '' && env.FORCE_COLOR !== '0';
  // Node leaves isTTY undefined (typed boolean) on a pipe, and picocolors reads undefined as "decide yourself": yes under CI.
  const terminal = (stream.isTTY as boolean | undefined) ?? false;
  const colors = pc.createColors(!noColor && (forced || terminal));
  return {
    colors,
    width: stream.isTTY ? stream.columns : undefined,
    line: (text = '') => {
      stream.write(`${text}\n`);
    },
    raw: (text) => {
      stream.write(text);
    },
  };
}

/** A borderless table: columns two spaces apart, a header line, cells as given (already coloured). */
export function table(head: readonly string[], rows: readonly (readonly string[])[], align: readonly ('left' | 'right')[]): string {
  const chars = {
    top: '',
    'top-mid': '',
    'top-left': '',
    'top-right': '',
    bottom: '',
    'bottom-mid': '',
    'bottom-left': '',
    'bottom-right': '',
    left: '',
    'left-mid': '',
    mid: '',
    'mid-mid': '',
    right: '',
    'right-mid': '',
    middle: '  ',
  };
  const t = new Table({
    head: [...head],
    chars,
    colAligns: [...align],
    style: { head: [], border: [], 'padding-left': 0, 'padding-right': 0 },
  });
  for (const row of rows) t.push([...row]);
  return t
    .toString()
    .split('\n')
    .map((line) => line.trimEnd())
    .join('\n');
}

const UNITS: [number, string][] = [
  [7 * 86_400_000, 'w'],
  [86_400_000, 'd'],
  [3_600_000, 'h'],
  [60_000, 'm'],
  [1000, 's'],
];

/** A path as the user would type it: relative to the working directory when inside it. */
export function displayPath(path: string): string {
  const inside = relative(process.cwd(), path);
  return inside.startsWith('..') ? path : inside;
}

/** `5m ago`, `3h ago`, `2d ago`: the largest whole unit. */
export function ago(timestamp: number, now: number): string {
  const elapsed = Math.max(0, now - timestamp);
  for (const [size, unit] of UNITS) if (elapsed >= size) return `${String(Math.floor(elapsed / size))}${unit} ago`;
  return 'just now';
}

/** An issue's state as one word: a reopened one shows as `regressed`. */
export function statusWord(issue: IssueSummary, colors: Colors): string {
  if (issue.status === 'open') return issue.regression ? colors.magenta('regressed') : colors.red('open');
  return issue.status === 'resolved' ? colors.green('resolved') : colors.dim('ignored');
}

const BARS = '▁▂▃▄▅▆▇█';

/** Counts as a line of bars, the highest full; a dot where there was none. */
export function sparkline(counts: readonly number[]): string {
  const max = Math.max(...counts);
  return counts.map((n) => (n === 0 ? '·' : (BARS[Math.round((n / max) * (BARS.length - 1))] ?? ''))).join('');
}

export function cut(text: string, limit: number): string {
  return text.length > limit ? `${text.slice(0, Math.max(1, limit - 1))}…` : text;
}

/** `1,234` (by hand: the first toLocaleString loads ICU's data, a noticeable part of the CLI's start-up). */
export function count(value: number): string {
  return String(value).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

export function megabytes(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(bytes < 10 * 1024 * 1024 ? 2 : 1)} MB`;
}
