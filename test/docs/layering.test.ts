/**
 * The README's layering table is the rule: a folder of `src/` imports only from its own floor and the floors below it,
 * types included, and `src/testing/` only from `src/errors/` and `src/util/`. dpdm finds cycles; this finds an import
 * that goes up a floor before it becomes one.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const IMPORT = /^\s*(?:import|export)\b[^'"]*?\bfrom\s+['"](\.[^'"]+)['"]|\bimport\(\s*['"](\.[^'"]+)['"]\s*\)/gm;

/** Each folder's floor, 0 at the ground, from the README's table (the first row is the top). */
function floorsFromReadme(): Map<string, number> {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const start = readme.indexOf('| floor | folder | what it holds |');
  assert.notEqual(start, -1, 'the README has its layering table');
  const rows = readme.slice(start).split('\n').slice(2);
  const table = rows.slice(
    0,
    rows.findIndex((row) => !row.startsWith('|')),
  );
  const floors = new Map<string, number>();
  table.forEach((row, i) => {
    const folders = row.split('|')[2] ?? '';
    for (const [, folder] of folders.matchAll(/`src\/([\w/-]+?)\/`/g)) if (folder) floors.set(folder, table.length - 1 - i);
  });
  return floors;
}

function sourceFiles(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** The layer a file of `src/` belongs to: the longest folder of the table it sits in (`ext/sentry` before `ext`). */
function layerOf(file: string, layers: readonly string[]): string | undefined {
  const path = relative(join(root, 'src'), file).replaceAll('\\', '/');
  return layers.filter((layer) => path.startsWith(`${layer}/`)).sort((a, b) => b.length - a.length)[0];
}

test("every import in src/ goes to its own floor or one below it, as the README's layering table says", () => {
  const floors = floorsFromReadme();
  assert.ok(floors.size >= 10, `the table names the folders (found ${[...floors.keys()].join(', ')})`);
  const layers = [...floors.keys(), 'testing'];
  const upward: string[] = [];
  const unplaced = new Set<string>();
  for (const file of sourceFiles(join(root, 'src'))) {
    const from = layerOf(file, layers);
    if (from === undefined) {
      if (dirname(file) !== join(root, 'src')) unplaced.add(relative(root, dirname(file)));
      continue;
    }
    for (const match of readFileSync(file, 'utf8').matchAll(IMPORT)) {
      const target = resolve(dirname(file), match[1] ?? match[2] ?? '');
      const to = layerOf(target, layers);
      if (to === undefined || to === from || from.startsWith(`${to}/`) || to.startsWith(`${from}/`)) continue;
      const allowed = from === 'testing' ? to === 'errors' || to === 'util' : (floors.get(to) ?? Infinity) <= (floors.get(from) ?? -1);
      if (!allowed) upward.push(`${relative(root, file)} imports ${relative(root, target)} (src/${from}/ -> src/${to}/)`);
    }
  }
  assert.deepEqual([...unplaced], [], 'every folder of src/ has a floor in the table');
  assert.deepEqual(upward, []);
});
