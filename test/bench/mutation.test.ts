/**
 * `npm run mutation` is not run by CI (it takes hours), so nothing else notices when a module it checks names a file
 * that was moved or lines it no longer has: these run its `--list` and its argument checks.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';

const run = promisify(execFile);

async function mutation(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', 'bench/mutation.ts', ...args]);
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

/** The source files a Stryker pattern names: a file, a `file:start-end` range, or a `dir/*.ts` glob, less `!` ones. */
function sourcesOf(patterns: string[]): string[] {
  const excluded = new Set(patterns.filter((pattern) => pattern.startsWith('!')).map((pattern) => pattern.slice(1)));
  return patterns
    .filter((pattern) => !pattern.startsWith('!'))
    .flatMap((pattern) => {
      if (!pattern.endsWith('/*.ts')) return [pattern.replace(/:\d+-\d+$/, '')];
      const folder = dirname(pattern);
      const files = readdirSync(folder).filter((name) => name.endsWith('.ts'));
      assert.ok(files.length > 0, `${pattern} matches no file`);
      return files.map((name) => `${folder}/${name}`).filter((file) => !excluded.has(file));
    });
}

test('every module of the mutation check names source files and test files that exist, its own among them', async () => {
  const { code, stdout, stderr } = await mutation('--list');
  assert.equal(code, 0, stderr);
  const modules = stdout
    .trim()
    .split('\n')
    .map((line) => {
      const [left = '', right = ''] = line.split('  <-  ');
      const [name = '', ...mutate] = left.trim().split(/\s+/);
      return { name, mutate, tests: right.split(/\s+/).filter(Boolean) };
    });
  assert.ok(modules.length >= 13, `${String(modules.length)} modules listed`);
  assert.equal(new Set(modules.map((module) => module.name)).size, modules.length, 'two modules share a name');
  for (const module of modules) {
    assert.ok(module.tests.length > 0, `${module.name} runs no test file`);
    for (const file of module.tests) assert.ok(existsSync(file), `${module.name} runs ${file}, which does not exist`);
    const sources = sourcesOf(module.mutate);
    for (const file of sources) assert.ok(existsSync(file), `${module.name} mutates ${file}, which does not exist`);
    const names = sources.map((file) => basename(file, '.ts'));
    assert.ok(
      module.tests.some((file) => names.some((name) => basename(file).startsWith(`${name}.`))),
      `${module.name} runs none of its sources' own test files (${module.tests.join(', ')})`,
    );
  }
});

test('a module or option it does not know, or a concurrency that is not a whole number, is a usage error', async () => {
  for (const args of [['no-such-module'], ['--bogus'], ['--concurrency', '0'], ['--concurrency', 'two'], ['--concurrency']]) {
    const { code, stdout, stderr } = await mutation(...args);
    assert.equal(code, 2, `${args.join(' ')} exited ${String(code)}`);
    assert.equal(stdout, '', `${args.join(' ')} started a run`);
    assert.doesNotMatch(stderr, /\n\s+at /, `${args.join(' ')} printed a stack trace`);
    assert.match(stderr, /Usage: npm run mutation|the modules are: redaction/);
  }
  const help = await mutation('--help');
  assert.equal(help.code, 0);
  assert.match(help.stdout, /^Usage: npm run mutation -- \[--list\] \[--concurrency N\] \[module \.\.\.\]/);
});
