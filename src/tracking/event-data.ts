import { ApplicationCommandOptionType, ComponentType, IntentsBitField, ShardClientUtil } from 'discord.js';
import type { CommandInteractionOption, Interaction, ModalSubmitInteraction } from 'discord.js';
import type { Bot } from '../interactions/bot.js';
import type { ErrorEvent } from '../events/types.js';
import { AutocompleteContext } from '../interactions/context.js';
import type { InteractionContext } from '../interactions/context.js';
import { commandLabel } from '../util/command-label.js';
import { cutText } from '../util/text.js';
import { boundContext, tagKey, tagValue } from './relay-limits.js';

/** What the user typed can be long; the context keeps the start of it (redacted before it is cut: a cut secret could not be found). */
const INPUT_VALUE_LIMIT = 1024;

type Redact = (text: string) => string;

/** What an event says about where it happened, beyond the error itself. */
export interface EventData {
  readonly tags: Record<string, string>;
  readonly user: { id: string; username: string } | undefined;
  readonly contexts: Record<string, Record<string, unknown>>;
}

/**
 * Tags, user and contexts for one `Error` event: `source`, `command`, `interaction_type`, `guild_id`, `channel_id`,
 * `shard_id`, `shard_count` (when the bot has more than one shard), `locale`, `extension`, `bot_name`, `task` and
 * `iteration` as tags (searchable), then the event's own `tags` (a sharding manager's, a shard's forwarded ones), the
 * interaction (its options, custom id, fields) and the bot as contexts. `ctx` is the interaction it happened in, if any.
 */
export function describeEvent(bot: Bot, event: ErrorEvent, ctx: InteractionContext | undefined): EventData {
  const redact = (text: string) => bot.redactor.redact(text);
  const shardId = shardOf(bot, event, ctx);
  const command = ctx && commandOf(ctx);
  const count = shardCount(bot);
  const computed = definedStrings(redact, {
    source: event.source,
    command,
    interaction_type: ctx?.kind,
    guild_id: ctx?.guildId ?? undefined,
    channel_id: ctx?.channelId ?? undefined,
    shard_id: shardId,
    shard_count: count > 1 ? count : undefined,
    locale: ctx?.locale,
    extension: event.extension,
    bot_name: bot.discord.user?.username,
    task: event.task?.name,
    iteration: event.task?.iteration,
  });
  const tags = event.tags ? { ...computed, ...definedStrings(redact, event.tags) } : computed;
  const contexts: Record<string, Record<string, unknown>> = { bot: boundContext(botContext(bot)) };
  if (ctx) contexts.interaction = boundContext(interactionContext(ctx, command, redact));
  if (event.task) contexts.task = boundContext({ name: event.task.name, iteration: event.task.iteration });
  return { tags, user: ctx && { id: ctx.user.id, username: ctx.user.username }, contexts };
}

/** The bot as the `bot` context: who it is, what it asked Discord for, how it is sharded. */
function botContext(bot: Bot): Record<string, unknown> {
  const { discord } = bot;
  return {
    name: discord.user?.username,
    id: discord.user?.id,
    intents: new IntentsBitField(discord.options.intents).toArray(),
    shard_count: shardCount(bot),
    shards: [...discord.ws.shards.keys()],
    guilds: discord.guilds.cache.size,
    extensions: bot.extensions,
  };
}

/**
 * The interaction as the `interaction` context: whatever of its kind tells what the user did. Its kind is
 * `interaction_type`: a `type` field would be read by Sentry as the type of the context itself.
 */
function interactionContext(ctx: InteractionContext, command: string | undefined, redact: Redact): Record<string, unknown> {
  const { interaction } = ctx;
  const context: Record<string, unknown> = {
    id: interaction.id,
    interaction_type: ctx.kind,
    source: ctx.source,
    command,
    guild_id: ctx.guildId,
    channel_id: ctx.channelId,
    locale: ctx.locale,
    guild_locale: interaction.guildLocale,
  };
  if (interaction.isChatInputCommand() || interaction.isAutocomplete())
    context.options = readOptions(interaction.options.data, redact).values;
  if (ctx instanceof AutocompleteContext) context.focused = ctx.option;
  if (interaction.isContextMenuCommand()) context.target_id = interaction.targetId;
  if (interaction.isMessageComponent()) {
    context.custom_id = interaction.customId;
    context.component_type = ComponentType[interaction.componentType];
    context.message_id = interaction.message.id;
    if (interaction.isAnySelectMenu()) context.values = interaction.values;
  }
  if (interaction.isModalSubmit()) {
    context.custom_id = interaction.customId;
    context.fields = modalFields(interaction, redact);
  }
  if (interaction.isRepliable()) context.acknowledged = interaction.replied || interaction.deferred;
  return context;
}

/** The command's full path as Lantern names it (`/admin ban`, `user command Report`), for commands and autocomplete. */
function commandOf(ctx: InteractionContext): string | undefined {
  if ('command' in ctx && typeof ctx.command === 'string') return ctx.command;
  const interaction: Interaction = ctx.interaction;
  if (interaction.isChatInputCommand() || interaction.isAutocomplete())
    return commandLabel({ name: interaction.commandName }, optionPath(interaction.options.data));
  if (interaction.isUserContextMenuCommand()) return commandLabel({ type: 'user', name: interaction.commandName });
  if (interaction.isMessageContextMenuCommand()) return commandLabel({ type: 'message', name: interaction.commandName });
  return undefined;
}

/** The subcommand group and subcommand names, and the options under them by name (ids for users, channels, roles). */
function readOptions(data: readonly CommandInteractionOption[], redact: Redact): { path: string[]; values: Record<string, unknown> } {
  const path: string[] = [];
  let options = data;
  for (;;) {
    const only = options.length === 1 ? options[0] : undefined;
    if (only?.type !== ApplicationCommandOptionType.Subcommand && only?.type !== ApplicationCommandOptionType.SubcommandGroup) break;
    path.push(only.name);
    options = only.options ?? [];
  }
  return { path, values: Object.fromEntries(options.map((option) => [option.name, clip(option.value ?? null, redact)])) };
}

function optionPath(data: readonly CommandInteractionOption[]): string[] {
  return readOptions(data, (text) => text).path;
}

function modalFields(interaction: ModalSubmitInteraction, redact: Redact): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (const field of interaction.fields.fields.values()) {
    const { customId, value, values } = field as { customId: string; value?: unknown; values?: unknown };
    fields[customId] = clip(value ?? values ?? null, redact);
  }
  return fields;
}

function shardCount(bot: Bot): number {
  return bot.discord.options.shardCount ?? 1;
}

/**
 * The shard the event happened on: the interaction's guild's (DMs are shard 0); a shard's own error (`shard 1`, or
 * `shard 1: /ping` as a sharding manager names what a shard reported); the only shard this process holds (a
 * ShardingManager's child holds one, from its SHARDS environment); or the only one there is.
 */
export function shardOf(bot: Bot, event: ErrorEvent, ctx: InteractionContext | undefined): number | undefined {
  const count = shardCount(bot);
  if (ctx) return ctx.guildId ? ShardClientUtil.shardIdForGuildId(ctx.guildId, count) : 0;
  const shardError = /^shard (\d+)(?::|$)/.exec(event.source);
  if (shardError) return Number(shardError[1]);
  const held = bot.discord.options.shards;
  if (typeof held === 'number') return held;
  if (held !== undefined && held !== 'auto' && held.length === 1) return held[0];
  return count === 1 ? 0 : undefined;
}

function definedStrings(redact: Redact, values: Record<string, string | number | undefined>): Record<string, string> {
  const strings: Record<string, string> = {};
  for (const [key, value] of Object.entries(values)) if (value !== undefined) strings[tagKey(key)] = tagValue(redact(String(value)));
  return strings;
}

function clip(value: unknown, redact: Redact): unknown {
  return typeof value === 'string' ? cutText(redact(value), INPUT_VALUE_LIMIT, '…') : value;
}
