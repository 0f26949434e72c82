import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client, DiscordAPIError, EmbedBuilder, HTTPError, PermissionFlagsBits, WebhookClient, parseWebhookURL } from 'discord.js';
import type { SendableChannels } from 'discord.js';
import { DiscordFaults, FakeDiscord } from '../../src/testing/index.js';
import type { FakeChannel, RecordedRequest } from '../../src/testing/index.js';
import { trackResources } from '../support/resources.js';

/** A test that hangs (a fake that never answers, a client that never gives up) fails instead. */
const T = { timeout: 5000 };

const MESSAGES_ROUTE = '/channels/:channel_id/messages';

const { track, startFake, stopFake, connect, destroy } = trackResources();

/** The channel as discord.js sees it, fetched over REST, ready for `send`. */
async function sendable(client: Client, channel: FakeChannel): Promise<SendableChannels> {
  const fetched = await client.channels.fetch(channel.id);
  assert.ok(fetched?.isSendable(), `channel ${channel.name ?? channel.id} is not sendable`);
  return fetched;
}

/** The channel's message contents, oldest first. */
function contents(channel: FakeChannel): string[] {
  return channel.messages.map((m) => m.content);
}

function messagePosts(discord: FakeDiscord, channel: FakeChannel): RecordedRequest[] {
  return discord.requests.filter((r) => r.method === 'POST' && r.path === `/channels/${channel.id}/messages`);
}

/** Runs `fn`, resolving with what it rejected with; fails when it resolves, or has not settled within `ms`. */
async function rejection(promise: Promise<unknown>, ms = 3000): Promise<unknown> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(new Error(`Still pending after ${ms} ms`));
    }, ms);
  });
  try {
    await Promise.race([promise, timeout]);
  } catch (error) {
    if (error instanceof Error && error.message === `Still pending after ${ms} ms`) throw error;
    return error;
  } finally {
    clearTimeout(timer);
  }
  assert.fail('expected a rejection, got a result');
}

describe('injected faults, through discord.js REST', () => {
  test('403 Missing Permissions: send rejects with DiscordAPIError 50013; the next send goes through', T, async () => {
    const discord = await startFake();
    const general = discord.addGuild({ name: 'HQ' }).channel('general');
    const client = await connect(discord);
    const channel = await sendable(client, general);
    discord.failNext({ method: 'POST', route: '/channels/:id/messages', ...DiscordFaults.missingPermissions() });

    const error = await rejection(channel.send('first'));
    assert.ok(error instanceof DiscordAPIError, `got ${String(error)}`);
    assert.equal(error.code, 50013);
    assert.equal(error.status, 403);
    assert.equal(error.method.toUpperCase(), 'POST');
    assert.match(error.message, /Missing Permissions/);
    assert.deepEqual(contents(general), []);

    const sent = await channel.send('second');
    assert.deepEqual(
      general.messages.map((m) => [m.id, m.content, m.author.id]),
      [[sent.id, 'second', discord.botUser.id]],
    );
    assert.deepEqual(
      messagePosts(discord, general).map((r) => [r.status, r.faulted]),
      [
        [403, true],
        [200, false],
      ],
    );
    assert.equal(discord.faults.pending, 0);
    await destroy(client);
    await stopFake(discord);
  });

  test('a fault for another method or route leaves the send alone', T, async () => {
    const discord = await startFake();
    const general = discord.addGuild({ name: 'HQ' }).channel('general');
    const client = await connect(discord);
    const channel = await sendable(client, general);
    discord.failNext({ method: 'PATCH', route: '/channels/:id/messages', ...DiscordFaults.missingPermissions() });
    discord.failNext({ method: 'POST', route: '/channels/:id/typing', ...DiscordFaults.missingPermissions() });
    await channel.send('untouched');
    assert.equal(general.messages.at(-1)?.content, 'untouched');
    assert.equal(discord.faults.pending, 2);
    await destroy(client);
    await stopFake(discord);
  });

  test('429: discord.js waits retry_after and retries; the send resolves', T, async () => {
    const discord = await startFake();
    const general = discord.addGuild({ name: 'HQ' }).channel('general');
    const client = await connect(discord);
    const channel = await sendable(client, general);
    const rateLimits: number[] = [];
    client.rest.on('rateLimited', (info) => rateLimits.push(info.retryAfter));
    discord.failNext({ method: 'POST', route: '/channels/:id/messages', ...DiscordFaults.rateLimited(0.4) });

    const sent = await channel.send('patient');
    assert.equal(sent.content, 'patient');
    assert.equal(general.messages.at(-1)?.id, sent.id);
    const posts = messagePosts(discord, general);
    assert.equal(posts.length, 2);
    const [limited, retried] = posts as [RecordedRequest, RecordedRequest];
    assert.equal(limited.route, MESSAGES_ROUTE);
    assert.deepEqual([limited.status, limited.faulted], [429, true]);
    assert.deepEqual([retried.status, retried.faulted], [200, false]);
    assert.ok(retried.at - limited.at >= 380, `retried after ${retried.at - limited.at} ms`);
    // discord.js read the wait from the fake's headers: 400 ms (offset 0), give or take its own millisecond rounding.
    // A timer that fires a millisecond before Date.now() reaches the reset makes it wait once more for the rest.
    const [wait, ...rest] = rateLimits;
    assert.ok(wait !== undefined && wait >= 390 && wait <= 400, `discord.js waited ${wait} ms`);
    assert.ok(
      rest.every((ms) => ms <= 5),
      `discord.js waited again: ${rateLimits.join(', ')} ms`,
    );
    await destroy(client);
    await stopFake(discord);
  });

  test('500 on every try: send rejects with HTTPError 500 after rest.retries; clear() heals it', T, async () => {
    const discord = await startFake();
    const general = discord.addGuild({ name: 'HQ' }).channel('general');
    const client = await connect(discord, { rest: { retries: 1 } });
    const channel = await sendable(client, general);
    discord.failNext({ route: '/channels/:id/messages', ...DiscordFaults.serverError(), times: Infinity });

    const error = await rejection(channel.send('doomed'));
    assert.ok(error instanceof HTTPError, `got ${String(error)}`);
    assert.equal(error.status, 500);
    const faulted = messagePosts(discord, general);
    // One try and one retry, both answered 500 by the fault.
    assert.deepEqual(
      faulted.map((r) => [r.status, r.faulted]),
      [
        [500, true],
        [500, true],
      ],
    );
    assert.equal(discord.faults.pending, 1);
    assert.deepEqual(contents(general), []);

    discord.faults.clear();
    assert.equal(discord.faults.pending, 0);
    const sent = await channel.send('healed');
    assert.equal(general.messages.at(-1)?.id, sent.id);
    assert.deepEqual(
      messagePosts(discord, general).map((r) => r.status),
      [500, 500, 200],
    );
    await destroy(client);
    await stopFake(discord);
  });

  test('a 502 is retried and the retry succeeds when the fault is used up', T, async () => {
    const discord = await startFake();
    const general = discord.addGuild({ name: 'HQ' }).channel('general');
    const client = await connect(discord, { rest: { retries: 1 } });
    const channel = await sendable(client, general);
    discord.failNext({ method: 'POST', route: `/channels/${general.id}/messages`, ...DiscordFaults.serverError(502) });
    const sent = await channel.send('second try');
    assert.equal(general.messages.at(-1)?.id, sent.id);
    assert.deepEqual(
      messagePosts(discord, general).map((r) => [r.status, r.faulted]),
      [
        [502, true],
        [200, false],
      ],
    );
    await destroy(client);
    await stopFake(discord);
  });

  test('a slow Discord (delayMs): the answer comes after the delay', T, async () => {
    const discord = await startFake();
    const general = discord.addGuild({ name: 'HQ' }).channel('general');
    const client = await connect(discord);
    const channel = await sendable(client, general);
    discord.failNext({ method: 'POST', route: '/channels/:id/messages', ...DiscordFaults.missingAccess(), delayMs: 250 });
    const started = Date.now();
    const error = await rejection(channel.send('slowly'));
    const elapsed = Date.now() - started;
    assert.ok(error instanceof DiscordAPIError);
    assert.deepEqual([error.code, error.status], [50001, 403]);
    assert.ok(elapsed >= 240, `answered after ${elapsed} ms`);
    await destroy(client);
    await stopFake(discord);
  });

  test('RecordedRequest.at is when the request arrived, also for a delayed fault', T, async () => {
    const discord = await startFake();
    try {
      discord.failNext({ route: '/users/@me', ...DiscordFaults.serverError(503), delayMs: 300 });
      const sentAt = Date.now();
      const response = await fetch(`${discord.apiUrl}/users/@me`, { headers: { authorization: `Bot ${discord.token}` } });
      assert.equal(response.status, 503);
      await response.body?.cancel();
      const [request] = discord.requests;
      assert.ok(request);
      assert.ok(request.at - sentAt < 150, `recorded ${request.at - sentAt} ms after the request was sent`);
    } finally {
      await stopFake(discord);
    }
  });

  test('a hanging request: discord.js gives up at rest.timeout; stop() still completes', T, async () => {
    const discord = await startFake();
    const general = discord.addGuild({ name: 'HQ' }).channel('general');
    const client = await connect(discord, { rest: { timeout: 300, retries: 0 } });
    const channel = await sendable(client, general);
    discord.failNext({ route: /^\/channels\/\d+\/messages$/, hang: true });

    const started = Date.now();
    const error = await rejection(channel.send('into the void'), 2500);
    const elapsed = Date.now() - started;
    assert.ok(error instanceof Error, `got ${String(error)}`);
    assert.equal(error.name, 'AbortError');
    assert.ok(elapsed >= 250, `rejected after ${elapsed} ms, before the 300 ms timeout`);
    const [hung] = messagePosts(discord, general);
    assert.deepEqual([hung?.status, hung?.faulted], [0, true]);
    assert.deepEqual(contents(general), []);

    // A second request that hangs is still open when the fake stops: stop() must close it, not wait for it.
    discord.failNext({ route: '/users/@me', hang: true });
    const pending = fetch(`${discord.apiUrl}/users/@me`, { headers: { authorization: `Bot ${discord.token}` } });
    while (!discord.requests.some((r) => r.path === '/users/@me')) await sleep(5);
    await destroy(client);
    await stopFake(discord);
    await assert.rejects(pending);
  });
});

describe('Discord rules the fake enforces', () => {
  test('no SendMessages for the bot in a channel given to addGuild: send rejects with 50013', T, async () => {
    const discord = await startFake();
    // At addGuild time neither the guild's @everyone nor the bot's role exists yet; a member overwrite for the bot does.
    const guild = discord.addGuild({
      name: 'HQ',
      channels: [
        { name: 'general' },
        { name: 'locked', permissionOverwrites: [{ target: discord.botUser, deny: PermissionFlagsBits.SendMessages }] },
      ],
    });
    const locked = guild.channel('locked');
    assert.equal(guild.permissionsOf(discord.botUser, locked) & PermissionFlagsBits.SendMessages, 0n);
    const client = await connect(discord);
    const error = await rejection((await sendable(client, locked)).send('let me in'));
    assert.ok(error instanceof DiscordAPIError, `got ${String(error)}`);
    assert.deepEqual([error.code, error.status], [50013, 403]);
    assert.deepEqual(contents(locked), []);
    await destroy(client);
    await stopFake(discord);
  });

  test('no SendMessages in a channel (an @everyone overwrite): send rejects with 50013', T, async () => {
    const discord = await startFake();
    const guild = discord.addGuild({ name: 'HQ' });
    const locked = guild.addChannel({
      name: 'locked',
      permissionOverwrites: [{ target: guild.everyone, deny: PermissionFlagsBits.SendMessages }],
    });
    const client = await connect(discord);
    const channel = await sendable(client, locked);
    const error = await rejection(channel.send('let me in'));
    assert.ok(error instanceof DiscordAPIError, `got ${String(error)}`);
    assert.deepEqual([error.code, error.status], [50013, 403]);
    assert.deepEqual(contents(locked), []);
    assert.deepEqual(
      messagePosts(discord, locked).map((r) => [r.status, r.faulted]),
      [[403, false]],
    );
    // The same bot may talk in the guild's other channel.
    await (await sendable(client, guild.channel('general'))).send('fine here');
    assert.equal(guild.channel('general').messages.length, 1);
    await destroy(client);
    await stopFake(discord);
  });

  test("a deny on the bot's managed role, and an allow that lifts an @everyone deny", T, async () => {
    const discord = await startFake();
    const guild = discord.addGuild({ name: 'HQ' });
    const botRole = guild.role(discord.botUser.username);
    assert.equal(botRole.managed, true);
    const roleLocked = guild.addChannel({
      name: 'role-locked',
      permissionOverwrites: [{ target: botRole, deny: PermissionFlagsBits.SendMessages }],
    });
    const reopened = guild.addChannel({
      name: 'reopened',
      permissionOverwrites: [
        { target: guild.everyone, deny: PermissionFlagsBits.SendMessages },
        { target: botRole, allow: PermissionFlagsBits.SendMessages },
      ],
    });
    const client = await connect(discord);
    const error = await rejection((await sendable(client, roleLocked)).send('no'));
    assert.ok(error instanceof DiscordAPIError);
    assert.equal(error.code, 50013);
    const sent = await (await sendable(client, reopened)).send('yes');
    assert.equal(reopened.messages.at(-1)?.id, sent.id);
    assert.deepEqual(contents(roleLocked), []);
    await destroy(client);
    await stopFake(discord);
  });

  test('an embed needs EmbedLinks: without it the send is refused, the text alone is not', T, async () => {
    const discord = await startFake();
    const guild = discord.addGuild({ name: 'HQ' });
    const plain = guild.addChannel({
      name: 'plain',
      permissionOverwrites: [{ target: discord.botUser, deny: PermissionFlagsBits.EmbedLinks }],
    });
    const client = await connect(discord);
    const channel = await sendable(client, plain);
    const error = await rejection(channel.send({ content: 'look', embeds: [new EmbedBuilder().setTitle('card')] }));
    assert.ok(error instanceof DiscordAPIError);
    assert.equal(error.code, 50013);
    await channel.send('just text');
    assert.deepEqual(
      plain.messages.map((m) => m.content),
      ['just text'],
    );
    await destroy(client);
    await stopFake(discord);
  });
});

describe('authorization and routes, with plain fetch', () => {
  test('GET /users/@me: a wrong bot token is 401, the right one gets the bot user', T, async () => {
    const discord = await startFake();
    const wrong = await fetch(`${discord.apiUrl}/users/@me`, { headers: { authorization: 'Bot wrong.token.here' } });
    assert.equal(wrong.status, 401);
    assert.match(wrong.headers.get('content-type') ?? '', /application\/json/);
    assert.deepEqual(await wrong.json(), { message: '401: Unauthorized', code: 0 });
    const none = await fetch(`${discord.apiUrl}/users/@me`);
    assert.equal(none.status, 401);
    await none.body?.cancel();
    // Without the "Bot " prefix the right token is not a bot token.
    const bare = await fetch(`${discord.apiUrl}/users/@me`, { headers: { authorization: discord.token } });
    assert.equal(bare.status, 401);
    await bare.body?.cancel();

    const right = await fetch(`${discord.apiUrl}/users/@me`, { headers: { authorization: `Bot ${discord.token}` } });
    assert.equal(right.status, 200);
    const user = (await right.json()) as { id: string; username: string; bot: boolean };
    assert.deepEqual([user.id, user.username, user.bot], [discord.botUser.id, discord.botUser.username, true]);
    assert.deepEqual(
      discord.requests.map((r) => r.status),
      [401, 401, 401, 200],
    );
    await stopFake(discord);
  });

  test('interaction callbacks and webhooks need no Authorization', T, async () => {
    const discord = await startFake();
    const alice = discord.addUser({ username: 'alice' });
    const guild = discord.addGuild({ name: 'HQ', members: [alice] });
    const general = guild.channel('general');
    const client = await connect(discord);
    const handle = discord.as(alice, general).slash('x', {}, { allowUnregistered: true });

    const callback = await fetch(`${discord.apiUrl}/interactions/${handle.id}/${handle.token}/callback`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 4, data: { content: 'answered without a token' } }),
    });
    assert.equal(callback.status, 204);
    assert.equal((await handle.response('reply')).message?.content, 'answered without a token');

    const hook = discord.addWebhook(general, 'Plain');
    const executed = await fetch(`${hook.url}?wait=true`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ content: 'no auth' }),
    });
    assert.equal(executed.status, 200);
    const message = (await executed.json()) as { id: string; webhook_id: string };
    assert.equal(message.webhook_id, hook.id);
    assert.equal(hook.executions.at(-1)?.id, message.id);

    // A wrong webhook token is Discord's 10015, not a 401.
    const forged = await fetch(`${discord.apiUrl}/webhooks/${hook.id}/${'x'.repeat(hook.token.length)}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ content: 'forged' }),
    });
    assert.equal(forged.status, 404);
    assert.equal(((await forged.json()) as { code: number }).code, 10015);
    assert.equal(hook.executions.length, 1);
    await destroy(client);
    await stopFake(discord);
  });

  test('an unknown route is 404 and is listed in unhandledRequests', T, async () => {
    const discord = await startFake();
    const response = await fetch(`${discord.apiUrl}/nothing/here`, { headers: { authorization: `Bot ${discord.token}` } });
    assert.equal(response.status, 404);
    assert.deepEqual(await response.json(), { message: '404: Not Found', code: 0 });
    assert.deepEqual(
      discord.unhandledRequests.map((r) => [r.method, r.path, r.route, r.status]),
      [['GET', '/nothing/here', null, 404]],
    );
    // A known path with a method the fake does not serve is 405, and unhandled as well.
    const wrongMethod = await fetch(`${discord.apiUrl}/users/@me`, { method: 'PUT', headers: { authorization: `Bot ${discord.token}` } });
    assert.equal(wrongMethod.status, 405);
    await wrongMethod.body?.cancel();
    assert.deepEqual(
      discord.unhandledRequests.map((r) => r.status),
      [404, 405],
    );
    assert.deepEqual(discord.internalErrors, []);
    await stopFake(discord);
  });
});

describe('webhooks through discord.js', () => {
  test('a webhook token has the shape of a real one, so discord.js can parse a webhook URL', T, async () => {
    const discord = await startFake();
    try {
      const hook = discord.addWebhook(discord.addGuild({ name: 'HQ' }).channel('general'), 'Alerts');
      // discord.js only parses discord.com URLs: the host is swapped, the path is the fake's.
      const parsed = parseWebhookURL(hook.url.replace(discord.apiUrl, 'https://discord.com/api/v10'));
      assert.deepEqual(parsed, { id: hook.id, token: hook.token });
    } finally {
      await stopFake(discord);
    }
  });

  test('WebhookClient executes a webhook: recorded on the hook and posted in the channel', T, async () => {
    const discord = await startFake();
    const general = discord.addGuild({ name: 'HQ' }).channel('general');
    const hook = discord.addWebhook(general, 'Alerts');
    const webhook = new WebhookClient({ id: hook.id, token: hook.token }, { rest: discord.rest });
    track(webhook);
    const sent = await webhook.send({
      content: 'deploy done',
      embeds: [new EmbedBuilder().setTitle('v1.2.3').setDescription('all green').setColor(0x2ecc71)],
    });

    assert.equal(sent.webhook_id, hook.id);
    assert.equal(sent.content, 'deploy done');
    assert.equal(hook.executions.length, 1);
    const execution = hook.executions[0]!;
    assert.equal(execution.id, sent.id);
    assert.equal(execution.content, 'deploy done');
    const embed = execution.embeds[0]!;
    assert.deepEqual([embed.title, embed.description, embed.color], ['v1.2.3', 'all green', 0x2ecc71]);
    const posted = general.messages.at(-1)!;
    assert.equal(posted.id, sent.id);
    assert.equal(posted.webhook_id, hook.id);
    assert.equal(posted.author.username, 'Alerts');
    const executions = discord.requests.filter((r) => r.route === '/webhooks/:webhook_id/:webhook_token');
    assert.deepEqual(
      executions.map((r) => [r.method, r.status, r.path.startsWith(`/webhooks/${hook.id}/`)]),
      [['POST', 200, true]],
    );

    // A username override is the message's author name, as on Discord.
    await webhook.send({ content: 'from ci', username: 'CI' });
    assert.equal(general.messages.at(-1)?.author.username, 'CI');
    assert.equal(hook.executions.length, 2);
    await destroy(webhook);
    await stopFake(discord);
  });
});
