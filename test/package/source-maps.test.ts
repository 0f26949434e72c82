/**
 * The package as a bot installs it: its source maps name only files it ships, and a bot run from `dist/` sees
 * TypeScript lines in the log, in the user's traceback and in Sentry. Builds `dist/` itself, compiles a small
 * TypeScript bot with tsc into a folder git ignores, and runs it in a child process.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');

before(() => {
  execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'pipe' });
});

test('every file a shipped source map names is shipped, and so is the LICENSE', () => {
  const packed = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8' })) as {
    files: { path: string }[];
  }[];
  const files = new Set(packed[0]?.files.map((file) => file.path));
  assert.ok(files.has('LICENSE'));
  assert.match(readFileSync(join(root, 'LICENSE'), 'utf8'), /^MIT License\n\nCopyright \(c\) \d{4} Lantern contributors\n/);
  const maps = [...files].filter((file) => file.endsWith('.js.map'));
  assert.ok(maps.length > 50, `${String(maps.length)} source maps`);
  for (const map of maps) {
    const { sources } = JSON.parse(readFileSync(join(root, map), 'utf8')) as { sources: string[] };
    for (const source of sources) {
      const shipped = relative(root, resolve(root, dirname(map), source)).replaceAll('\\', '/');
      assert.ok(files.has(shipped), `${map} names ${shipped}, which the package does not ship`);
    }
  }
});

const BOT = `import { Client, command } from 'lantern';
import type { ErrorEvent } from 'lantern';
import sentry from 'lantern/ext/sentry';
import { FakeDiscord, SentryReceiver } from 'lantern/testing';

const discord = await FakeDiscord.start();
const receiver = await SentryReceiver.start();
const alice = discord.addUser({ username: 'alice' });
const guild = discord.addGuild({ name: 'g', members: [alice] });
const lines: string[] = [];
const errors: ErrorEvent[] = [];
const bot = new Client({
  token: discord.token,
  discord: { rest: discord.rest },
  handleProcessErrors: false,
  logger: { info: () => undefined, warn: (line) => lines.push(line), error: (line) => lines.push(line) },
});
await bot.loadExtension(sentry, { dsn: receiver.dsn, release: 'dist-test', environment: 'test', outbox: false });
bot.listen('Error', (event) => {
  errors.push(event);
});
bot.addCommand(
  command({
    name: 'boom',
    description: 'Fails in the bot',
    run: () => {
      throw new Error('boom from the bot');
    },
  }),
);
await bot.start();
const answer = await discord.as(alice, guild.channel('general')).slash('boom').response();
await bot.idle();
const event = await receiver.waitForEvent(errors[0]?.reference ?? '');
const frames = event.exception?.values?.at(-1)?.stacktrace?.frames ?? [];
console.log(JSON.stringify({
  log: lines.find((line) => line.startsWith('Error in /boom')),
  traceback: answer.message?.embeds[0]?.description,
  frames: frames.map((frame) => \`\${String(frame.filename)}:\${String(frame.lineno)}\`),
}));
await bot.stop();
await receiver.stop();
await discord.stop();
`;
const THROW_LINE = BOT.split('\n').findIndex((line) => line.includes("throw new Error('boom from the bot')")) + 1;

const work = mkdtempSync(join((mkdirSync(join(root, '.tmp'), { recursive: true }), join(root, '.tmp')), 'dist-bot-'));
after(() => {
  rmSync(work, { recursive: true, force: true });
});

test('a TypeScript bot run from dist shows .ts lines in the log, the traceback and Sentry', { timeout: 120_000 }, () => {
  writeFileSync(join(work, 'bot.ts'), BOT);
  const options = ['--module', 'nodenext', '--target', 'es2022', '--strict', '--skipLibCheck', '--types', 'node', '--sourceMap'];
  execFileSync(process.execPath, [tsc, ...options, '--rootDir', work, '--outDir', join(work, 'out'), join(work, 'bot.ts')], {
    cwd: root,
    stdio: 'pipe',
  });
  const child = spawnSync(process.execPath, [join(work, 'out', 'bot.js')], { cwd: root, encoding: 'utf8', timeout: 60_000 });
  assert.equal(child.status, 0, `stdout:\n${child.stdout}\nstderr:\n${child.stderr}`);
  const seen = JSON.parse(child.stdout.trim().split('\n').at(-1) ?? '{}') as { log?: string; traceback?: string; frames?: string[] };
  const botLine = new RegExp(`bot\\.ts:${String(THROW_LINE)}:\\d+`);
  const lanternLine = /src\/client\/router\.ts:\d+:\d+/;
  assert.match(seen.log?.split('\n')[1] ?? '', botLine, `the log's first frame is the bot's TypeScript line:\n${String(seen.log)}`);
  assert.match(seen.traceback ?? '', botLine, String(seen.traceback));
  assert.match(seen.traceback ?? '', lanternLine, "Lantern's own frames point into the src/ it ships");
  assert.ok(
    seen.frames?.some((frame) => frame.endsWith(`bot.ts:${String(THROW_LINE)}`)),
    JSON.stringify(seen.frames),
  );
  assert.ok(
    seen.frames?.some((frame) => /src\/client\/router\.ts:\d+$/.test(frame)),
    JSON.stringify(seen.frames),
  );
  assert.ok(!seen.frames?.some((frame) => /dist\/.*\.js:/.test(frame)), 'no frame is left at its compiled line');
});
