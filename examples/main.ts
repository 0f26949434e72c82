/**
 * `npm start`: with DISCORD_TOKEN set, runs the example bot on Discord. Without it, starts the fake Discord
 * from `lantern/testing` in this process, starts the same bot on it, and plays a short session as two users
 * would (alice owns the bot, bob does not), printing what each saw and what the bot logged. Either way every
 * error is kept by lantern/ext/local; the offline session ends by printing what `lantern issues` shows for it
 * and exits 0, or with `--serve` keeps the page open on the session's store until Ctrl+C.
 */
import { rmSync } from 'node:fs';
import type { APIMessage } from 'discord.js';
import { runCli } from '../src/cli/program.js';
import local from '../src/ext/local/index.js';
import type { Logger } from '../src/index.js';
import { FakeClock, FakeDiscord } from '../src/testing/index.js';
import type { FakeUser, InteractionHandle, UserActor } from '../src/testing/index.js';
import { createBot } from './bot.js';

/** The offline session's store: a fresh file each run, kept afterwards for `lantern issues` and the page. */
const SESSION_STORE = '.lantern/example-session.db';

if (process.env.DISCORD_TOKEN) {
  const bot = await createBot();
  await bot.loadExtension(local, {});
  try {
    await bot.start();
  } catch (error) {
    // A bot that cannot start says why in one line (a LoginError names the network, the token or the intents).
    console.error(`The example bot could not start. ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  }
} else {
  await playOffline();
  // `npm start -- --serve [--port N ...]`: what follows --serve is passed to `lantern serve`.
  const serveAt = process.argv.indexOf('--serve');
  await showSessionStore(serveAt === -1 ? undefined : process.argv.slice(serveAt + 1));
}

interface Step {
  who: FakeUser;
  did: string;
  act: (as: UserActor) => InteractionHandle;
}

async function playOffline(): Promise<void> {
  const discord = await FakeDiscord.start({ applicationName: 'Lantern example' });
  const alice = discord.addUser({ username: 'alice' });
  const bob = discord.addUser({ username: 'bob', locale: 'de' });
  const guild = discord.addGuild({ name: 'Lantern HQ', members: [alice, bob] });
  const general = guild.channel('general');
  discord.setOwners([alice]);
  const logged: string[] = [];
  const logger: Logger = { info: (line) => logged.push(line), warn: (line) => logged.push(line), error: (line) => logged.push(line) };
  // The session's minutes pass on this clock: the status task runs without the session waiting for it.
  const clock = new FakeClock();
  const bot = await createBot({ token: discord.token, logger, clock, discord: { rest: discord.rest } });
  for (const file of [SESSION_STORE, `${SESSION_STORE}-wal`, `${SESSION_STORE}-shm`]) rmSync(file, { force: true });
  await bot.loadExtension(local, { path: SESSION_STORE });
  console.log(`No DISCORD_TOKEN: playing a session against the fake Discord at ${discord.baseUrl}\n`);

  let counter: InteractionHandle | undefined;
  let feedback: InteractionHandle | undefined;
  const counterMessage = () => counter?.message ?? raise('the counter was not shown');
  const steps: Step[] = [
    { who: alice, did: 'ran /ping', act: (as) => as.slash('ping') },
    { who: alice, did: 'ran /echo text:hello from alice', act: (as) => as.slash('echo', { text: 'hello from alice' }) },
    { who: bob, did: 'ran /roll dice:3 sides:6', act: (as) => as.slash('roll', { dice: 3, sides: 6 }) },
    { who: alice, did: 'ran /divide a:10 b:4', act: (as) => as.slash('divide', { a: 10, b: 4 }) },
    { who: alice, did: 'ran /divide a:1 b:0', act: (as) => as.slash('divide', { a: 1, b: 0 }) },
    { who: bob, did: 'ran /divide a:1 b:0', act: (as) => as.slash('divide', { a: 1, b: 0 }) },
    {
      who: bob,
      did: 'ran /weather (registered long ago, since removed)',
      act: (as) => as.slash('weather', {}, { allowUnregistered: true }),
    },
    { who: bob, did: 'ran /ping', act: (as) => as.slash('ping') },
    { who: bob, did: 'ran /ping again', act: (as) => as.slash('ping') },
    { who: bob, did: 'ran /ping a third time within 30 s (cooldown: 2 per 30 s)', act: (as) => as.slash('ping') },
    { who: alice, did: 'typed "bl" into /fruit name', act: (as) => as.autocomplete('fruit', { name: 'bl' }, 'name') },
    { who: alice, did: 'ran /counter', act: (as) => (counter = as.slash('counter')) },
    ...[1, 2, 3].map((n): Step => ({
      who: n === 2 ? bob : alice,
      did: `clicked +1 (click ${String(n)})`,
      act: (as) => as.click(counterMessage(), `count:${String(n - 1)}`),
    })),
    { who: bob, did: 'clicked +1 past 3 (the button fails)', act: (as) => as.click(counterMessage(), 'count:3') },
    { who: alice, did: 'ran /feedback', act: (as) => (feedback = as.slash('feedback')) },
    {
      who: alice,
      did: 'filled in the feedback form',
      act: (as) => as.submitModal(feedback ?? raise('no modal was shown'), { text: 'More dice!', contact: '' }),
    },
    { who: alice, did: 'used Apps > Who is this on bob', act: (as) => as.userCommand('Who is this', bob) },
  ];

  try {
    await bot.start();
    flush('bot', logged);
    for (const { who, did, act } of steps) {
      const handle = act(discord.as(who, general));
      await handle.response();
      await bot.idle();
      console.log(`${who.username} ${did}`);
      console.log(`  ${who.username} saw: ${whatTheUserSaw(handle)}`);
      flush('  bot logged', logged);
    }
    console.log('Two minutes pass: the status task runs twice');
    await clock.advance(2 * 60_000);
    await bot.idle();
    flush('  bot logged', logged);
  } finally {
    await bot.stop();
    flush('bot', logged);
    await discord.stop();
  }
  console.log('\nSession over.');
}

/** What the session left in the local store, as the CLI shows it; given `serveArgs`, the page on it until Ctrl+C. */
async function showSessionStore(serveArgs: readonly string[] | undefined): Promise<void> {
  console.log(`\nWhat lantern/ext/local kept of the session (npm run lantern -- issues --db ${SESSION_STORE}):\n`);
  process.exitCode = await runCli(['issues', '--db', SESSION_STORE]);
  if (!serveArgs) {
    console.log(`\nOne issue in full: npm run lantern -- show 1 --db ${SESSION_STORE}`);
    console.log(`The page: npm run lantern -- serve --db ${SESSION_STORE} (or npm start -- --serve)`);
    return;
  }
  console.log('');
  process.exitCode = await runCli(['serve', '--db', SESSION_STORE, ...serveArgs]);
}

function raise(message: string): never {
  throw new Error(message);
}

function whatTheUserSaw(handle: InteractionHandle): string {
  const modal = handle.modal;
  if (modal) return `a form "${modal.title}" with ${String(modal.components.length)} fields`;
  const suggestions = handle.responses.find((r) => r.choices)?.choices;
  if (suggestions) return `suggestions ${suggestions.map((c) => c.name).join(', ') || '(none)'}`;
  const answers = handle.responses.filter((r) => r.message && !(r.kind === 'deferReply'));
  if (answers.length === 0) return '(nothing)';
  return (
    answers.map((r) => `${describe(r.message)}${r.ephemeral ? ' (only they can see it)' : ''}`).join('; then ') +
    ` (first answer after ${String(Math.round(handle.firstResponseMs ?? 0))} ms)`
  );
}

function describe(message: APIMessage | null): string {
  if (!message) return '(deleted)';
  const embed = message.embeds[0];
  if (embed) return `embed "${embed.title ?? ''}" ${JSON.stringify((embed.description ?? '').split('\n').slice(1, 3).join(' | '))}…`;
  return JSON.stringify(message.content);
}

function flush(prefix: string, lines: string[]): void {
  for (const line of lines.splice(0))
    console.log(
      `${prefix}: ${line
        .split('\n')
        .slice(0, 2)
        .map((part) => part.trim())
        .join(' | ')}`,
    );
}
