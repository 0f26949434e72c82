import { after } from 'node:test';
import { Client } from '../../src/index.js';
import type { ClientOptions, ErrorEvent, Logger } from '../../src/index.js';
import { Events } from '../../src/index.js';
import { FakeDiscord } from '../../src/testing/index.js';

export interface TestBot {
  bot: Client;
  /** Every line the bot logged, with its level. */
  logged: { level: keyof Logger; message: string }[];
  /** Every `Error` event, in order. */
  errors: ErrorEvent[];
}

/**
 * The bots logged in to each fake, stopped before it: a fake that stops first drops their gateway, discord.js starts
 * a reconnect (a 500 ms sleep) that a destroy during the sleep does not cancel, and the process never exits.
 */
const botsOf = new WeakMap<FakeDiscord, Set<Client>>();

/** A logger that keeps the lines for assertions. */
export function recordingLogger(): { logger: Logger; logged: TestBot['logged'] } {
  const logged: TestBot['logged'] = [];
  return {
    logged,
    logger: {
      info: (message) => logged.push({ level: 'info', message }),
      warn: (message) => logged.push({ level: 'warn', message }),
      error: (message) => logged.push({ level: 'error', message }),
    },
  };
}

/**
 * A Lantern client wired to `discord` (its REST and token), logging into memory and recording `Error` events.
 * `setup` runs before start (add commands, listeners, extensions there). Stopped after the file.
 */
export async function startBot(
  discord: FakeDiscord,
  options: ClientOptions = {},
  setup: (bot: Client) => unknown = () => undefined,
): Promise<TestBot> {
  const { logger, logged } = recordingLogger();
  const bot = new Client({
    token: discord.token,
    logger,
    handleProcessErrors: false,
    ...options,
    discord: { ...options.discord, rest: { ...discord.rest, ...options.discord?.rest } },
  });
  const errors: ErrorEvent[] = [];
  botsOf.get(discord)?.add(bot);
  bot.listen('Error', (event) => {
    errors.push(event);
  });
  after(() => bot.stop());
  await setup(bot);
  await bot.start();
  return { bot, logged, errors };
}

/** A fake Discord stopped after the file. */
export async function startFake(options: Parameters<typeof FakeDiscord.start>[0] = {}): Promise<FakeDiscord> {
  const discord = await FakeDiscord.start(options);
  botsOf.set(discord, new Set());
  after(async () => {
    for (const bot of botsOf.get(discord) ?? []) await bot.stop();
    await discord.stop();
  });
  return discord;
}

/** Every event an interaction's outcome can produce: each kind's Completion and Error events, and `Error`. */
export const OUTCOME_EVENTS = [
  Events.CommandCompletion,
  Events.CommandError,
  Events.ComponentCompletion,
  Events.ComponentError,
  Events.ModalCompletion,
  Events.ModalError,
  Events.AutocompleteCompletion,
  Events.AutocompleteError,
  Events.Error,
] as const;

export interface RecordedOutcome {
  readonly name: (typeof OUTCOME_EVENTS)[number];
  readonly source: string;
  readonly event: {
    readonly source: string;
    readonly error?: Error;
    readonly expected?: boolean;
    readonly extension?: string;
    readonly command?: string;
    readonly durationMs?: number;
    readonly ctx?: unknown;
    readonly handled?: boolean;
  };
}

/** Records every outcome event of `bot` in the order they ran. */
export function recordOutcomes(bot: Client): RecordedOutcome[] {
  const recorded: RecordedOutcome[] = [];
  for (const name of OUTCOME_EVENTS) {
    bot.listen(name, (event: RecordedOutcome['event']) => {
      recorded.push({ name, source: event.source, event });
    });
  }
  return recorded;
}
