import { ApplicationCommandType, ComponentType, InteractionType, MessageType } from 'discord-api-types/v10';
import type {
  APIApplicationCommand,
  APIInteractionDataResolved,
  APIMessage,
  APIModalInteractionResponseCallbackData,
} from 'discord-api-types/v10';
import type { CommandStore } from '../commands.js';
import { FakeDiscordError } from '../errors.js';
import { FakeChannel, snowflake, userToAPI } from '../state.js';
import type { FakeRole, FakeState, FakeUser } from '../state.js';
import type { InteractionHandle } from './handle.js';
import { buildCommandOptions, commandPath } from './options.js';
import { Resolver } from './resolver.js';
import type { OptionValues } from './options.js';

/** What an actor needs from the fake: its state, its commands, and a way to deliver an interaction. */
export interface ActorHost {
  readonly state: FakeState;
  readonly commands: CommandStore;
  interact(input: {
    user: FakeUser;
    channel: FakeChannel;
    type: InteractionType;
    data: Record<string, unknown>;
    sourceMessage: APIMessage | null;
  }): InteractionHandle;
}

export interface CommandInvokeOptions {
  /** Invoke it even though Discord has no such command registered (option types are inferred from the values). */
  readonly allowUnregistered?: boolean;
}

export type SelectValue = string | FakeUser | FakeRole | FakeChannel;

interface FoundComponent {
  readonly type: ComponentType;
  readonly custom_id?: string;
  readonly disabled?: boolean;
  readonly options?: readonly { value: string }[];
  readonly min_values?: number;
  readonly max_values?: number;
}

/**
 * A fake user acting in one channel (a DM until `in(channel)`): running commands, clicking, choosing,
 * submitting modals. Each call dispatches INTERACTION_CREATE and returns the interaction's handle.
 */
export class UserActor {
  constructor(
    private readonly host: ActorHost,
    readonly user: FakeUser,
    readonly channel: FakeChannel,
  ) {}

  /** The same user in another channel; a guild channel requires guild membership. */
  in(channel: FakeChannel): UserActor {
    channel.guild?.member(this.user);
    return new UserActor(this.host, this.user, channel);
  }

  /**
   * Runs a slash command: `slash('settings volume set', { level: 3 })` names the command, its group and its
   * subcommand, then the option values (users, channels, roles and `{ name, data }` files are resolved).
   */
  slash(command: string, options: OptionValues = {}, { allowUnregistered = false }: CommandInvokeOptions = {}): InteractionHandle {
    const path = commandPath(command);
    const registered = this.findCommand(path[0] ?? '', ApplicationCommandType.ChatInput, allowUnregistered);
    const resolver = this.resolver();
    const built = buildCommandOptions(resolver, registered, path, options);
    return this.command(
      ApplicationCommandType.ChatInput,
      path[0] ?? '',
      registered,
      { options: built, ...withResolved(resolver) },
      InteractionType.ApplicationCommand,
    );
  }

  /** Types into an autocomplete option: `focused` names the option being typed, its value is the text so far. */
  autocomplete(command: string, options: OptionValues, focused: string): InteractionHandle {
    const path = commandPath(command);
    const registered = this.findCommand(path[0] ?? '', ApplicationCommandType.ChatInput, false);
    const built = buildCommandOptions(this.resolver(), registered, path, options, focused);
    return this.command(
      ApplicationCommandType.ChatInput,
      path[0] ?? '',
      registered,
      { options: built },
      InteractionType.ApplicationCommandAutocomplete,
    );
  }

  /** Runs a user context-menu command on `target`. */
  userCommand(name: string, target: FakeUser, { allowUnregistered = false }: CommandInvokeOptions = {}): InteractionHandle {
    const registered = this.findCommand(name, ApplicationCommandType.User, allowUnregistered);
    const resolver = this.resolver();
    resolver.user(target);
    return this.command(
      ApplicationCommandType.User,
      name,
      registered,
      { target_id: target.id, ...withResolved(resolver) },
      InteractionType.ApplicationCommand,
    );
  }

  /** Runs a message context-menu command on `target`. */
  messageCommand(name: string, copy: APIMessage, { allowUnregistered = false }: CommandInvokeOptions = {}): InteractionHandle {
    const target = this.live(copy);
    const registered = this.findCommand(name, ApplicationCommandType.Message, allowUnregistered);
    return this.command(
      ApplicationCommandType.Message,
      name,
      registered,
      { target_id: target.id, resolved: { messages: { [target.id]: target } } },
      InteractionType.ApplicationCommand,
    );
  }

  /** Clicks the button `customId` on `message`. */
  click(copy: APIMessage, customId: string): InteractionHandle {
    const message = this.live(copy);
    const component = findComponent(message, customId);
    if (component.type !== ComponentType.Button)
      throw new FakeDiscordError(
        'LANTERN_ERR_FAKE_UNKNOWN_COMPONENT',
        `Component "${customId}" is a ${ComponentType[component.type]}, not a button`,
      );
    return this.host.interact({
      user: this.user,
      channel: this.channelOf(message),
      type: InteractionType.MessageComponent,
      data: { custom_id: customId, component_type: ComponentType.Button },
      sourceMessage: message,
    });
  }

  /** Picks `values` in the select menu `customId` on `message`: option values for a string select, else users, roles or channels. */
  select(copy: APIMessage, customId: string, values: readonly SelectValue[]): InteractionHandle {
    const message = this.live(copy);
    const component = findComponent(message, customId);
    const { type } = component;
    if (type === ComponentType.Button || type === ComponentType.TextInput)
      throw new FakeDiscordError('LANTERN_ERR_FAKE_UNKNOWN_COMPONENT', `Component "${customId}" is not a select menu`);
    const min = component.min_values ?? 1;
    const max = component.max_values ?? 1;
    if (values.length < min || values.length > max)
      throw new FakeDiscordError('LANTERN_ERR_FAKE_BAD_OPTION', `Select "${customId}" takes ${min} to ${max} values, got ${values.length}`);
    const resolver = this.resolver();
    const ids = values.map((value) => {
      if (typeof value === 'string') {
        if (type !== ComponentType.StringSelect)
          throw new FakeDiscordError(
            'LANTERN_ERR_FAKE_BAD_OPTION',
            `Select "${customId}" is a ${ComponentType[type]}: pass users, roles or channels, not strings`,
          );
        if (!component.options?.some((o) => o.value === value))
          throw new FakeDiscordError('LANTERN_ERR_FAKE_BAD_OPTION', `Select "${customId}" has no option "${value}"`);
        return value;
      }
      if (value instanceof FakeChannel) {
        if (type !== ComponentType.ChannelSelect)
          throw new FakeDiscordError('LANTERN_ERR_FAKE_BAD_OPTION', `Select "${customId}" does not take channels`);
        return resolver.channelOption(value);
      }
      if ('username' in value) {
        if (type !== ComponentType.UserSelect && type !== ComponentType.MentionableSelect)
          throw new FakeDiscordError('LANTERN_ERR_FAKE_BAD_OPTION', `Select "${customId}" does not take users`);
        return resolver.user(value);
      }
      if (type !== ComponentType.RoleSelect && type !== ComponentType.MentionableSelect)
        throw new FakeDiscordError('LANTERN_ERR_FAKE_BAD_OPTION', `Select "${customId}" does not take roles`);
      return resolver.role(value);
    });
    return this.host.interact({
      user: this.user,
      channel: this.channelOf(message),
      type: InteractionType.MessageComponent,
      data: { custom_id: customId, component_type: type, values: ids, ...withResolved(resolver) },
      sourceMessage: message,
    });
  }

  /** Submits the modal that `shownBy` opened, with a value per text input (or a list per select) keyed by custom_id. */
  submitModal(shownBy: InteractionHandle, values: Readonly<Record<string, string | readonly string[]>>): InteractionHandle {
    const modal = shownBy.modal;
    if (!modal)
      throw new FakeDiscordError(
        'LANTERN_ERR_FAKE_NO_MODAL',
        `Interaction ${shownBy.id} showed no modal (responses: ${shownBy.responses.map((r) => r.kind).join(', ') || 'none'})`,
      );
    const components = modalSubmission(modal, values);
    return this.host.interact({
      user: this.user,
      channel: shownBy.channel,
      type: InteractionType.ModalSubmit,
      data: { custom_id: modal.custom_id, components },
      sourceMessage: shownBy.sourceMessage,
    });
  }

  /** Any interaction, with `data` exactly as given: for payloads no real client would send. */
  interact(
    type: InteractionType,
    data: Record<string, unknown>,
    { message = null }: { message?: APIMessage | null } = {},
  ): InteractionHandle {
    return this.host.interact({ user: this.user, channel: this.channel, type, data, sourceMessage: message && this.live(message) });
  }

  /** Posts a plain message as this user in the channel (MESSAGE_CREATE reaches the bot if its intents allow). */
  say(content: string): APIMessage {
    return this.host.state.createMessage(this.channel, { author: userToAPI(this.user), content, type: MessageType.Default });
  }

  private findCommand(name: string, type: ApplicationCommandType, allowUnregistered: boolean): APIApplicationCommand | null {
    const found = this.host.commands.find(name, type, this.channel.guildId);
    if (found || allowUnregistered) return found ?? null;
    const known = [...this.host.commands.list(), ...(this.channel.guildId ? this.host.commands.list(this.channel.guildId) : [])]
      .filter((c) => c.type === type)
      .map((c) => c.name);
    throw new FakeDiscordError(
      'LANTERN_ERR_FAKE_UNKNOWN_COMMAND',
      `No ${ApplicationCommandType[type]} command "${name}" is registered here (registered: ` +
        `${known.join(', ') || 'none'}); pass { allowUnregistered: true } to send it anyway`,
    );
  }

  private command(
    type: ApplicationCommandType,
    name: string,
    registered: APIApplicationCommand | null,
    extra: Record<string, unknown>,
    interactionType: InteractionType,
  ): InteractionHandle {
    const data = {
      id: registered?.id ?? snowflake(),
      name,
      type,
      ...(registered?.guild_id ? { guild_id: registered.guild_id } : {}),
      ...extra,
    };
    return this.host.interact({ user: this.user, channel: this.channel, type: interactionType, data, sourceMessage: null });
  }

  private resolver(): Resolver {
    return new Resolver(this.host.state, this.user, this.channel);
  }

  /** Responses hold copies of messages; components act on the message as it is now. */
  private live(message: APIMessage): APIMessage {
    return this.host.state.message(message.id) ?? message;
  }

  private channelOf(message: APIMessage): FakeChannel {
    return this.host.state.channels.get(message.channel_id) ?? this.channel;
  }
}

function withResolved(resolver: Resolver): { resolved?: APIInteractionDataResolved } {
  const resolved = resolver.resolved;
  return resolved ? { resolved } : {};
}

/** Walks action rows and the nested layouts of Components V2 to find a component by custom_id. */
function findComponent(message: APIMessage, customId: string): FoundComponent {
  const stack: unknown[] = [...(message.components ?? [])];
  const seen: string[] = [];
  while (stack.length > 0) {
    const node = stack.pop() as Record<string, unknown> | undefined;
    if (!node || typeof node !== 'object') continue;
    if (typeof node.custom_id === 'string') {
      seen.push(node.custom_id);
      if (node.custom_id === customId) {
        const found = node as unknown as FoundComponent;
        if (found.disabled)
          throw new FakeDiscordError('LANTERN_ERR_FAKE_UNKNOWN_COMPONENT', `Component "${customId}" is disabled; a user cannot use it`);
        return found;
      }
    }
    for (const key of ['components', 'accessory', 'component']) {
      const child = node[key];
      if (Array.isArray(child)) stack.push(...(child as unknown[]));
      else if (child) stack.push(child);
    }
  }
  throw new FakeDiscordError(
    'LANTERN_ERR_FAKE_UNKNOWN_COMPONENT',
    `Message ${message.id} has no component "${customId}" (it has: ${seen.join(', ') || 'none'})`,
  );
}

interface ModalField {
  readonly type: number;
  readonly custom_id: string;
  readonly required?: boolean;
  readonly min_length?: number;
  readonly max_length?: number;
}

/** The `components` of a modal submit, mirroring the modal's layout (action rows or labels). */
function modalSubmission(
  modal: APIModalInteractionResponseCallbackData,
  values: Readonly<Record<string, string | readonly string[]>>,
): unknown[] {
  const used = new Set<string>();
  const answer = (field: ModalField): Record<string, unknown> => {
    const value = values[field.custom_id];
    used.add(field.custom_id);
    if (field.type === ComponentType.TextInput) {
      const text = typeof value === 'string' ? value : '';
      if ((field.required ?? true) && text === '')
        throw new FakeDiscordError('LANTERN_ERR_FAKE_BAD_OPTION', `Modal field "${field.custom_id}" is required`);
      if (field.min_length !== undefined && text !== '' && text.length < field.min_length)
        throw new FakeDiscordError(
          'LANTERN_ERR_FAKE_BAD_OPTION',
          `Modal field "${field.custom_id}" needs at least ${field.min_length} characters`,
        );
      if (field.max_length !== undefined && text.length > field.max_length)
        throw new FakeDiscordError(
          'LANTERN_ERR_FAKE_BAD_OPTION',
          `Modal field "${field.custom_id}" takes at most ${field.max_length} characters`,
        );
      return { type: field.type, custom_id: field.custom_id, value: text };
    }
    return { type: field.type, custom_id: field.custom_id, values: Array.isArray(value) ? value : value === undefined ? [] : [value] };
  };
  const components = (
    modal.components as unknown as { type: number; id?: number; components?: ModalField[]; component?: ModalField }[]
  ).map((top) => {
    if (top.type === ComponentType.ActionRow) return { type: top.type, components: (top.components ?? []).map(answer) };
    if (top.component) return { type: top.type, ...(top.id === undefined ? {} : { id: top.id }), component: answer(top.component) };
    return { type: top.type, ...(top.id === undefined ? {} : { id: top.id }) };
  });
  const unknown = Object.keys(values).filter((k) => !used.has(k));
  if (unknown.length > 0)
    throw new FakeDiscordError(
      'LANTERN_ERR_FAKE_BAD_OPTION',
      `Modal "${modal.custom_id}" has no field ${unknown.map((k) => `"${k}"`).join(', ')}`,
    );
  return components;
}
