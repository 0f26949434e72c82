/**
 * Lines are at most 140 characters. Prettier keeps code within that width, but it does not break strings, template
 * literals, regexes or comments, so this check reads every source file and names each line that is longer.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const FOLDERS = ['src', 'test', 'examples', 'bench'];
const MAX_LENGTH = 140;
const SOURCE = /\.(?:ts|js|mts)$/;

function sourceFiles(): string[] {
  return FOLDERS.flatMap((folder) =>
    readdirSync(join(ROOT, folder), { recursive: true, encoding: 'utf8' })
      .filter((path) => SOURCE.test(path) && !path.split(sep).includes('node_modules'))
      .map((path) =>
        relative(ROOT, join(ROOT, folder, path))
          .split(sep)
          .join('/'),
      ),
  ).sort();
}

const characters = new Intl.Segmenter('en', { granularity: 'grapheme' });

/**
 * `file:line (length)` for each line over the width, counting characters as a reader sees them, not bytes or UTF-16
 * units (a line no longer than the width in UTF-16 units cannot have more characters, so only those are segmented).
 */
function longLines(file: string): string[] {
  return readFileSync(join(ROOT, file), 'utf8')
    .split(/\r?\n/)
    .flatMap((line, index) => {
      const length = line.length > MAX_LENGTH ? Array.from(characters.segment(line)).length : line.length;
      return length > MAX_LENGTH ? [`${file}:${String(index + 1)} (${String(length)} characters)`] : [];
    });
}

test('no line in src, test, examples or bench is longer than 140 characters', () => {
  const files = sourceFiles();
  assert.ok(files.includes('test/docs/line-length.test.ts'), `the walk finds the source files (found ${String(files.length)})`);
  const over = files.flatMap(longLines);
  assert.deepEqual(over, [], `lines over ${String(MAX_LENGTH)} characters:\n${over.join('\n')}`);
});
