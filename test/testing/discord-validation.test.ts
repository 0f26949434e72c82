import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { MessageFlags, Routes } from 'discord.js';
import type { Client } from 'discord.js';
import { ALL_PERMISSIONS, FakeDiscord } from '../../src/testing/index.js';
import type { FakeChannel, FakeGuild } from '../../src/testing/index.js';
import { connectClient } from '../support/client.js';
import { refusal } from './support.js';

const T = { timeout: 10_000 };
const row = (...components: object[]) => ({ type: 1, components });
const button = (customId: string, extra: object = {}) => ({ type: 2, style: 1, label: 'Go', custom_id: customId, ...extra });
const select = (customId: string, extra: object = {}) => ({
  type: 3,
  custom_id: customId,
  options: [
    { label: 'A', value: 'a' },
    { label: 'B', value: 'b' },
  ],
  ...extra,
});

describe('the fake Discord refuses the bodies Discord refuses, with its 50035 and the field path', () => {
  let discord: FakeDiscord;
  let client: Client<true>;
  let guild: FakeGuild;
  let general: FakeChannel;

  before(async () => {
    discord = await FakeDiscord.start();
    guild = discord.addGuild({ name: 'G', botPermissions: ALL_PERMISSIONS });
    general = guild.channel('general');
    client = await connectClient(discord);
  });

  after(async () => {
    await client.destroy();
    await discord.stop();
    assert.deepEqual(discord.internalErrors, []);
  });

  const send = (body: object) => refusal(client.rest.post(Routes.channelMessages(general.id), { body }));
  const setCommands = (body: object[]) => refusal(client.rest.put(Routes.applicationCommands(client.user.id), { body }));
  const option = (extra: object) => ({ name: 'o', description: 'An option', type: 3, ...extra });

  const messageCases: [string, object, string[]][] = [
    ['an embed colour given as a string', { embeds: [{ title: 'x', color: 'red' }] }, ['embeds.0.color NUMBER_TYPE_COERCE']],
    ['an embed colour past 0xFFFFFF', { embeds: [{ title: 'x', color: 0x1000000 }] }, ['embeds.0.color NUMBER_TYPE_MAX']],
    ['an embed timestamp that is not ISO 8601', { embeds: [{ timestamp: 'yesterday' }] }, ['embeds.0.timestamp DATE_TIME_TYPE_PARSE']],
    ['an embed url that is not a URL', { embeds: [{ url: 'not a url' }] }, ['embeds.0.url URL_TYPE_INVALID_URL']],
    ['a field without a value', { embeds: [{ fields: [{ name: 'n' }] }] }, ['embeds.0.fields.0.value BASE_TYPE_REQUIRED']],
    ['a button outside an action row', { components: [button('go')] }, ['components.0.type UNION_TYPE_CHOICES']],
    [
      'a Components V2 layout without the flag',
      { components: [{ type: 10, content: 'hi' }] },
      ['components.0.type COMPONENT_REQUIRES_COMPONENTS_V2'],
    ],
    [
      'a custom id of 101 characters',
      { components: [row(button('x'.repeat(101)))] },
      ['components.0.components.0.custom_id BASE_TYPE_BAD_LENGTH'],
    ],
    [
      'six buttons in a row',
      { components: [row(...['a', 'b', 'c', 'd', 'e', 'f'].map((id) => button(id)))] },
      ['components.0.components BASE_TYPE_BAD_LENGTH'],
    ],
    [
      'a select menu sharing its row with a button',
      { components: [row(select('s'), button('b'))] },
      ['components.0.components COMPONENT_LAYOUT_WIDTH_EXCEEDED'],
    ],
    [
      'one custom id on two buttons',
      { components: [row(button('same')), row(button('same'))] },
      ['components.1.components.0.custom_id COMPONENT_CUSTOM_ID_DUPLICATED'],
    ],
    [
      'a button without a custom id',
      { components: [row({ type: 2, style: 1, label: 'Go' })] },
      ['components.0.components.0.custom_id BUTTON_COMPONENT_CUSTOM_ID_REQUIRED'],
    ],
    [
      'a link button with a custom id',
      { components: [row(button('x', { style: 5, url: 'https://example.com' }))] },
      ['components.0.components.0.custom_id BUTTON_COMPONENT_INVALID_FIELD'],
    ],
    [
      'a select needing more picks than it has options',
      { components: [row(select('s', { min_values: 3, max_values: 3 }))] },
      ['components.0.components.0.min_values SELECT_COMPONENT_MIN_VALUES_TOO_LARGE'],
    ],
    [
      'a select with min_values above max_values',
      { components: [row(select('s', { min_values: 2, max_values: 1 }))] },
      ['components.0.components.0.min_values BASE_TYPE_BAD_VALUE'],
    ],
    [
      'content with the Components V2 flag',
      { content: 'hi', flags: MessageFlags.IsComponentsV2, components: [{ type: 10, content: 'x' }] },
      ['content MESSAGE_CANNOT_USE_LEGACY_FIELDS_WITH_COMPONENTS_V2'],
    ],
    [
      'an unknown allowed_mentions parse value',
      { content: 'hi', allowed_mentions: { parse: ['nobody'] } },
      ['allowed_mentions.parse.0 BASE_TYPE_CHOICES'],
    ],
    ['a nonce of 26 characters', { content: 'hi', nonce: 'n'.repeat(26) }, ['nonce BASE_TYPE_MAX_LENGTH']],
    ['four sticker ids', { sticker_ids: ['1', '2', '3', '4'] }, ['sticker_ids BASE_TYPE_MAX_LENGTH']],
    [
      'a reply to a message id that is not a snowflake',
      { content: 'hi', message_reference: { message_id: 'abc' } },
      ['message_reference.message_id NUMBER_TYPE_COERCE'],
    ],
  ];
  for (const [what, body, fields] of messageCases) {
    test(`a message with ${what} is refused at ${fields.join(', ')}`, T, async () => {
      const stored = general.messages.length;
      assert.deepEqual(await send(body), { code: 50035, fields });
      assert.equal(general.messages.length, stored, 'a refused message is not stored');
    });
  }

  test('a message Discord takes is still taken: embeds, rows, selects, V2 layouts with their flag', T, async () => {
    await client.rest.post(Routes.channelMessages(general.id), {
      body: {
        content: 'ok',
        embeds: [
          {
            title: 't',
            color: 0xff0000,
            timestamp: new Date().toISOString(),
            url: 'https://example.com',
            fields: [{ name: 'n', value: 'v' }],
          },
        ],
        components: [row(button('a'), button('b', { style: 5, url: 'https://example.com', custom_id: undefined })), row(select('s'))],
        allowed_mentions: { parse: ['users'] },
      },
    });
    await client.rest.post(Routes.channelMessages(general.id), {
      body: { flags: MessageFlags.IsComponentsV2, components: [{ type: 17, components: [{ type: 10, content: 'inside' }] }] },
    });
  });

  test('a query Discord refuses is refused: a list of 500 messages', T, async () => {
    const answer = await refusal(client.rest.get(Routes.channelMessages(general.id), { query: new URLSearchParams({ limit: '500' }) }));
    assert.deepEqual(answer, { code: 50035, fields: ['limit NUMBER_TYPE_MAX'] });
  });

  const commandCases: [string, object, string[]][] = [
    ['max_length 10000 (Discord allows 6000)', option({ max_length: 10_000 }), ['0.options.0.max_length NUMBER_TYPE_MAX']],
    ['min_value "one"', { ...option({ type: 4 }), min_value: 'one' }, ['0.options.0.min_value NUMBER_TYPE_COERCE']],
    [
      'a string choice on an integer option',
      option({ type: 4, choices: [{ name: 'a', value: 'a' }] }),
      ['0.options.0.choices.0.value NUMBER_TYPE_COERCE'],
    ],
    [
      'min_length above max_length',
      option({ min_length: 10, max_length: 5 }),
      ['0.options.0.min_length APPLICATION_COMMAND_OPTION_INVALID_RANGE'],
    ],
    [
      'min_value above max_value',
      option({ type: 10, min_value: 2, max_value: 1 }),
      ['0.options.0.min_value APPLICATION_COMMAND_OPTION_INVALID_RANGE'],
    ],
    [
      'choices on a boolean option',
      option({ type: 5, choices: [{ name: 'yes', value: 'y' }] }),
      ['0.options.0.choices APPLICATION_COMMAND_OPTION_CHOICES_INVALID'],
    ],
    ['an option type that does not exist', option({ type: 12 }), ['0.options.0.type UNION_TYPE_CHOICES']],
    ['a description of 101 characters', option({ description: 'd'.repeat(101) }), ['0.options.0.description BASE_TYPE_BAD_LENGTH']],
  ];
  for (const [what, body, fields] of commandCases) {
    test(`a command option with ${what} is refused at ${fields.join(', ')}`, T, async () => {
      assert.deepEqual(await setCommands([{ name: 'c', description: 'A command', options: [body] }]), { code: 50035, fields });
    });
  }

  test('a command description that is not a string is refused', T, async () => {
    assert.deepEqual(await setCommands([{ name: 'c', description: 5 }]), { code: 50035, fields: ['0.description BASE_TYPE_STRING'] });
  });

  test('a command over 8000 characters in all is refused, and one just under is taken', T, async () => {
    const choices = (n: number) => Array.from({ length: 25 }, (_, i) => ({ name: `${i}`.padEnd(100, 'n'), value: `${i}`.padEnd(n, 'v') }));
    const options = (n: number) => Array.from({ length: 2 }, (_, i) => option({ name: `o${i}`, description: 'd', choices: choices(n) }));
    // Each option counts 2 + 1 + 25 * (100 + n) characters, the command 1 + 9: 8016 with n = 60, 7516 with n = 50.
    assert.deepEqual(await setCommands([{ name: 'c', description: 'A command', options: options(60) }]), {
      code: 50035,
      fields: ['0 APPLICATION_COMMAND_TOO_LARGE'],
    });
    await client.rest.put(Routes.applicationCommands(client.user.id), {
      body: [{ name: 'c', description: 'A command', options: options(50) }],
    });
    assert.equal(discord.commands.list().length, 1);
  });

  test('a webhook may not take a name with "discord" or "clyde" in it', T, async () => {
    const hook = discord.addWebhook(general);
    const answer = await refusal(
      client.rest.post(Routes.webhook(hook.id, hook.token), { body: { content: 'hi', username: 'Not Discord' }, auth: false }),
    );
    assert.deepEqual(answer, { code: 50035, fields: ['username USERNAME_INVALID_CONTAINS'] });
    assert.equal(hook.executions.length, 0);
  });
});
