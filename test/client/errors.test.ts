/**
 * Lantern's error tracking end to end: a real discord.js client (inside a Lantern Client) against the fake
 * Discord. Every failure must become events in a known order, reach the log once, answer the user (ephemeral,
 * never "did not respond") and leak no secret.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { GatewayIntentBits, MessageFlags } from 'discord.js';
import { Client, command, Events, subcommand } from '../../src/index.js';
import type { ClientOptions, CommandContext, CommandErrorEvent, TracebackMode } from '../../src/index.js';
import type { FakeDiscord, FakeUser, InteractionHandle, InteractionResponse } from '../../src/testing/index.js';
import { startBot, startFake } from '../support/bot.js';
import type { TestBot } from '../support/bot.js';
import { waitUntil } from '../support/resources.js';

const FENCE = '```';
const EMBED_DESCRIPTION_LIMIT = 4096;
const DEFAULT_ERROR_MESSAGE = 'Sorry, something went wrong. The bot\u2019s developers have been told.';

/** A bot on its own fake with one user in one guild, so commands and owners never mix between tests. */
async function world(options: ClientOptions = {}, setup: (bot: Client, discord: FakeDiscord) => unknown = () => undefined) {
  const discord = await startFake();
  const alice = discord.addUser({ username: 'alice' });
  const bob = discord.addUser({ username: 'bob' });
  const carol = discord.addUser({ username: 'carol' });
  const guild = discord.addGuild({ name: 'g', members: [alice, bob, carol] });
  const testBot = await startBot(discord, options, (bot) => setup(bot, discord));
  const as = (user: FakeUser) => discord.as(user, guild.channel('general'));
  /** Sends a slash command and resolves once the bot has finished with it (handler, error chain, answer). */
  const run = async (
    name: string,
    values: Record<string, unknown> = {},
    user: FakeUser = alice,
    opts: { allowUnregistered?: boolean } = {},
  ) => {
    const handle = as(user).slash(name, values as never, opts);
    await handle.response();
    await testBot.bot.idle();
    return handle;
  };
  return { discord, alice, bob, carol, guild, as, run, ...testBot };
}

function errorLines(logged: TestBot['logged']): string[] {
  return logged.filter((line) => line.level === 'error').map((line) => line.message);
}

/** The last answer, which must be Lantern's ephemeral error answer. */
function lastAnswer(handle: InteractionHandle): InteractionResponse {
  const last = handle.responses.at(-1);
  assert.ok(last, 'the user got no answer at all');
  return last;
}

/** Nothing left "thinking" and at least one answer: Discord would not show "The application did not respond". */
function assertNotLeftHanging(handle: InteractionHandle): void {
  assert.ok(handle.acknowledged, 'the interaction was never acknowledged');
  const original = handle.message;
  if (original) assert.equal((original.flags ?? 0) & MessageFlags.Loading, 0, 'the deferred "thinking" message was never filled');
  assert.ok(
    handle.responses.some((r) => r.message !== null),
    'no message reached the user',
  );
}

function thrower(message: string) {
  return () => {
    throw new TypeError(message);
  };
}

// ---- 1. default listeners ----

test('default listeners: CommandError then Error with the command path, one log line with the stack', async () => {
  const seen: string[] = [];
  const admin = command({
    name: 'admin',
    description: 'Admin',
    subcommands: { ban: subcommand({ description: 'Ban', run: thrower('ban failed') }) },
  });
  const boom = command({ name: 'boom', description: 'Boom', run: thrower('boom failed') });
  const { run, errors, logged } = await world({}, (bot) => {
    bot.addCommand(boom, admin);
    bot.listen(Events.CommandError, (event) => {
      seen.push(`CommandError ${event.command}`);
    });
    bot.listen(Events.Error, (event) => {
      seen.push(`Error ${event.source}`);
    });
  });

  const handle = await run('boom');
  assert.equal(lastAnswer(handle).ephemeral, true);
  await run('admin ban');
  assert.deepEqual(seen, ['CommandError /boom', 'Error /boom', 'CommandError /admin ban', 'Error /admin ban']);
  assert.deepEqual(
    errors.map((e) => e.source),
    ['/boom', '/admin ban'],
  );
  assert.equal(errors[0]?.error.message, 'boom failed');
  assert.ok(errors[0].ctx, 'the Error event carries the command context');

  const lines = errorLines(logged);
  assert.equal(lines.length, 2, lines.join('\n---\n'));
  assert.match(lines[0] ?? '', /^Error in \/boom: TypeError: boom failed\n\s+at /);
  assert.match(lines[0] ?? '', /client\/errors\.test\.ts:\d+/, 'the log line has the stack');
  assert.match(lines[1] ?? '', /^Error in \/admin ban: TypeError: ban failed\n\s+at /);
});

test('disableDefaultListeners on CommandError stops the re-dispatch to Error; removing the listener restores it', async () => {
  const commandErrors: string[] = [];
  let unlisten: () => void = () => undefined;
  const { run, errors, logged } = await world({}, (bot) => {
    bot.addCommand(command({ name: 'boom', description: 'Boom', run: thrower('boom failed') }));
    unlisten = bot.listen(
      Events.CommandError,
      (event) => {
        commandErrors.push(event.command);
      },
      { disableDefaultListeners: true },
    );
  });

  const handle = await run('boom');
  assert.deepEqual(commandErrors, ['/boom']);
  assert.equal(errors.length, 0, 'no Error event without the default CommandError listener');
  assert.deepEqual(errorLines(logged), []);
  assert.equal(lastAnswer(handle).ephemeral, true, 'the user is still answered');
  assert.equal(lastAnswer(handle).message?.embeds[0]?.title, 'Error: TypeError');

  unlisten();
  await run('boom');
  assert.deepEqual(
    errors.map((e) => e.source),
    ['/boom'],
  );
  assert.equal(errorLines(logged).length, 1);
});

test('disableDefaultListeners on Error stops the log line; other Error listeners still run', async () => {
  const mine: string[] = [];
  const { run, errors, logged } = await world({}, (bot) => {
    bot.addCommand(command({ name: 'boom', description: 'Boom', run: thrower('boom failed') }));
    bot.listen(
      Events.Error,
      (event) => {
        mine.push(event.source);
      },
      { disableDefaultListeners: true },
    );
  });
  const handle = await run('boom');
  assert.deepEqual(mine, ['/boom']);
  assert.deepEqual(
    errors.map((e) => e.source),
    ['/boom'],
    'a listener beside the defaults still runs',
  );
  assert.deepEqual(errorLines(logged), []);
  assert.equal(lastAnswer(handle).message?.embeds[0]?.title, 'Error: TypeError');
});

// ---- 2. order and handled ----

test('the error chain runs onError (subcommand, parent, extension), then CommandError, then Error; handled is passed on', async () => {
  const order: string[] = [];
  const note = (who: string, event: { handled: boolean }) => order.push(`${who}:${String(event.handled)}`);
  let mode: 'none' | 'answer' | 'flag' = 'none';
  const ops = command({
    name: 'ops',
    description: 'Ops',
    subcommands: {
      fail: subcommand({
        description: 'Fail',
        run: thrower('ops failed'),
        async onError(event) {
          note('sub', event);
          if (mode === 'answer') {
            await event.ctx.send({ content: 'custom sorry', ephemeral: true });
            event.handled = true;
          } else if (mode === 'flag') {
            event.handled = true;
          }
        },
      }),
    },
    onError: (event) => note('parent', event),
  });
  const { run, errors, logged, bot } = await world({}, async (bot) => {
    await bot.loadExtension({
      name: 'opsext',
      setup(scoped: Client) {
        scoped.addCommand(ops);
      },
      onError: (event: CommandErrorEvent) => note('extension', event),
    });
    bot.listen(Events.CommandError, (event) => note('CommandError', event));
    bot.listen(Events.Error, (event) => note('Error', event));
  });
  assert.deepEqual(bot.extensions, ['opsext']);

  // Nobody handles it: every step runs, Lantern answers.
  let handle = await run('ops fail');
  assert.deepEqual(order, ['sub:false', 'parent:false', 'extension:false', 'CommandError:false', 'Error:false']);
  assert.equal(errors[0]?.extension, 'opsext');
  assert.equal(errors[0].source, '/ops fail');
  assert.equal(handle.responses.length, 1);
  assert.equal(lastAnswer(handle).message?.embeds[0]?.title, 'Error: TypeError');

  // Handled and answered by the subcommand's onError: later handlers see handled, Lantern sends nothing more.
  order.length = 0;
  mode = 'answer';
  handle = await run('ops fail');
  assert.deepEqual(order, ['sub:false', 'parent:true', 'extension:true', 'CommandError:true', 'Error:true']);
  assert.equal(errors[1]?.handled, true);
  assert.deepEqual(
    handle.responses.map((r) => [r.kind, r.message?.content]),
    [['reply', 'custom sorry']],
  );
  assert.equal(errorLines(logged).length, 2, 'a handled error is still logged');

  // Handled but nobody answered: Lantern still answers.
  order.length = 0;
  mode = 'flag';
  handle = await run('ops fail');
  assert.deepEqual(order, ['sub:false', 'parent:true', 'extension:true', 'CommandError:true', 'Error:true']);
  assert.equal(handle.responses.length, 1);
  assert.equal(lastAnswer(handle).ephemeral, true);
  assert.equal(lastAnswer(handle).message?.embeds[0]?.title, 'Error: TypeError');
});

test('handled set by a CommandError or Error listener reaches the end of the chain', async () => {
  const { run, errors } = await world({}, (bot) => {
    bot.addCommand(command({ name: 'boom', description: 'Boom', run: thrower('boom failed') }));
    bot.listen(Events.CommandError, async (event) => {
      await event.ctx.send('answered by a listener');
      event.handled = true;
    });
  });
  const handle = await run('boom');
  assert.equal(errors[0]?.handled, true);
  assert.deepEqual(
    handle.responses.map((r) => r.message?.content),
    ['answered by a listener'],
  );

  const second = await world({}, (bot) => {
    bot.addCommand(command({ name: 'boom', description: 'Boom', run: thrower('boom failed') }));
    bot.listen(Events.Error, (event) => {
      event.handled = true;
      event.reference = 'REF-42';
    });
  });
  const unanswered = await second.run('boom');
  // handled without an answer: still answered, and the tracker's reference reaches the user.
  assert.equal(unanswered.responses.length, 1);
  assert.equal(lastAnswer(unanswered).message?.embeds[0]?.footer?.text, 'Error reference: REF-42');
});

// ---- 3. no loop ----

test('a throwing Error listener is logged once and not re-dispatched', async () => {
  let calls = 0;
  const { run, errors, logged } = await world({}, (bot) => {
    bot.addCommand(command({ name: 'boom', description: 'Boom', run: thrower('boom failed') }));
    bot.listen(Events.Error, function brokenSink() {
      calls++;
      throw new Error('the sink is down');
    });
  });
  const handle = await run('boom');
  assert.equal(calls, 1);
  assert.deepEqual(
    errors.map((e) => e.source),
    ['/boom'],
  );
  const lines = errorLines(logged);
  const sinkLines = lines.filter((line) => line.includes('the sink is down'));
  assert.equal(sinkLines.length, 1, lines.join('\n---\n'));
  assert.match(sinkLines[0] ?? '', /Error listener \(brokenSink\) threw while handling an error from \/boom/);
  assert.equal(lines.filter((line) => line.startsWith('Error in /boom')).length, 1, 'the default log line still runs');
  assert.equal(lastAnswer(handle).message?.embeds[0]?.title, 'Error: TypeError');
});

test('a CommandError listener that never finishes does not keep the user waiting: the answer goes before Discord gives up', async () => {
  let hung = 0;
  const { discord, alice, guild, bot, logged } = await world({ stopTimeoutMs: 300 }, (b) => {
    b.addCommand(command({ name: 'boom', description: 'Boom', run: thrower('boom failed') }));
    b.listen(Events.CommandError, () => {
      hung++;
      return new Promise(() => undefined);
    });
  });
  const handle = discord.as(alice, guild.channel('general')).slash('boom');
  const answer = await handle.response();
  assert.equal(hung, 1);
  assert.equal(answer.ephemeral, true);
  assert.equal(answer.message?.embeds[0]?.title, 'Error: TypeError');
  assert.ok((handle.firstResponseMs ?? Infinity) < 3000, `answered after ${String(handle.firstResponseMs)} ms, past Discord's 3 s`);
  assert.ok(
    logged.some((line) => line.level === 'warn' && /error handlers of \/boom are still running/.test(line.message)),
    JSON.stringify(logged),
  );
  // The hung listener holds the interaction's work open; stop() gives up on it after its timeout.
  assert.equal(await Promise.race([bot.idle().then(() => 'idle'), new Promise((resolve) => setTimeout(resolve, 100, 'busy'))]), 'busy');
});

test('a throwing CommandError listener and a throwing discord.js listener become Error events', async () => {
  const { run, errors, as, alice, bot, logged } = await world(
    { intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages, GatewayIntentBits.MessageContent] },
    (bot) => {
      bot.addCommand(command({ name: 'boom', description: 'Boom', run: thrower('boom failed') }));
      bot.listen(Events.CommandError, () => {
        throw new RangeError('command error listener broke');
      });
      bot.listen('messageCreate', function onMessage(message) {
        if (message.content === 'hi') throw new SyntaxError('message listener broke');
      });
    },
  );

  const handle = await run('boom');
  assert.deepEqual(
    errors.map((e) => e.source),
    ['listener CommandError', '/boom'],
    'the failing listener does not stop the chain',
  );
  assert.equal(errors[0]?.error.message, 'command error listener broke');
  assert.equal(lastAnswer(handle).message?.embeds[0]?.title, 'Error: TypeError');

  as(alice).say('hi');
  await waitUntil(() => errors.length === 3);
  await bot.idle();
  assert.equal(errors[2]?.source, 'listener messageCreate (onMessage)', 'a named listener is named in the source');
  assert.equal(errors[2].error.message, 'message listener broke');
  assert.equal(errors.length, 3);
  const lines = errorLines(logged);
  assert.equal(lines.length, 3, lines.join('\n---\n'));
  assert.ok(lines.some((line) => line.startsWith('Error in listener messageCreate (onMessage): SyntaxError: message listener broke')));
});

// ---- 4. sendCommandTracebacks ----

type FailMode = 'reply' | 'defer' | 'deferEphemeral' | 'unacknowledged';
const FAIL_MODES: readonly FailMode[] = ['reply', 'defer', 'deferEphemeral', 'unacknowledged'];

function failing(mode: FailMode) {
  return command({
    name: `fail-${mode.toLowerCase()}`,
    description: 'Fails',
    run: async (ctx: CommandContext) => {
      if (mode === 'reply') await ctx.reply('working on it');
      if (mode === 'defer') await ctx.defer();
      if (mode === 'deferEphemeral') await ctx.defer({ ephemeral: true });
      throw new TypeError(`failed after ${mode}`);
    },
  });
}

function assertTraceback(handle: InteractionHandle, mode: FailMode): void {
  assertNotLeftHanging(handle);
  const answer = lastAnswer(handle);
  assert.equal(answer.ephemeral, true, `${mode}: the error answer is ephemeral`);
  const embed = answer.message?.embeds[0];
  assert.equal(embed?.title, 'Error: TypeError');
  const description = embed.description ?? '';
  assert.ok(description.length <= EMBED_DESCRIPTION_LIMIT);
  assert.ok(description.startsWith(`${FENCE}\n`) && description.endsWith(`\n${FENCE}`), description);
  assert.match(description, new RegExp(`TypeError: failed after ${mode}\\n\\s+at `));
  assert.match(description, /client\/errors\.test\.ts:\d+/);
  if (mode === 'reply') assert.equal(handle.message?.content, 'working on it', 'the public reply stays');
  if (mode === 'defer')
    assert.equal(
      handle.responses.filter((r) => !r.ephemeral && r.message?.embeds.length).length,
      0,
      'the traceback is never shown publicly',
    );
}

function assertFriendly(handle: InteractionHandle, mode: FailMode, text: string): void {
  assertNotLeftHanging(handle);
  const answer = lastAnswer(handle);
  assert.equal(answer.ephemeral, true, `${mode}: the error answer is ephemeral`);
  assert.equal(answer.message?.content, text);
  assert.deepEqual(answer.message.embeds, []);
  for (const response of handle.responses) assert.doesNotMatch(JSON.stringify(response.message), /failed after|TypeError|errors\.test/);
}

async function tracebackWorld(tracebacks: TracebackMode, options: ClientOptions = {}) {
  return world({ sendCommandTracebacks: tracebacks, ...options }, (bot) => bot.addCommand(...FAIL_MODES.map(failing)));
}

test('sendCommandTracebacks: true shows everyone an ephemeral traceback, whatever the handler did first', async () => {
  const w = await tracebackWorld(true);
  for (const mode of FAIL_MODES) assertTraceback(await w.run(`fail-${mode.toLowerCase()}`), mode);
  assert.equal(w.errors.length, FAIL_MODES.length);
});

test('sendCommandTracebacks: false shows the friendly message (default, then errorMessage as text and as a function)', async () => {
  const plain = await tracebackWorld(false);
  for (const mode of FAIL_MODES) assertFriendly(await plain.run(`fail-${mode.toLowerCase()}`), mode, DEFAULT_ERROR_MESSAGE);

  const custom = await tracebackWorld(false, { errorMessage: 'Oops, that broke.' });
  assertFriendly(await custom.run('fail-reply'), 'reply', 'Oops, that broke.');

  const computed = await tracebackWorld(false, { errorMessage: (event) => `${event.source} broke for ${event.ctx.user.username}` });
  assertFriendly(await computed.run('fail-deferephemeral'), 'deferEphemeral', '/fail-deferephemeral broke for alice');
});

test("sendCommandTracebacks: 'owners' shows owners (application owner or ownerIds) the traceback, others the message", async () => {
  const discord = await startFake();
  const alice = discord.addUser({ username: 'alice' });
  const bob = discord.addUser({ username: 'bob' });
  const carol = discord.addUser({ username: 'carol' });
  const guild = discord.addGuild({ name: 'g', members: [alice, bob, carol] });
  discord.setOwners([bob]);
  const { bot } = await startBot(discord, { sendCommandTracebacks: 'owners', ownerIds: [carol.id], errorMessage: 'Not for you.' }, (b) =>
    b.addCommand(...FAIL_MODES.map(failing)),
  );
  assert.equal(bot.tracebackMode, 'owners');
  assert.ok(bot.isOwner(bob.id), 'the application owner is read at start');
  assert.ok(bot.isOwner(carol.id), 'ownerIds count');
  assert.ok(!bot.isOwner(alice.id));
  for (const mode of FAIL_MODES) {
    for (const user of [alice, bob, carol]) {
      const handle = discord.as(user, guild.channel('general')).slash(`fail-${mode.toLowerCase()}`);
      await handle.response();
      await bot.idle();
      if (user === alice) assertFriendly(handle, mode, 'Not for you.');
      else assertTraceback(handle, mode);
    }
  }
});

test(
  'a very long stack is cut to the embed limit (quickly), and a code fence in the message cannot end the block',
  { timeout: 5000 },
  async () => {
    const { run } = await world({}, (bot) => {
      bot.addCommand(
        command({
          name: 'long',
          description: 'Long',
          run: () => {
            // 100 kB of one word: a redaction pattern that backtracks over it would block the bot for seconds.
            throw new Error(`${FENCE}\n${'x'.repeat(100_000)}`, { cause: new Error('y'.repeat(5_000)) });
          },
        }),
      );
    });
    const handle = await run('long');
    const answer = lastAnswer(handle);
    assert.equal(answer.ephemeral, true);
    const description = answer.message?.embeds[0]?.description ?? '';
    assert.ok(description.length <= EMBED_DESCRIPTION_LIMIT, `description is ${String(description.length)} characters`);
    assert.ok(description.length > EMBED_DESCRIPTION_LIMIT - 20, 'the room is used');
    assert.ok(description.startsWith(`${FENCE}\n`) && description.endsWith(`…\n${FENCE}`));
    assert.equal(description.split(FENCE).length, 3, 'only the opening and closing fences');
  },
);

// ---- 5. leaks ----

test('no token, webhook URL or secret reaches the user or the log; the redaction markers do', async () => {
  const registered = 'hunter2-correct-horse';
  const added = 'p@ss w0rd/äpi';
  const webhookToken = 'Whk9'.repeat(33);
  const webhookUrl = `https://discord.com/api/v10/webhooks/123456789012345678/${webhookToken}`;
  let botToken = '';
  const thrown: { error: Error; token: string }[] = [];
  const leaky = (ctx: CommandContext): Error => {
    const interactionToken = ctx.interaction.token;
    const all = `bot ${botToken} interaction ${interactionToken} hook ${webhookUrl} secret ${registered} other ${added}`;
    const interactionUrl =
      `https://discord.com/api/v10/interactions/${ctx.interaction.id}/${interactionToken}/callback` + `?key=${encodeURIComponent(added)}`;
    const cause = new Error(`cause: ${all}`);
    const member = new Error(`member: ${interactionUrl}`);
    const aggregate = new AggregateError(
      [member, new Error(`member 2: ${botToken}`), `a string member ${registered}`],
      `aggregate: ${webhookUrl}`,
      { cause },
    );
    const error = new Error(`request to ${interactionUrl} failed: ${all}`, { cause: aggregate });
    error.stack = `${error.stack ?? ''}\n    at fetch (${webhookUrl})`;
    thrown.push({ error, token: interactionToken });
    return error;
  };
  const commands = [
    command({
      name: 'leak',
      description: 'Leak',
      run: (ctx) => {
        throw leaky(ctx);
      },
    }),
    command({
      name: 'leak-late',
      description: 'Leak',
      run: async (ctx) => {
        await ctx.defer();
        throw leaky(ctx);
      },
    }),
  ];
  const traced = await world({ secrets: [registered] }, (bot, discord) => {
    botToken = discord.token;
    bot.addSecret(added, 'API KEY');
    bot.addCommand(...commands);
  });
  const handles = [await traced.run('leak'), await traced.run('leak-late')];
  const friendly = await world(
    { secrets: [registered], sendCommandTracebacks: false, errorMessage: (event) => `failed: ${event.error.message}` },
    (bot, discord) => {
      botToken = discord.token;
      bot.addSecret(added, 'API KEY');
      bot.addCommand(...commands);
    },
  );
  handles.push(await friendly.run('leak'), await friendly.run('leak-late'));
  const botTokens = [traced.discord.token, friendly.discord.token];

  // The thrown errors really carried every secret, so a missing redaction would show below.
  assert.equal(thrown.length, 4);
  for (const [i, { error, token }] of thrown.entries()) {
    const aggregate = error.cause as AggregateError;
    const raw = [error.message, error.stack, aggregate.message, ...aggregate.errors.map(String), (aggregate.cause as Error).message].join(
      '\n',
    );
    for (const secret of [botTokens[i < 2 ? 0 : 1] ?? '', token, webhookToken, registered, added, encodeURIComponent(added)])
      assert.ok(raw.includes(secret), `the thrown error did not contain ${secret}`);
  }
  assert.equal(new Set(thrown.map((t) => t.token)).size, 4, 'each interaction had its own token');

  const received = handles.flatMap((h) => h.responses.map((r) => JSON.stringify(r.message)));
  const lines = [...traced.logged, ...friendly.logged].map((line) => line.message);
  const secrets = [
    ...botTokens,
    ...botTokens.map((t) => t.split('.')[2] ?? 'none'),
    ...thrown.map((t) => t.token),
    webhookToken,
    registered,
    added,
    encodeURIComponent(added),
  ];
  for (const secret of secrets) {
    assert.ok(secret.length >= 6);
    for (const text of received) assert.ok(!text.includes(secret), `the user received ${secret}: ${text}`);
    for (const line of lines) assert.ok(!line.includes(secret), `the log has ${secret}: ${line}`);
  }

  const shown = received.join('\n');
  const logged = lines.join('\n');
  for (const marker of [
    '[REDACTED TOKEN]',
    '[REDACTED INTERACTION TOKEN]',
    '/webhooks/123456789012345678/[REDACTED]',
    '[REDACTED SECRET]',
    '[REDACTED API KEY]',
  ]) {
    assert.ok(shown.includes(marker), `the user's answers lack ${marker}`);
    assert.ok(logged.includes(marker), `the log lacks ${marker}`);
  }
  // The answers really held the error (embed and friendly text), so the checks above saw it.
  assert.match(shown, /Caused by: AggregateError: aggregate/);
  assert.match(shown, /failed: request to https:\/\/discord\.com\/api\/v10\/interactions\/\d+\/\[REDACTED/);
  assert.equal(logged.match(/^Error in \/leak/gm)?.length, 4);
});

test('an error whose name carries a secret shows it redacted in the embed title', async () => {
  const secret = 'name-secret-123456';
  const { run, logged } = await world({ secrets: [secret] }, (bot) => {
    bot.addCommand(
      command({
        name: 'named',
        description: 'Named',
        run: () => {
          const error = new Error('bad');
          error.name = `Failure(${secret})`;
          throw error;
        },
      }),
    );
  });
  const handle = await run('named');
  const text = JSON.stringify(handle.responses);
  assert.ok(!text.includes(secret), text);
  assert.equal(lastAnswer(handle).message?.embeds[0]?.title, 'Error: Failure([REDACTED SECRET])');
  assert.ok(!logged.some((line) => line.message.includes(secret)));
});

// ---- 6. survival ----

test('a malformed INTERACTION_CREATE becomes an Error event, its user is answered, and the bot keeps answering', async () => {
  let release: () => void = () => undefined;
  let holding = false;
  const { discord, run, errors, bot, as, alice } = await world({}, (b) => {
    b.addCommand(
      command({ name: 'ping', description: 'Ping', run: (ctx) => ctx.reply('pong') }),
      command({
        name: 'hold',
        description: 'Hold',
        run: () => {
          holding = true;
          return new Promise<void>((resolve) => (release = resolve));
        },
      }),
    );
  });

  // An interaction discord.js does not know is ignored (a debug line), not an error.
  discord.gateway.dispatchRaw('INTERACTION_CREATE', { type: 2, data: {} });
  // One it knows but cannot read (no `entitlements`) throws inside its socket handler: Lantern contains it.
  discord.gateway.dispatchRaw('INTERACTION_CREATE', { type: 2, data: { type: 1, id: '1', name: 'x' } });
  await waitUntil(() => errors.length > 0);
  await bot.idle();
  assert.deepEqual(
    errors.map((e) => e.source),
    ['gateway INTERACTION_CREATE'],
  );
  assert.equal(errors[0]?.error.name, 'TypeError');

  // The same, with an id and token Discord knows: the user still gets an answer.
  const held = as(alice).slash('hold');
  await waitUntil(() => holding);
  const broken: Record<string, unknown> = { ...held.payload };
  delete broken.entitlements;
  discord.gateway.dispatchRaw('INTERACTION_CREATE', broken);
  const answer = await held.response();
  assert.equal(answer.ephemeral, true);
  assert.match(answer.message?.content ?? '', /could not read/);
  await waitUntil(() => errors.length === 2);
  assert.equal(errors[1]?.source, 'gateway INTERACTION_CREATE');
  release();
  await bot.idle();

  const handle = await run('ping');
  assert.equal(handle.message?.content, 'pong');
  assert.equal(errors.length, 2);
});

test('an unknown command gets a clear ephemeral answer and exactly one log line', async () => {
  const { run, errors, logged } = await world({}, (b) => {
    b.addCommand(command({ name: 'ping', description: 'Ping', run: (ctx) => ctx.reply('pong') }));
  });
  const before = logged.length;
  const handle = await run('ghost', {}, undefined, { allowUnregistered: true });
  assert.equal(handle.responses.length, 1);
  const answer = lastAnswer(handle);
  assert.equal(answer.ephemeral, true);
  assert.match(answer.message?.content ?? '', /not available/);
  const lines = logged.slice(before);
  assert.equal(lines.length, 1, JSON.stringify(lines));
  assert.match(lines[0]?.message ?? '', /\/ghost/);
  assert.deepEqual(errors, []);
});

test('process errors in bot code become Error events; the process survives and exits 0 after stop()', { timeout: 15_000 }, () => {
  const script = fileURLToPath(new URL('../fixtures/lantern-process-errors.ts', import.meta.url));
  const child = spawnSync(process.execPath, ['--import', 'tsx', script], { encoding: 'utf8', timeout: 12_000 });
  const report = `status ${String(child.status)} signal ${String(child.signal)}\nstdout:\n${child.stdout}\nstderr:\n${child.stderr}`;
  assert.equal(child.status, 0, report);
  const events = child.stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as { source: string; message: string });
  assert.deepEqual(events.map((e) => e.source).sort(), ['uncaught exception', 'unhandled rejection'], report);
  assert.deepEqual(events.find((e) => e.source === 'unhandled rejection')?.message, 'rejected in bot code');
  assert.deepEqual(events.find((e) => e.source === 'uncaught exception')?.message, 'thrown in a timer');
  assert.match(child.stdout, /^still alive$/m, report);
  assert.match(child.stdout, /^stopped, process listeners: 0 0$/m, report);
  assert.match(child.stderr, /\[lantern\] Error in unhandled rejection: Error: rejected in bot code/);
  assert.match(child.stderr, /\[lantern\] Error in uncaught exception: Error: thrown in a timer/);
});
