/**
 * `npm start` without a token: the offline session keeps its errors in a fresh local store, ends by printing what
 * `lantern issues` shows for it, and with `--serve` keeps the page open on that store until Ctrl+C. Run in a child
 * process in an empty folder, where the session's `.lantern/` is created.
 */
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const root = fileURLToPath(new URL('../../', import.meta.url));
const main = join(root, 'examples/main.ts');
const cli = join(root, 'src/cli/main.ts');
const run = promisify(execFile);
// The children run in an empty folder, where `--import tsx` would not find the package.
const tsx = import.meta.resolve('tsx');
const env = { ...process.env, DISCORD_TOKEN: '', NO_COLOR: '1' };

interface IssueRow {
  title: string;
  count: number;
  source: string;
}

async function storedIssues(cwd: string): Promise<IssueRow[]> {
  const { stdout } = await run(process.execPath, ['--import', tsx, cli, 'issues', '--json', '--db', '.lantern/example-session.db'], {
    cwd,
    env,
  });
  return (JSON.parse(stdout) as { issues: IssueRow[] }).issues;
}

test(
  'npm start ends its session with the issues the local store kept, and a second run starts a fresh store',
  { timeout: 120_000 },
  async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'lantern-start-'));
    for (let round = 1; round <= 2; round++) {
      const { stdout } = await run(process.execPath, ['--import', tsx, main], { cwd, env, timeout: 100_000 });
      assert.ok(existsSync(join(cwd, '.lantern/example-session.db')), 'the store is created under the working directory');
      const printed = stdout.slice(stdout.indexOf('What lantern/ext/local kept'));
      assert.match(printed, /^ID\s+STATUS\s+COUNT\s+USERS\s+LAST SEEN\s+TITLE\s+SOURCE$/m);
      assert.match(printed, /^\s*\d+\s+open\s+2\s+2\s+.*RangeError: Cannot divide by zero\s+\/divide$/m, printed);
      assert.match(printed, /npm run lantern -- serve --db \.lantern\/example-session\.db/);
      const issues = await storedIssues(cwd);
      const divide = issues.find((issue) => issue.source === '/divide');
      assert.equal(divide?.count, 2, `round ${String(round)}: alice's and bob's /divide b:0 are one issue of 2, not 4: the file is fresh`);
      assert.ok(
        issues.some((issue) => issue.source === 'task status report'),
        'the task failure is kept too',
      );
      assert.ok(!printed.includes('Error: Command failed'), 'the CLI read the store without an error');
    }
  },
);

test('npm start -- --serve keeps the page open on the session store until Ctrl+C, then exits 0', { timeout: 120_000 }, async () => {
  const cwd = mkdtempSync(join(tmpdir(), 'lantern-serve-'));
  const child = spawn(process.execPath, ['--import', tsx, main, '--serve', '--port', '0'], {
    cwd,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const page = /page: (http:\/\/127\.0\.0\.1:\d+\/\S*)/.exec(output);
      if (page?.[1]) resolve(page[1]);
    });
    void exited.then(() => {
      reject(new Error(`exited before serving:\n${output}`));
    });
  });
  const html = await (await fetch(url)).text();
  assert.match(html, /Cannot divide by zero/, 'the page lists the session issues');
  child.kill('SIGINT');
  assert.equal(await exited, 0, output);
});
