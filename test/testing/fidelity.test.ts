import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { ButtonStyle, ComponentType, DiscordAPIError, Events, GatewayIntentBits, MessageFlags, PermissionFlagsBits } from 'discord.js';
import type { ChatInputCommandInteraction, Client, Message } from 'discord.js';
import { FakeDiscord, FakeDiscordError } from '../../src/testing/index.js';
import type { FakeGuild, FakeUser } from '../../src/testing/index.js';
import { connectClient } from '../support/client.js';
import { runCommand, waitUntil } from '../support/resources.js';

const T = { timeout: 5000 };

describe("what a bot receives follows its intents and Discord's shapes", () => {
  let discord: FakeDiscord;
  let guild: FakeGuild;
  let alice: FakeUser;

  before(async () => {
    discord = await FakeDiscord.start();
    alice = discord.addUser({ username: 'alice' });
    guild = discord.addGuild({ name: 'G', members: [alice] });
  });

  after(async () => {
    await discord.stop();
    assert.deepEqual(discord.internalErrors, []);
    assert.deepEqual(discord.unhandledRequests, []);
  });

  test('without Message Content, a guild message arrives empty unless it mentions the bot', T, async () => {
    const client = await connectClient(discord, { intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages] });
    try {
      const received: Message[] = [];
      client.on(Events.MessageCreate, (m) => received.push(m));
      const actor = discord.as(alice, guild.channel('general'));
      actor.say('secret plans');
      actor.say(`hey <@${discord.botUser.id}> look`);
      await waitUntil(() => received.length === 2);
      assert.equal(received[0]?.content, '');
      assert.equal(received[1]?.content, `hey <@${discord.botUser.id}> look`);
      assert.ok(received[1].mentions.has(discord.botUser.id));
      assert.equal(received[1].member?.id, alice.id, 'guild messages carry the author as a member');
    } finally {
      await client.destroy();
    }
  });

  test('with Message Content the content arrives; replies carry their reference', T, async () => {
    const client = await connectClient(discord, {
      intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages, GatewayIntentBits.MessageContent],
    });
    try {
      const received: Message[] = [];
      client.on(Events.MessageCreate, (m) => received.push(m));
      const original = discord.as(alice, guild.channel('general')).say('secret plans');
      await waitUntil(() => received.length === 1);
      assert.equal(received[0]?.content, 'secret plans');
      const reply = await received[0].reply('noted');
      assert.equal(reply.reference?.messageId, original.id);
      assert.equal(guild.channel('general').messages.at(-1)?.message_reference?.message_id, original.id);
    } finally {
      await client.destroy();
    }
  });

  test('without Guild Presences, GUILD_CREATE lists only the bot as a member', T, async () => {
    const plain = await connectClient(discord);
    const withPresences = await connectClient(discord, { intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildPresences] });
    try {
      assert.deepEqual([...(plain.guilds.cache.get(guild.id)?.members.cache.keys() ?? [])], [discord.botUser.id]);
      assert.ok(withPresences.guilds.cache.get(guild.id)?.members.cache.has(alice.id));
    } finally {
      await plain.destroy();
      await withPresences.destroy();
    }
  });

  test('destroying the client ends its session: a later interaction finds no bot', T, async () => {
    const client = await connectClient(discord);
    await client.destroy();
    await waitUntil(() => discord.gateway.shards.length === 0);
    assert.throws(
      () => discord.as(alice, guild.channel('general')).slash('x', {}, { allowUnregistered: true }),
      (e: unknown) => e instanceof FakeDiscordError && e.code === 'LANTERN_ERR_FAKE_NOT_CONNECTED',
    );
  });
});

describe("Discord's rules on messages and tokens", () => {
  let discord: FakeDiscord;
  let client: Client<true>;
  let guild: FakeGuild;
  let alice: FakeUser;
  let now = Date.now();

  before(async () => {
    discord = await FakeDiscord.start({ now: () => now, interactionLimit: 3 });
    alice = discord.addUser({ username: 'alice' });
    guild = discord.addGuild({ name: 'G', members: [alice] });
    client = await connectClient(discord);
  });

  after(async () => {
    await client.destroy();
    await discord.stop();
    assert.deepEqual(discord.internalErrors, []);
  });

  const run = (handler: (i: ChatInputCommandInteraction) => Promise<unknown>): Promise<unknown> =>
    runCommand(client, discord.as(alice, guild.channel('general')), handler);

  test('message and interaction ids carry the injected clock', T, async () => {
    now = Date.UTC(2030, 0, 1);
    const created = await run(async (i) => {
      await i.reply('x');
      return i.createdTimestamp;
    });
    assert.equal(created, now);
    assert.equal(guild.channel('general').messages.at(-1)?.timestamp, new Date(now).toISOString());
    now = Date.now();
  });

  test('edits keep a message ephemeral and keep the flags the bot asks for', T, async () => {
    let handleId = '';
    await run(async (i) => {
      handleId = i.id;
      await i.deferReply({ flags: MessageFlags.Ephemeral });
      await i.editReply({ flags: MessageFlags.SuppressEmbeds, content: 'quiet' });
    });
    const message = discord.interaction(handleId)?.message;
    assert.equal(message?.content, 'quiet');
    assert.equal(
      (message.flags ?? 0) & (MessageFlags.Ephemeral | MessageFlags.SuppressEmbeds | MessageFlags.Loading),
      MessageFlags.Ephemeral | MessageFlags.SuppressEmbeds,
    );
  });

  test('a reply deleted through the channel route is gone for the interaction webhook too (10008)', T, async () => {
    const error = await run(async (i) => {
      const reply = await i.reply({ content: 'soon gone', withResponse: true });
      await i.channel?.messages.delete(reply.resource?.message?.id ?? '');
      return i.editReply('edit').catch((e: unknown) => e);
    });
    assert.ok(error instanceof DiscordAPIError && error.code === 10008, String(error));
  });

  test("deleting another user's message needs Manage Messages (403 50013)", T, async () => {
    const said = discord.as(alice, guild.channel('general')).say('mine');
    const channel = await client.channels.fetch(guild.channel('general').id);
    assert.ok(channel?.isTextBased());
    await assert.rejects(channel.messages.delete(said.id), (e: unknown) => e instanceof DiscordAPIError && e.code === 50013);
    guild.role(discord.botUser.username).permissions |= PermissionFlagsBits.ManageMessages;
    await channel.messages.delete(said.id);
    assert.ok(!guild.channel('general').messages.some((m) => m.id === said.id));
  });

  test('a token the fake has forgotten (past interactionLimit) answers 50027, like an expired one', T, async () => {
    let stale: ChatInputCommandInteraction | undefined;
    await run(async (i) => {
      stale = i;
      await i.deferReply();
    });
    for (let n = 0; n < 3; n++) await run((i) => i.reply('filler'));
    assert.equal(discord.interaction(stale!.id), undefined);
    await assert.rejects(stale!.editReply('too late'), (e: unknown) => e instanceof DiscordAPIError && e.code === 50027);
  });

  test('the request log keeps no interaction token', T, async () => {
    let token = '';
    await run(async (i) => {
      token = i.token;
      await i.reply('logged');
    });
    const callbacks = discord.requests.filter((r) => r.route === '/interactions/:interaction_id/:interaction_token/callback');
    assert.ok(callbacks.length > 0);
    assert.ok(!JSON.stringify(discord.requests).includes(token));
    assert.match(callbacks.at(-1)?.path ?? '', /\/:token\/callback$/);
  });

  test("malformed bodies get Discord's 400 answers, never a 500", T, async () => {
    const put = (body: unknown): Promise<Response> =>
      fetch(`${discord.apiUrl}/applications/${discord.applicationId}/commands`, {
        method: 'PUT',
        headers: { authorization: `Bot ${discord.token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    for (const body of [[null], [{ name: 'a', description: 'a', options: [null] }], { not: 'a list' }]) {
      const answer = await put(body);
      assert.equal(answer.status, 400, JSON.stringify(body));
      assert.equal(((await answer.json()) as { code: number }).code, 50035);
    }
    const post = await fetch(`${discord.apiUrl}/channels/${guild.channel('general').id}/messages`, {
      method: 'POST',
      headers: { authorization: `Bot ${discord.token}`, 'content-type': 'application/json' },
      body: '{"embeds":[null]',
    });
    assert.equal(post.status, 400);
    assert.equal(((await post.json()) as { code: number }).code, 50109);
    const empty = await fetch(`${discord.apiUrl}/channels/${guild.channel('general').id}/messages`, {
      method: 'POST',
      headers: { authorization: `Bot ${discord.token}`, 'content-type': 'application/json' },
      body: '{"embeds":[null]}',
    });
    assert.equal(empty.status, 400);
    assert.equal(((await empty.json()) as { code: number }).code, 50035);
  });

  test('a component on an ephemeral reply can be clicked, and the update edits the live message', T, async () => {
    let commandId = '';
    await run((i) => {
      commandId = i.id;
      return i.reply({
        content: 'menu',
        flags: MessageFlags.Ephemeral,
        components: [
          {
            type: ComponentType.ActionRow,
            components: [{ type: ComponentType.Button, custom_id: 'go', label: 'Go', style: ButtonStyle.Primary }],
          },
        ],
      });
    });
    const command = discord.interaction(commandId)!;
    client.once(Events.InteractionCreate, (i) => {
      if (i.isButton()) void i.update({ content: `clicked ${i.customId}` });
    });
    const click = discord.as(alice, guild.channel('general')).click(command.message!, 'go');
    const update = await click.response('update');
    assert.equal(update.ephemeral, true);
    assert.equal(command.message?.content, 'clicked go');
    assert.equal(discord.message(command.message.id)?.content, 'clicked go');
  });
});

describe('secrets', () => {
  test('a token given in the options is kept only as a digest', T, async () => {
    const token = 'MTIzNDU2Nzg5MDEyMzQ1Njc4.given.secret-part-of-the-token';
    const discord = await FakeDiscord.start({ token });
    try {
      assert.ok(!inspect(discord, { depth: 8, showHidden: true }).includes(token));
      assert.throws(
        () => discord.token,
        (e: unknown) => e instanceof FakeDiscordError && e.code === 'LANTERN_ERR_FAKE_TOKEN_NOT_KEPT',
      );
      const client = await connectClient(discord, {}, token);
      assert.equal(client.user.id, discord.botUser.id);
      await client.destroy();
    } finally {
      await discord.stop();
    }
  });

  test("a throwing wait predicate fails the wait, not the bot's request", T, async () => {
    const discord = await FakeDiscord.start();
    const client = await connectClient(discord);
    try {
      const guild = discord.addGuild({ name: 'G' });
      await waitUntil(() => client.guilds.cache.has(guild.id));
      const general = guild.channel('general');
      const waiting = general.waitForMessage(() => {
        throw new Error('bad predicate');
      });
      const channel = await client.channels.fetch(general.id);
      assert.ok(channel?.isSendable());
      const rejected = assert.rejects(waiting, /bad predicate/);
      await channel.send('still delivered');
      await rejected;
      assert.equal(general.messages.filter((m) => m.content === 'still delivered').length, 1);
    } finally {
      await client.destroy();
      await discord.stop();
    }
  });
});
