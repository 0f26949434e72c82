import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { ERROR_CODES } from '../../src/errors/index.js';

/** Every `LANTERN_ERR_*` named in a row of one of the README's tables (the first cell or the second). */
async function readmeTableCodes(): Promise<Set<string>> {
  const readme = await readFile(new URL('../../README.md', import.meta.url), 'utf8');
  const codes = new Set<string>();
  for (const line of readme.split('\n')) {
    const cells = /^\|(.*)\|$/.exec(line.trim())?.[1]?.split('|') ?? [];
    for (const cell of cells.slice(0, 2)) {
      const code = /^\s*`(LANTERN_ERR_[A-Z_]+)`\s*$/.exec(cell)?.[1];
      if (code) codes.add(code);
    }
  }
  return codes;
}

test('every error code is in one of the README error-code tables, and the tables list no code that does not exist', async () => {
  const documented = await readmeTableCodes();
  const defined = new Set(Object.keys(ERROR_CODES));
  assert.deepEqual(
    [...defined].filter((code) => !documented.has(code)),
    [],
    'codes missing from the README',
  );
  assert.deepEqual(
    [...documented].filter((code) => !defined.has(code)),
    [],
    'codes the README lists that do not exist',
  );
});

test('every code in the table is LANTERN_ERR_ and upper snake case, with a description', () => {
  for (const [code, description] of Object.entries(ERROR_CODES)) {
    assert.match(code, /^LANTERN_ERR_[A-Z]+(?:_[A-Z]+)*$/);
    assert.ok(description.length > 10, code);
  }
});
