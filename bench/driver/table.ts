/** A table printed to the terminal (aligned columns) and written to BENCHMARKS.md (Markdown), from the same cells. */
export class Table {
  readonly #rows: string[][] = [];

  constructor(
    readonly title: string,
    private readonly headers: readonly string[],
  ) {}

  add(cells: readonly string[]): void {
    if (cells.length !== this.headers.length)
      throw new RangeError(`A row of "${this.title}" has ${String(cells.length)} cells for ${String(this.headers.length)} columns`);
    this.#rows.push([...cells]);
  }

  text(): string {
    const widths = this.headers.map((header, i) => Math.max(header.length, ...this.#rows.map((row) => (row[i] ?? '').length)));
    // The first column (names) reads left-aligned, figures right-aligned.
    const line = (cells: readonly string[]): string =>
      cells
        .map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0)))
        .join('  ')
        .trimEnd();
    return [this.title, line(this.headers), ...this.#rows.map(line)].join('\n');
  }

  markdown(): string {
    const line = (cells: readonly string[]): string => `| ${cells.join(' | ')} |`;
    const rule = `|${this.headers.map((_, i) => (i === 0 ? ' --- ' : ' ---: ')).join('|')}|`;
    return [`### ${this.title}`, '', line(this.headers), rule, ...this.#rows.map(line)].join('\n');
  }
}

export const fixed = (value: number, digits = 0): string => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');
export const ratio = (value: number, base: number): string => (Number.isFinite(value / base) ? `${(value / base).toFixed(2)}x` : 'n/a');
