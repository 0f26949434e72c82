/**
 * Leak tests, one per class of secret shape, over every sink (the user's traceback, the log, the raw bytes of
 * every Sentry envelope) and every handler kind (slash command, button, modal, autocomplete, task, listener).
 * One bot on the fake Discord with the real @sentry/node sending to a SentryReceiver; each case makes the
 * handler of each kind fail with its payload, and nothing of the secrets it holds may reach any sink.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import * as Sentry from '@sentry/node';
import { ButtonStyle, ComponentType, GatewayIntentBits, PermissionFlagsBits, SnowflakeUtil } from 'discord.js';
import type { TextChannel } from 'discord.js';
import { button, command, field, modal, option } from '../../src/index.js';
import type { ErrorEvent } from '../../src/index.js';
import sentry from '../../src/ext/sentry/index.js';
import { LINE_LIMIT } from '../../src/log/bound.js';
import { FakeClock } from '../../src/testing/index.js';
import type { InteractionHandle } from '../../src/testing/index.js';
import { startBot, startFake } from '../support/bot.js';
import { waitUntil } from '../support/resources.js';
import { sentryOptions, startReceiver, thrown } from '../fixtures/sentry-support.js';
import { failBesideALongLine, SOURCE_SECRET } from '../fixtures/long-line-secret.js';

const MINUTE = 60_000;
/** Sentry's own cut of messages in this bot, as a bot that sets `maxValueLength` has it. */
const MAX_VALUE_LENGTH = 250;
/** Where the traceback embed's text is cut (Discord's 4,096 characters less the code fence). */
const TRACEBACK_CUT = 4096 - 8 - 4;
/** Where Lantern cuts what the user typed in the interaction context. */
const INPUT_CUT = 1024;
/** Where Sentry's scope cuts a breadcrumb message. */
const BREADCRUMB_CUT = 2048;

// ---- the secrets ----

const receiver = await startReceiver();
const random = (bytes: number) => randomBytes(bytes).toString('base64url');
const hex = (bytes: number) => randomBytes(bytes).toString('hex');
/** A Discord bot token for an id, as Discord shapes them. */
const botTokenFor = (id: string, padded = false) =>
  `${Buffer.from(id).toString(padded ? 'base64' : 'base64url')}.${random(4)}.${random(28)}`;
const publicKey = new URL(receiver.dsn).username;
const secretKey = hex(16);
const dsnUrl = new URL(receiver.dsn);
dsnUrl.password = secretKey;
const dsn = dsnUrl.href;
/** A registered secret made of every character encodings change. */
const registered = `pa ss"w\\o/rd+${hex(8)}=&é`;
const apiKey = `sk_live_${hex(12)}`;
const apiKeyExtended = `${apiKey}_and_its_${hex(6)}_extension`;
const cutSecret = `cut-${hex(16)}`;

// ---- one bot with a handler of every kind ----

const discord = await startFake();
const alice = discord.addUser({ username: 'alice' });
const guild = discord.addGuild({
  name: 'g',
  members: [alice],
  botPermissions:
    PermissionFlagsBits.ViewChannel |
    PermissionFlagsBits.SendMessages |
    PermissionFlagsBits.EmbedLinks |
    PermissionFlagsBits.ReadMessageHistory |
    PermissionFlagsBits.ManageWebhooks,
});
const general = guild.channel('general');
const fetchedHook = discord.addWebhook(general, 'Fetched');
const clock = new FakeClock(Date.UTC(2026, 11, 1, 12));

interface LeakCase {
  readonly name: string;
  /** What the failing handler of `source` throws. */
  readonly thrown: (source: string) => unknown;
  /** Whole secrets: neither they nor any 10 characters in a row of them may reach a sink. */
  readonly secrets: () => readonly string[];
  /** What the user types (an option, a field), for the kinds that take input. */
  readonly input?: () => string;
  /** Run by the handler before it throws. */
  readonly before?: () => void;
  /** Checks of the Sentry event itself, beyond its bytes. */
  readonly event?: (error: { value?: string }, breadcrumbs: readonly { message?: unknown }[]) => void;
}

let current: { leak: LeakCase; source: string } | undefined;
function fail(): never {
  const { leak, source } = current ?? assert.fail('no case is running');
  leak.before?.();
  // A non-Error value is one of the cases.
  throw leak.thrown(source);
}

const form = modal({
  customId: 'leak-form',
  title: 'Leak',
  fields: { text: field.paragraph({ label: 'Text', maxLength: 4000 }) },
  run: () => fail(),
});

const { bot, logged, errors } = await startBot(
  discord,
  {
    intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages, GatewayIntentBits.MessageContent],
    clock,
    sendCommandTracebacks: true,
    errorLogLimit: Infinity,
    secrets: [registered, apiKey, apiKeyExtended, cutSecret, SOURCE_SECRET],
  },
  async (b) => {
    await b.loadExtension(
      sentry,
      sentryOptions(receiver, { dsn, eventsPerGroupPerMinute: Infinity, eventsPerMinute: Infinity, maxValueLength: MAX_VALUE_LENGTH }),
    );
    b.addCommand(
      command({
        name: 'leak',
        description: 'Fails with the case',
        options: { text: option.string({ description: 'What the user typed', autocomplete: () => fail() }) },
        run: () => fail(),
      }),
      command({
        name: 'panel',
        description: 'A message with the failing button',
        run: (ctx) =>
          ctx.reply({
            content: 'panel',
            components: [
              {
                type: ComponentType.ActionRow,
                components: [{ type: ComponentType.Button, style: ButtonStyle.Danger, label: 'Leak', custom_id: 'leak-button' }],
              },
            ],
          }),
      }),
      command({ name: 'form', description: 'Shows the failing modal', run: (ctx) => ctx.showModal(form.build({})) }),
    );
    b.addComponent(button({ customId: 'leak-button', run: () => fail() }));
    b.addModal(form);
    b.task({ name: 'leak', every: MINUTE, run: () => fail() });
    b.listen('messageCreate', (message) => {
      if (message.content === 'leak') fail();
    });
  },
);
const botToken = discord.token;

// Webhooks the bot created and fetched: Discord handed it their tokens.
const channel = (await bot.discord.channels.fetch(general.id)) as TextChannel;
const createdHook = await channel.createWebhook({ name: 'Created' });
await channel.fetchWebhooks();
const createdToken = createdHook.token;

const as = discord.as(alice, general);
const panel = (await as.slash('panel').response('reply')).message ?? assert.fail('the panel was posted');

// ---- the cases ----

/** A webhook URL whose webhook the bot has never seen: only its shape gives it away. */
const unseenHook = { id: SnowflakeUtil.generate().toString(), token: random(51) };
const hookUrl = (base: string) => `${base}/${unseenHook.id}/${unseenHook.token}`;
const token17 = botTokenFor('12345678901234567', true);
const token18 = botTokenFor('123456789012345678');

const CASES: LeakCase[] = [
  {
    name: 'a webhook URL, URL-encoded',
    thrown: () => new Error(`POST ${encodeURIComponent(`${hookUrl('https://discord.com/api/v10/webhooks')}?wait=true`)} failed`),
    secrets: () => [unseenHook.token],
  },
  {
    name: 'a webhook URL with JSON-escaped slashes',
    thrown: () => new Error(`config ${JSON.stringify({ url: hookUrl('https://discord.com/api/webhooks') }).replaceAll('/', '\\/')}`),
    secrets: () => [unseenHook.token],
  },
  {
    name: 'webhook URLs on discordapp.com, canary, ptb, with and without /api/vN',
    thrown: () =>
      new Error(
        ['https://discordapp.com/api/webhooks', 'https://canary.discord.com/api/v9/webhooks', 'https://ptb.discord.com/webhooks']
          .map(hookUrl)
          .join(' '),
      ),
    secrets: () => [unseenHook.token],
  },
  {
    name: 'the bare token of a webhook the bot created',
    thrown: () => new Error(`stored hook token ${createdToken} is stale`),
    secrets: () => [createdToken],
  },
  {
    name: 'the bare token of a webhook the bot fetched',
    thrown: () => new Error(`fetched hook token=${fetchedHook.token}`),
    secrets: () => [fetchedHook.token],
  },
  {
    name: 'the bot token split across two lines, indented or not',
    thrown: () =>
      new Error(
        `Authorization: Bot ${botToken.slice(0, 33)}\n    ${botToken.slice(33)}\r\n${botToken.slice(0, 50)}\n${botToken.slice(50)}`,
      ),
    secrets: () => [botToken],
  },
  {
    name: "the Sentry DSN's public key and secret key on their own",
    thrown: () => new Error(`keys ${publicKey} and ${secretKey}`),
    secrets: () => [publicKey, secretKey],
  },
  {
    name: 'a registered secret URL-encoded and form-encoded',
    thrown: () => new Error(`GET /x?k=${encodeURIComponent(registered)} body ${new URLSearchParams({ k: registered }).toString()}`),
    secrets: () => [registered, encodeURIComponent(registered), new URLSearchParams({ k: registered }).toString().slice(2)],
  },
  {
    name: 'a registered secret JSON-escaped (\\", \\\\, \\/, \\u)',
    thrown: () =>
      new Error(
        [
          JSON.stringify({ k: registered }),
          JSON.stringify(JSON.stringify({ k: registered })),
          JSON.stringify(registered).replaceAll('/', '\\/'),
          JSON.stringify(registered).replace(/[^\w]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`),
        ].join(' '),
      ),
    secrets: () => [registered, JSON.stringify(registered).slice(1, -1)],
  },
  {
    name: 'a registered secret in base64, standard and URL-safe, at every offset',
    thrown: () =>
      new Error(
        ['', 'a', 'ab']
          .flatMap((pad) => [Buffer.from(pad + registered).toString('base64'), Buffer.from(pad + apiKey).toString('base64url')])
          .join(' '),
      ),
    secrets: () => [Buffer.from(registered).toString('base64').slice(0, 24), Buffer.from(apiKey).toString('base64url').slice(0, 24)],
  },
  {
    name: 'registered secrets inside a thrown non-Error object',
    thrown: () => ({ config: { apiKey, password: registered, headers: { authorization: `Bot ${botToken}` } } }),
    secrets: () => [apiKey, registered, JSON.stringify(registered).slice(1, -1), botToken],
  },
  {
    name: 'secrets that contain one another: the DSN and its keys, a key and its extension',
    thrown: () => new Error(`dsn ${dsn} key ${publicKey} ${apiKeyExtended} ${apiKey}`),
    secrets: () => [
      dsn,
      publicKey,
      secretKey,
      apiKeyExtended,
      apiKey,
      `@${dsnUrl.host}${dsnUrl.pathname}`,
      apiKeyExtended.slice(apiKey.length),
    ],
  },
  {
    name: 'bot tokens of bots with 17 and 18 digit ids',
    thrown: () => new Error(`tokens ${token17} ${token18}`),
    secrets: () => [token17, token18],
  },
  {
    name: 'the bot token where Sentry cuts the message (maxValueLength)',
    // The cut at 250 characters falls 26 characters into the token's 38-character HMAC.
    thrown: () => new Error(`${'m'.repeat(MAX_VALUE_LENGTH - (botToken.length - 12))}${botToken}`),
    secrets: () => [botToken.slice(-38)],
    event: (error) => {
      assert.ok(!error.value?.endsWith('...'), 'redacted before Sentry cut it: the redacted message is short enough');
    },
  },
  {
    name: 'a registered secret where Sentry cuts a breadcrumb',
    before: () => {
      // Cut at 2,048 characters, 20 of the secret would be left; redacted first, it is short enough not to be cut.
      Sentry.addBreadcrumb({ category: 'test', message: `${'b'.repeat(BREADCRUMB_CUT - 20)}${cutSecret}` });
    },
    thrown: () => new Error('failed after a long breadcrumb'),
    secrets: () => [cutSecret],
    event: (_error, breadcrumbs) => {
      const long = breadcrumbs.find((b) => typeof b.message === 'string' && b.message.startsWith('bbbb'));
      assert.ok(long, 'the breadcrumb was sent');
      assert.ok(!String(long.message).endsWith('...'), 'redacted before the scope cut it');
    },
  },
  {
    name: 'a registered secret on a long source line Sentry snips',
    thrown: () => {
      try {
        return failBesideALongLine();
      } catch (error) {
        return error;
      }
    },
    secrets: () => [SOURCE_SECRET],
  },
  {
    name: 'a registered secret where Lantern cuts what the user typed',
    input: () => `${'i'.repeat(INPUT_CUT - 10)}${cutSecret}`,
    thrown: () => new Error('failed on long input'),
    secrets: () => [cutSecret],
  },
  {
    name: 'a registered secret where the log cuts a line',
    // The line is cut 10 characters into the secret.
    thrown: (source) =>
      new Error(`${'l'.repeat(LINE_LIMIT - `Error in ${source} (reference ${'0'.repeat(32)}): Error: `.length - 10)}${cutSecret}`),
    secrets: () => [cutSecret],
  },
  {
    name: 'a registered secret where the traceback is cut',
    thrown: () => new Error(`${'t'.repeat(TRACEBACK_CUT - 'Error: '.length - 10)}${cutSecret}`),
    secrets: () => [cutSecret],
  },
];

// ---- each handler kind, run once per case ----

type Kind = 'slash command' | 'button' | 'modal' | 'autocomplete' | 'task' | 'listener';
const SOURCES: Record<Kind, string> = {
  'slash command': '/leak',
  button: 'button leak-button',
  modal: 'modal leak-form',
  autocomplete: 'autocomplete /leak text',
  task: 'task leak',
  listener: 'listener messageCreate',
};
/** The kinds whose user is answered about the error (autocomplete answers an empty list; tasks and listeners have no user). */
const ANSWERED = new Set<Kind>(['slash command', 'button', 'modal']);

async function act(kind: Kind, input: string): Promise<InteractionHandle | undefined> {
  if (kind === 'slash command') return as.slash('leak', { text: input });
  if (kind === 'button') return as.click(panel, 'leak-button');
  if (kind === 'modal') {
    const opened = as.slash('form');
    await opened.response('showModal');
    return as.submitModal(opened, { text: input });
  }
  if (kind === 'autocomplete') return as.autocomplete('leak', { text: input }, 'text');
  if (kind === 'task') await clock.advance(MINUTE);
  else as.say('leak');
  return undefined;
}

/** Every 10 characters in a row of a secret (its whole, for a short one). */
function partsOf(secret: string): string[] {
  if (secret.length <= 10) return [secret];
  return Array.from({ length: secret.length - 9 }, (_, i) => secret.slice(i, i + 10));
}

function assertClean(sink: string, text: string, secrets: readonly string[]): void {
  for (const secret of secrets)
    for (const part of partsOf(secret)) {
      const at = text.indexOf(part);
      assert.ok(at === -1, `${sink} got "${part}" of a secret: …${text.slice(Math.max(0, at - 120), at + 60)}…`);
    }
}

const counts = { user: 0, log: 0, sentry: 0 };

for (const leak of CASES) {
  for (const kind of Object.keys(SOURCES) as Kind[]) {
    test(`${leak.name}: nothing of it reaches the user, the log or Sentry from a ${kind}`, async () => {
      current = { leak, source: SOURCES[kind] };
      const before = { logged: logged.length, envelopes: receiver.envelopes.length, errors: errors.length };
      const handle = await act(kind, leak.input?.() ?? 'x');
      let error: ErrorEvent | undefined;
      await waitUntil(() => (error = errors.slice(before.errors).find((e) => e.source === SOURCES[kind])) !== undefined, 5000);
      await handle?.response();
      await bot.idle();
      assert.ok(error?.reference, 'the failure was captured');
      const event = await receiver.waitForEvent(error.reference);
      const secrets = leak.secrets();

      const log = logged
        .slice(before.logged)
        .map((line) => line.message)
        .join('\n');
      assert.ok(log.includes(`Error in ${SOURCES[kind]}`), 'the failure was logged');
      assertClean('the log', log, secrets);
      counts.log++;

      const envelopes = receiver.envelopes.slice(before.envelopes).map((envelope) => envelope.raw);
      assert.ok(
        envelopes.some((raw) => raw.includes(error?.reference ?? '?')),
        'the event is among the envelopes checked',
      );
      assertClean('Sentry', envelopes.join('\n'), secrets);
      counts.sentry++;
      const exception = thrown(event);
      assert.ok(exception, 'the event has the exception');
      leak.event?.(exception, event.breadcrumbs ?? []);

      if (ANSWERED.has(kind)) {
        const answer = handle?.responses.at(-1)?.message;
        assert.match(answer?.embeds[0]?.title ?? '', /^Error: /, 'the user was shown the traceback');
        assertClean('the user', JSON.stringify(handle?.responses.map((r) => r.message)), secrets);
        counts.user++;
      }
      current = undefined;
    });
  }
}

test('the leak tests ran over every sink', () => {
  console.log(
    `leak checks: user ${String(counts.user)}, log ${String(counts.log)}, Sentry ${String(counts.sentry)} (${String(CASES.length)} cases)`,
  );
  assert.equal(counts.log, CASES.length * 6);
  assert.equal(counts.sentry, CASES.length * 6);
  assert.equal(counts.user, CASES.length * 3);
});
