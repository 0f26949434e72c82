import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

// The package as npm installs it: `npm run build` (run by npm test first) makes the file the `bin` entry names.
test('the built package has a lantern bin: a node script that prints its version', () => {
  const manifest = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string; bin: Record<string, string> };
  const bin = manifest.bin.lantern;
  assert.equal(bin, './dist/cli/main.js');
  assert.ok(readFileSync(bin, 'utf8').startsWith('#!/usr/bin/env node\n'));
  assert.equal(execFileSync(process.execPath, [bin, '--version'], { encoding: 'utf8' }).trim(), manifest.version);
});
