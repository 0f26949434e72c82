import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { APIMessage } from 'discord-api-types/v10';
import { command, defineExtension } from '../../../src/index.js';
import { formatError } from '../../../src/errors/format.js';
import { DiscordFaults } from '../../../src/testing/index.js';
import { failure, isDigest, MINUTE, reporterBot, SECOND, textOf } from './support.js';

const KINDS = 20;

/** Reports `count` failures spread evenly over `duration`, of `kinds` kinds in turn (source `task import-<kind>`). */
function storm(count: number, duration: number, kinds = KINDS, firstKind = 0) {
  let sent = 0;
  return async (bot: { reportError: (init: { source: string; error: Error }) => Promise<unknown> }, elapsed: number) => {
    const due = Math.round(((elapsed + SECOND) / duration) * count);
    for (; sent < Math.min(due, count); sent++) {
      const kind = firstKind + (sent % kinds);
      await bot.reportError({ source: `task import-${String(kind)}`, error: failure(kind) });
    }
  };
}

/** How often each kind's posts say it happened: its first post's count plus every digest line's. */
function countsByKind(posts: readonly APIMessage[]): { counted: Map<number, number>; lastTotal: Map<number, number> } {
  const counted = new Map<number, number>();
  const lastTotal = new Map<number, number>();
  const add = (kind: number, n: number) => counted.set(kind, (counted.get(kind) ?? 0) + n);
  for (const post of posts) {
    if (isDigest(post)) {
      const text = post.embeds.map((embed) => embed.description ?? '').join('\n');
      for (const [, count, kind, total] of text.matchAll(/\*\*([\d,]+)×\*\* .*? · `task import-(\d+)` · ([\d,]+) in all/g)) {
        add(Number(kind), Number(count?.replaceAll(',', '')));
        lastTotal.set(Number(kind), Number(total?.replaceAll(',', '')));
      }
      continue;
    }
    for (const embed of post.embeds) {
      const kind = /^`task import-(\d+)`$/.exec(embed.fields?.find((f) => f.name === 'Source')?.value ?? '')?.[1];
      const seen = /seen (once|([\d,]+) times)/.exec(embed.footer?.text ?? '');
      if (kind === undefined || !seen) continue;
      add(Number(kind), seen[1] === 'once' ? 1 : Number(seen[2]?.replaceAll(',', '')));
    }
  }
  return { counted, lastTotal };
}

test(
  'a storm of 2,000 failures of 20 kinds over 10 minutes is a handful of posts that name every kind with its count, ' + 'and draws no 429',
  async () => {
    const { bot, hook, pass, executes, errors, discord } = await reporterBot();
    const report = storm(2000, 10 * MINUTE);
    await pass(10 * MINUTE, (elapsed) => report(bot, elapsed));
    await pass(5 * SECOND);

    const posts = hook.executions;
    assert.ok(posts.length >= 3 && posts.length <= 8, `${String(posts.length)} posts`);
    assert.deepEqual(
      executes().filter((r) => r.status >= 300),
      [],
      'every execute went through (no 429)',
    );
    const { counted, lastTotal } = countsByKind(posts);
    for (let kind = 0; kind < KINDS; kind++) {
      assert.equal(counted.get(kind), 100, `kind ${String(kind)}: the posts account for every failure`);
      assert.equal(lastTotal.get(kind), 100, `kind ${String(kind)}: its last digest line says 100 in all`);
    }
    assert.ok(posts.filter(isDigest).length >= 2, 'a digest per window');
    // The reporter's own work added no Error event: only the storm's.
    assert.equal(errors.length, 2000);
    assert.deepEqual(discord.unhandledRequests, []);
    assert.deepEqual(discord.internalErrors, []);
  },
);

test('a 10,000-character traceback goes as an attached file, whole and redacted, and the embed stays within Discord limits', async () => {
  const { bot, hook, pass, discord } = await reporterBot();
  const error = new Error('the importer gave up');
  const frames = Array.from({ length: 200 }, (_, i) => `    at step${String(i)} (node_modules/importer/lib/step${String(i)}.js:1:1)`);
  error.stack = [`Error: the importer gave up (token ${discord.token})`, ...frames].join('\n');
  assert.ok(error.stack.length > 10_000);
  await bot.reportError({ source: 'task import', error });
  await pass(5 * SECOND);

  const post = hook.executions[0];
  assert.ok(post);
  const [attachment] = post.attachments;
  assert.ok(attachment, 'the traceback is attached');
  const file = await (await fetch(attachment.url)).text();
  assert.equal(file, formatError(error, bot.redactor));
  assert.ok(file.length > 10_000);
  assert.ok(file.includes('at step199'), 'the whole traceback, its last frame too');
  assert.ok(!file.includes(discord.token), 'redacted');
  const embed = post.embeds[0];
  assert.ok(embed?.description);
  assert.ok(embed.description.length <= 4096);
  assert.match(embed.description, /at step0 /);
  assert.match(embed.description, new RegExp(`Whole traceback: \`${attachment.filename.replace('.', '\\.')}\``));
});

test('an error holding @everyone and mentions pings nobody: every post says allowed_mentions parse [] and keeps the text', async () => {
  const { bot, hook, pass, executes } = await reporterBot();
  const text = '@everyone the database is down, <@&123456789012345678> <@123456789012345679> @here';
  await bot.reportError({ source: 'task backup', error: new Error(text) });
  await pass(5 * SECOND);
  await bot.reportError({ source: 'task backup', error: new Error(text) });
  await pass(5 * MINUTE);

  assert.equal(hook.executions.length, 2, 'the issue, then its digest');
  for (const request of executes()) assert.deepEqual((request.body as { allowed_mentions?: unknown }).allowed_mentions, { parse: [] });
  const [post] = hook.executions;
  assert.ok(post);
  assert.ok(post.content.includes('@everyone the database is down'), 'the text stays as it was');
  assert.ok(post.embeds[0]?.title?.includes('@everyone'));
});

test('the webhook deleted mid-storm gives one warning and no further requests, however many errors follow', async () => {
  const { bot, hook, pass, executes, logged, errors, discord } = await reporterBot();
  const before = storm(600, 3 * MINUTE, 5);
  await pass(3 * MINUTE, (elapsed) => before(bot, elapsed));
  const posted = executes().length;
  const toWebhook = () => discord.requests.filter((r) => r.path.startsWith(`/webhooks/${hook.id}/`)).length;
  const requestsBefore = toWebhook();
  assert.ok(posted >= 1);
  discord.deleteWebhook(hook);
  // More of the same, and new kinds that would each want a post of their own.
  const after = storm(1400, 7 * MINUTE, 10, 5);
  await pass(7 * MINUTE, (elapsed) => after(bot, elapsed));
  await bot.stop();

  const later = executes().slice(posted);
  assert.deepEqual(
    later.map((r) => r.status),
    [404],
    'one request learnt the webhook is gone; none followed',
  );
  assert.equal(toWebhook(), requestsBefore + 1, 'nor any other request to the webhook');
  const warnings = logged.filter((line) => line.message.includes('LANTERN_ERR_WEBHOOK_REJECTED'));
  assert.equal(warnings.length, 1);
  const [warning] = warnings;
  assert.ok(warning);
  assert.equal(warning.level, 'warn');
  assert.match(warning.message, /404 Unknown Webhook \(code 10015\)/);
  assert.ok(!warning.message.includes(hook.token));
  assert.equal(errors.length, 2000, 'the refusal is a log line, not an Error event');
});

test('a digest pending at stop is not lost: stop posts it', async () => {
  const { bot, hook, pass } = await reporterBot();
  await bot.reportError({ source: 'task sync', error: failure(1, 'the sync failed') });
  await pass(5 * SECOND);
  assert.equal(hook.executions.length, 1, 'the new issue');
  for (let i = 0; i < 41; i++) await bot.reportError({ source: 'task sync', error: failure(1, 'the sync failed') });
  await pass(MINUTE);
  assert.equal(hook.executions.length, 1, 'the repeats wait for the window');

  await bot.stop();
  assert.equal(hook.executions.length, 2);
  const digest = hook.executions[1];
  assert.ok(digest && isDigest(digest));
  assert.match(textOf(digest), /\*\*41×\*\* RangeError: the sync failed · `task sync` · 42 in all/);
});

test('a new issue shows type, message, source, command, guild, channel, shard, release, the reference and where to look', async () => {
  const tracker = defineExtension({
    name: 'tracker',
    setup: (bot) => bot.listen('Error', (event) => (event.reference ??= 'ref-4f2c9a')),
  });
  const divide = command({
    name: 'divide',
    description: 'Divide',
    run: () => {
      throw new RangeError('Cannot divide by zero');
    },
  });
  const { discord, bob, guild, hook, pass } = await reporterBot({
    options: { release: 'v1.2.3' },
    before: async (bot) => {
      bot.addCommand(divide);
      await bot.loadExtension(tracker);
    },
  });
  const handle = discord.as(bob, guild.channel('general')).slash('divide');
  await handle.response('reply');
  await pass(5 * SECOND);

  const post = hook.executions[0];
  assert.ok(post);
  assert.equal(post.content, '**New issue**: RangeError: Cannot divide by zero');
  const embed = post.embeds[0];
  assert.equal(embed?.title, 'RangeError: Cannot divide by zero');
  const fields = Object.fromEntries((embed.fields ?? []).map((f) => [f.name, f.value]));
  assert.equal(fields.Source, '`/divide`');
  assert.equal(fields.Guild, guild.id);
  assert.equal(fields.Channel, `<#${guild.channel('general').id}>`);
  assert.equal(fields.Shard, '0');
  assert.equal(fields.Release, 'v1.2.3');
  assert.equal(fields.Reference, '`ref-4f2c9a`');
  assert.match(fields['Look further'] ?? '', /reference `ref-4f2c9a`/);
  assert.match(fields['Look further'] ?? '', /The bot's log: `Error in \/divide`/);
  assert.match(embed.description ?? '', /RangeError: Cannot divide by zero\n\s+at /);
  assert.match(embed.footer?.text ?? '', /^Issue [0-9a-f]{16} · seen once$/);
  assert.deepEqual(post.components, [], 'a webhook a user made cannot carry the bot’s buttons');
});

test('expected errors (a cooldown refusing a command) are not posted; reportExpected: true posts them', async () => {
  for (const reportExpected of [false, true]) {
    const ping = command({
      name: 'ping',
      description: 'Ping',
      cooldown: { bucket: 'user', uses: 1, windowMs: MINUTE },
      run: (ctx) => ctx.reply('pong'),
    });
    const { discord, bob, guild, hook, pass, errors } = await reporterBot({
      options: { reportExpected },
      before: (bot) => bot.addCommand(ping),
    });
    const actor = discord.as(bob, guild.channel('general'));
    await actor.slash('ping').response('reply');
    await actor.slash('ping').response('reply');
    await pass(5 * SECOND);
    assert.equal(errors.filter((e) => e.expected).length, 1);
    assert.equal(hook.executions.length, reportExpected ? 1 : 0);
  }
});

test('a failed post is logged once, posted after a back-off, and never itself becomes an error it posts', async () => {
  const { bot, hook, pass, discord, logged, errors, executes } = await reporterBot();
  // discord.js tries a 5xx four times in all: this post fails, the next attempt finds Discord well again.
  discord.failNext({ method: 'POST', route: '/webhooks/:id/:token', ...DiscordFaults.serverError(502), times: 4 });
  await bot.reportError({ source: 'task feed', error: failure(2, 'the feed is late') });
  await pass(10 * SECOND);
  assert.equal(hook.executions.length, 0);
  assert.equal(logged.filter((line) => line.message.includes('could not be posted')).length, 1);
  await pass(MINUTE);

  assert.equal(hook.executions.length, 1, 'posted once Discord answered again');
  assert.match(textOf(hook.executions[0]!), /TypeError: the feed is late/);
  assert.doesNotMatch(textOf(hook.executions[0]!), /HTTPError|502/);
  assert.deepEqual(
    errors.map((e) => e.source),
    ['task feed'],
  );
  assert.ok(logged.some((line) => line.message.includes('posting works again')));
  assert.ok(executes().every((r) => !JSON.stringify(r.body).includes('502')));
});

test('after a 429 the reporter waits out a back-off longer than its spacing before its next post', async () => {
  const { bot, hook, pass, discord, clock } = await reporterBot();
  discord.failNext({ method: 'POST', route: '/webhooks/:id/:token', ...DiscordFaults.rateLimited(0.05) });
  await bot.reportError({ source: 'task a', error: failure(1) });
  await pass(3 * SECOND);
  assert.equal(hook.executions.length, 1, 'discord.js waited the 50 ms Discord asked for and posted it');
  const limitedAt = clock.now();
  await bot.reportError({ source: 'task b', error: failure(2) });
  await pass(MINUTE);

  assert.equal(hook.executions.length, 2);
  const second = Date.parse(hook.executions[1]!.timestamp);
  // The spacing alone (5 a minute) would have allowed it 12 s after the first.
  assert.ok(second - limitedAt >= 25 * SECOND, `posted ${String((second - limitedAt) / SECOND)} s after the 429`);
});

test('the bot token and the webhook token in an error never reach the webhook, its files or the log', async () => {
  const { bot, hook, pass, discord, executes, logged } = await reporterBot();
  const error = new Error(`login with ${discord.token} failed; webhook ${hook.url} and token ${hook.token}`);
  error.stack = `${error.message}\n    at login (src/login.ts:1:1)\n${'    at deeper (src/deep.ts:1:1)\n'.repeat(300)}`;
  await bot.reportError({ source: `task login ${hook.token}`, error });
  await pass(5 * SECOND);
  await bot.reportError({ source: `task login ${hook.token}`, error });
  await bot.stop();

  assert.equal(hook.executions.length, 2);
  const bodies = executes().map((r) => JSON.stringify(r.body));
  const files = await Promise.all(hook.executions.flatMap((m) => m.attachments).map(async (a) => (await fetch(a.url)).text()));
  assert.ok(files.length > 0);
  for (const text of [...bodies, ...files, ...logged.map((line) => line.message)]) {
    assert.ok(!text.includes(discord.token), 'no bot token');
    assert.ok(!text.includes(hook.token), 'no webhook token');
  }
  assert.ok(bodies[0]?.includes('[REDACTED WEBHOOK TOKEN]') || bodies[0]?.includes('[REDACTED]'));
});
