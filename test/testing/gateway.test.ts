import assert from 'node:assert/strict';
import { once } from 'node:events';
import { describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { inspect } from 'node:util';
import { Client, Events, GatewayIntentBits } from 'discord.js';
import type { ChatInputCommandInteraction, ClientEvents } from 'discord.js';
import { WebSocket } from 'ws';
import type { RawData } from 'ws';
import { FakeDiscord, shardOf } from '../../src/testing/index.js';
import type { CloseEvent, FakeGuild, FakeUser, InteractionHandle } from '../../src/testing/index.js';
import { trackResources } from '../support/resources.js';

/** A test that hangs (a fake that never answers, a client that never gives up) fails instead. */
const T = { timeout: 5000 };

const { track, startFake, stopFake, connect, destroy } = trackResources();

/** The next `event` on the client whose arguments pass `accept`; rejects after `ms` so a missing event fails fast. */
function nextClientEvent<E extends keyof ClientEvents>(
  client: Client,
  event: E,
  accept: (...args: ClientEvents[E]) => boolean = () => true,
  ms = 3000,
): Promise<ClientEvents[E]> {
  return new Promise((resolve, reject) => {
    const listener = (...args: ClientEvents[E]): void => {
      if (!accept(...args)) return;
      clearTimeout(timer);
      client.off(event, listener);
      resolve(args);
    };
    const timer = setTimeout(() => {
      client.off(event, listener);
      reject(new Error(`No ${event} within ${ms} ms`));
    }, ms);
    client.on(event, listener);
  });
}

/** Runs `/x` as `user` in `channel` and resolves with the interaction the discord.js client received for it. */
async function slashArrives(
  discord: FakeDiscord,
  client: Client,
  user: FakeUser,
  guild: FakeGuild,
  ms = 3000,
): Promise<{ handle: InteractionHandle; interaction: ChatInputCommandInteraction }> {
  const sent: { handle?: InteractionHandle } = {};
  const arrived = nextClientEvent(client, Events.InteractionCreate, (i) => i.id === sent.handle?.id, ms);
  const handle = discord.as(user, guild.channel('general')).slash('x', {}, { allowUnregistered: true });
  sent.handle = handle;
  const [interaction] = await arrived;
  assert.ok(interaction.isChatInputCommand());
  return { handle, interaction };
}

interface GatewayFrame {
  op: number;
  d: unknown;
  s?: number | null;
  t?: string | null;
}

/** A bare WebSocket to the fake gateway, to speak the protocol without discord.js in the way. */
interface RawGateway {
  readonly socket: WebSocket;
  /** Every frame received so far, in order. */
  readonly frames: GatewayFrame[];
  readonly firstFrame: Promise<GatewayFrame>;
  readonly closed: Promise<{ code: number; reason: string }>;
  send(payload: unknown): void;
  /** The first frame, received already or to come, that passes `accept`; rejects after `ms`. */
  waitFor(accept: (frame: GatewayFrame) => boolean, ms?: number): Promise<GatewayFrame>;
}

function rawText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return (data instanceof ArrayBuffer ? Buffer.from(data) : data).toString('utf8');
}

function openRaw(discord: FakeDiscord, query = '/?v=10&encoding=json'): RawGateway {
  const socket = new WebSocket(discord.gatewayUrl + query);
  socket.on('error', () => {
    // The close event carries what the tests look at.
  });
  const frames: GatewayFrame[] = [];
  socket.on('message', (data) => {
    frames.push(JSON.parse(rawText(data)) as GatewayFrame);
  });
  const waitFor = (accept: (frame: GatewayFrame) => boolean, ms = 2000): Promise<GatewayFrame> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        const found = frames.find(accept);
        if (!found) return;
        clearTimeout(timer);
        socket.off('message', check);
        resolve(found);
      };
      const timer = setTimeout(() => {
        socket.off('message', check);
        reject(new Error(`No matching frame within ${ms} ms; got ${JSON.stringify(frames.map((f) => f.t ?? f.op))}`));
      }, ms);
      socket.on('message', check);
      check();
    });
  const firstFrame = waitFor(() => true);
  // A socket the fake closes before HELLO never gets a frame: that is only an error for a test that awaits one.
  firstFrame.catch(() => undefined);
  const closed = new Promise<{ code: number; reason: string }>((resolve) => {
    socket.once('close', (code, reason) => {
      resolve({ code, reason: reason.toString('utf8') });
    });
  });
  return {
    socket,
    frames,
    firstFrame,
    closed,
    waitFor,
    send: (payload) => {
      socket.send(typeof payload === 'string' ? payload : JSON.stringify(payload));
    },
  };
}

/** Resolves with the close code, or rejects when the fake keeps the socket open longer than `ms`. */
async function closeCode(raw: RawGateway, ms = 2000): Promise<number> {
  const controller = new AbortController();
  const timeout = sleep(ms, 'timeout' as const, { signal: controller.signal }).catch(() => 'aborted' as const);
  const result = await Promise.race([raw.closed, timeout]);
  controller.abort();
  if (typeof result === 'string') {
    raw.socket.terminate();
    throw new Error(`The fake did not close the socket within ${ms} ms`);
  }
  return result.code;
}

function identifyPayload(token: string, extra: Record<string, unknown> = {}): unknown {
  return { op: 2, d: { token, intents: GatewayIntentBits.Guilds, properties: { os: 'linux', browser: 'raw', device: 'raw' }, ...extra } };
}

describe('login', () => {
  test('discord.js logs in to ready with the bot user, the application and the guilds', T, async () => {
    const discord = await startFake();
    const hq = discord.addGuild({ name: 'HQ' });
    const lab = discord.addGuild({ name: 'Lab', channels: [{ name: 'general' }, { name: 'bench' }] });
    const identified = discord.gateway.waitForIdentify(() => true, 5000);
    const intents = [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages];
    const client = await connect(discord, { intents });
    const identify = await identified;

    assert.equal(client.user.id, discord.botUser.id);
    assert.equal(client.user.username, discord.botUser.username);
    assert.equal(client.user.bot, true);
    assert.equal(client.application.id, discord.applicationId);
    assert.deepEqual([...client.guilds.cache.keys()].sort(), [hq.id, lab.id].sort());
    for (const fake of [hq, lab]) {
      const guild = client.guilds.cache.get(fake.id)!;
      assert.equal(guild.name, fake.name);
      assert.equal(guild.available, true);
      const general = guild.channels.cache.find((c) => c.name === 'general');
      assert.equal(general?.id, fake.channel('general').id);
    }
    assert.equal(client.guilds.cache.get(lab.id)!.channels.cache.get(lab.channel('bench').id)?.name, 'bench');

    assert.deepEqual(identify.shard, [0, 1]);
    assert.equal(identify.intents, GatewayIntentBits.Guilds | GatewayIntentBits.GuildMessages);
    assert.equal(discord.gateway.identifyCount, 1);
    assert.deepEqual(
      discord.gateway.shards.map((s) => ({ shard: s.shard, intents: s.intents, connected: s.connected })),
      [{ shard: [0, 1], intents: identify.intents, connected: true }],
    );
    // The REST side saw the client's calls, so the scan below has something to scan.
    assert.ok(discord.requests.some((r) => r.path === '/gateway/bot' && r.status === 200));

    const token = discord.token;
    assert.ok(token.length > 50);
    assert.equal(JSON.stringify(identify).includes(token), false, 'IdentifyEvent');
    assert.equal(inspect(identify, { depth: 10 }).includes(token), false, 'IdentifyEvent (inspect)');
    assert.equal(JSON.stringify(discord.requests).includes(token), false, 'discord.requests');
    assert.equal(inspect(discord, { depth: 6 }).includes(token), false, 'util.inspect(discord)');
    // The token's middle and last parts alone are secret as well.
    for (const part of token.split('.').slice(1)) assert.equal(inspect(discord, { depth: 6 }).includes(part), false, 'a token part');

    await destroy(client);
    await stopFake(discord);
  });

  test('a wrong token: discord.js login rejects with TokenInvalid, because GET /gateway/bot answers 401', T, async () => {
    const discord = await startFake();
    const client = new Client({ intents: [GatewayIntentBits.Guilds], rest: discord.rest });
    track(client);
    await assert.rejects(client.login('wrong'), (error: unknown) => {
      assert.equal((error as { code?: unknown }).code, 'TokenInvalid');
      return true;
    });
    const gatewayBot = discord.requests.filter((r) => r.path === '/gateway/bot');
    assert.deepEqual(
      gatewayBot.map((r) => r.status),
      [401],
    );
    assert.equal(discord.gateway.identifyCount, 0);
    await destroy(client);
    await stopFake(discord);
  });

  test('discord.js login with a privileged intent the application is not allowed rejects (4014)', T, async () => {
    const discord = await startFake({ privilegedIntents: 0 });
    const closed = once(discord.gateway.events, 'close', { signal: AbortSignal.timeout(2000) }) as Promise<[CloseEvent]>;
    const client = new Client({ intents: [GatewayIntentBits.Guilds, GatewayIntentBits.MessageContent], rest: discord.rest });
    track(client);
    await assert.rejects(client.login(discord.token), /disallowed intents/i);
    // The fake sees its own close once the closing handshake is over, which may be just after discord.js rejects.
    const [close] = await closed;
    assert.equal(close.code, 4014);
    assert.equal(discord.gateway.identifyCount, 0);
    await destroy(client);
    await stopFake(discord);
  });
});

describe('raw gateway protocol', () => {
  test('HELLO, then IDENTIFY with a wrong token closes 4004', T, async () => {
    const discord = await startFake({ heartbeatIntervalMs: 1234 });
    const raw = openRaw(discord);
    const hello = await raw.firstFrame;
    assert.equal(hello.op, 10);
    assert.deepEqual(hello.d, { heartbeat_interval: 1234 });
    raw.send(identifyPayload('wrong'));
    assert.equal(await closeCode(raw), 4004);
    assert.equal(discord.gateway.identifyCount, 0);
    await stopFake(discord);
  });

  test('IDENTIFY with the right token gets READY with the session, the bot user and the shard', T, async () => {
    const discord = await startFake();
    const raw = openRaw(discord);
    await raw.firstFrame;
    raw.send(identifyPayload(discord.token));
    const frame = await raw.waitFor((f) => f.t === 'READY');
    const d = frame.d as { session_id: string; user: { id: string }; shard: number[]; resume_gateway_url: string };
    assert.equal(frame.op, 0);
    assert.equal(frame.s, 1);
    assert.equal(d.user.id, discord.botUser.id);
    assert.deepEqual(d.shard, [0, 1]);
    assert.equal(d.session_id, discord.gateway.shards[0]?.sessionId);
    assert.equal(d.resume_gateway_url, discord.gatewayUrl);
    // A heartbeat is acknowledged with op 11.
    assert.equal(
      raw.frames.some((f) => f.op === 11),
      false,
    );
    raw.send({ op: 1, d: frame.s });
    await raw.waitFor((f) => f.op === 11);
    // A second IDENTIFY on an authenticated connection closes 4005.
    raw.send(identifyPayload(discord.token));
    assert.equal(await closeCode(raw), 4005);
    await stopFake(discord);
  });

  for (const { name, payload } of [
    { name: 'a presence update (op 3)', payload: { op: 3, d: { since: null, activities: [], status: 'online', afk: false } } },
    { name: 'a member request (op 8)', payload: { op: 8, d: { guild_id: '1', query: '', limit: 0 } } },
    { name: 'an unknown opcode (op 42)', payload: { op: 42, d: null } },
  ]) {
    test(`${name} before identifying closes 4003`, T, async () => {
      const discord = await startFake();
      const raw = openRaw(discord);
      await raw.firstFrame;
      raw.send(payload);
      assert.equal(await closeCode(raw), 4003);
      await stopFake(discord);
    });
  }

  test('invalid JSON closes 4002', T, async () => {
    const discord = await startFake();
    const raw = openRaw(discord);
    await raw.firstFrame;
    raw.send('{"op": 2, "d": ');
    assert.equal(await closeCode(raw), 4002);
    await stopFake(discord);
  });

  test('gateway version 9 closes 4012 without HELLO', T, async () => {
    const discord = await startFake();
    const raw = openRaw(discord, '/?v=9&encoding=json');
    assert.equal(await closeCode(raw), 4012);
    assert.deepEqual(raw.frames, []);
    await stopFake(discord);
  });

  test('IDENTIFY with a privileged intent the application is not allowed closes 4014', T, async () => {
    const discord = await startFake({ privilegedIntents: 0 });
    const raw = openRaw(discord);
    await raw.firstFrame;
    raw.send(identifyPayload(discord.token, { intents: GatewayIntentBits.Guilds | GatewayIntentBits.MessageContent }));
    assert.equal(await closeCode(raw), 4014);
    assert.equal(discord.gateway.identifyCount, 0);
    await stopFake(discord);
  });

  test('the same intents are accepted when the application has them', T, async () => {
    const discord = await startFake({ privilegedIntents: GatewayIntentBits.MessageContent });
    const identified = discord.gateway.waitForIdentify(() => true, 2000);
    const raw = openRaw(discord);
    await raw.firstFrame;
    raw.send(identifyPayload(discord.token, { intents: GatewayIntentBits.Guilds | GatewayIntentBits.MessageContent }));
    assert.equal((await identified).intents, GatewayIntentBits.Guilds | GatewayIntentBits.MessageContent);
    raw.socket.close(1000);
    await raw.closed;
    await stopFake(discord);
  });

  test('IDENTIFY for shard [2, 2] closes 4010', T, async () => {
    const discord = await startFake({ shards: 2 });
    const raw = openRaw(discord);
    await raw.firstFrame;
    raw.send(identifyPayload(discord.token, { shard: [2, 2] }));
    assert.equal(await closeCode(raw), 4010);
    assert.equal(discord.gateway.identifyCount, 0);
    await stopFake(discord);
  });
});

describe('sharding', () => {
  test('two shards: guilds, sessions and interactions follow (guild_id >> 22) % 2', T, async () => {
    const discord = await startFake({ shards: 2 });
    const alice = discord.addUser({ username: 'alice' });
    const guilds: FakeGuild[] = [];
    // A snowflake's shard is its millisecond timestamp modulo 2: guilds made in the same millisecond share one.
    for (let i = 0; i < 50 && new Set(guilds.map((g) => shardOf(g.id, 2))).size < 2; i++) {
      guilds.push(discord.addGuild({ name: `Guild ${i}`, members: [alice] }));
      await sleep(1);
    }
    assert.deepEqual(new Set(guilds.map((g) => shardOf(g.id, 2))), new Set([0, 1]));

    const client = await connect(discord, { shards: 'auto' });
    assert.equal(client.options.shardCount, 2);
    assert.deepEqual(client.options.shards, [0, 1]);
    assert.equal(client.guilds.cache.size, guilds.length);
    for (const guild of guilds) {
      assert.equal(client.guilds.cache.get(guild.id)?.shardId, shardOf(guild.id, 2), `guild ${guild.name}`);
    }
    const sessions = [...discord.gateway.shards].sort((a, b) => a.shard[0] - b.shard[0]);
    assert.deepEqual(
      sessions.map((s) => s.shard),
      [
        [0, 2],
        [1, 2],
      ],
    );
    assert.ok(sessions.every((s) => s.connected));
    assert.notEqual(sessions[0]!.sessionId, sessions[1]!.sessionId);

    const onShard1 = guilds.find((g) => shardOf(g.id, 2) === 1)!;
    const { handle, interaction } = await slashArrives(discord, client, alice, onShard1);
    assert.equal(interaction.guildId, onShard1.id);
    assert.equal(interaction.guild?.shardId, 1);
    await interaction.reply('on shard 1');
    assert.equal((await handle.response('reply')).message?.content, 'on shard 1');

    const onShard0 = guilds.find((g) => shardOf(g.id, 2) === 0)!;
    const second = await slashArrives(discord, client, alice, onShard0);
    assert.equal(second.interaction.guild?.shardId, 0);

    await destroy(client);
    await stopFake(discord);
  });

  test('a client holding only shard 0 of 2 gets only shard 0 guilds; shard 1 interactions are refused', T, async () => {
    const discord = await startFake({ shards: 2 });
    const alice = discord.addUser({ username: 'alice' });
    const guilds: FakeGuild[] = [];
    for (let i = 0; i < 50 && new Set(guilds.map((g) => shardOf(g.id, 2))).size < 2; i++) {
      guilds.push(discord.addGuild({ name: `Guild ${i}`, members: [alice] }));
      await sleep(1);
    }
    const client = await connect(discord, { shards: [0], shardCount: 2 });
    assert.deepEqual(
      [...client.guilds.cache.keys()].sort(),
      guilds
        .filter((g) => shardOf(g.id, 2) === 0)
        .map((g) => g.id)
        .sort(),
    );
    const onShard1 = guilds.find((g) => shardOf(g.id, 2) === 1)!;
    assert.throws(
      () => discord.as(alice, onShard1.channel('general')).slash('x', {}, { allowUnregistered: true }),
      /No bot session holds the shard/,
    );
    await destroy(client);
    await stopFake(discord);
  });
});

describe('resume', () => {
  test('close 4000: discord.js resumes, and what happened while it was away is replayed', T, async () => {
    const discord = await startFake();
    const alice = discord.addUser({ username: 'alice' });
    const hq = discord.addGuild({ name: 'HQ', members: [alice] });
    const client = await connect(discord);
    const sessionId = discord.gateway.shards[0]?.sessionId;
    assert.ok(sessionId);

    const resumed = discord.gateway.waitForResume(() => true, 3000);
    const closed = once(discord.gateway.events, 'close') as Promise<[CloseEvent]>;
    const lateGuild = nextClientEvent(client, Events.GuildCreate, (g) => g.name === 'Late');
    const sent: { handle?: InteractionHandle } = {};
    const interaction = nextClientEvent(client, Events.InteractionCreate, (i) => i.id === sent.handle?.id);
    discord.gateway.close(4000);
    // The socket is closing: both events go to the session's buffer, not the wire.
    assert.equal(discord.gateway.shards[0]?.connected, false);
    const late = discord.addGuild({ name: 'Late', members: [alice] });
    sent.handle = discord.as(alice, hq.channel('general')).slash('x', {}, { allowUnregistered: true });

    const [close] = await closed;
    assert.equal(close.code, 4000);
    const resume = await resumed;
    assert.equal(resume.sessionId, sessionId);
    assert.ok(resume.replayed >= 2, `replayed ${resume.replayed}`);
    const [guild] = await lateGuild;
    assert.equal(guild.id, late.id);
    assert.equal(guild.channels.cache.find((c) => c.name === 'general')?.id, late.channel('general').id);
    const [received] = await interaction;
    assert.equal(received.guildId, hq.id);
    assert.equal(discord.gateway.identifyCount, 1);
    assert.equal(discord.gateway.shards[0].sessionId, sessionId);
    assert.equal(discord.gateway.shards[0].connected, true);
    await destroy(client);
    await stopFake(discord);
  });

  test('op 7 RECONNECT: discord.js reconnects and resumes the same session', T, async () => {
    const discord = await startFake();
    discord.addGuild({ name: 'HQ' });
    const client = await connect(discord);
    const sessionId = discord.gateway.shards[0]?.sessionId;
    const resumed = discord.gateway.waitForResume(() => true, 3000);
    discord.gateway.requestReconnect();
    assert.equal((await resumed).sessionId, sessionId);
    assert.equal(discord.gateway.identifyCount, 1);
    await destroy(client);
    await stopFake(discord);
  });

  test('zombie connection: heartbeats go unacknowledged, discord.js closes and resumes', T, async () => {
    const discord = await startFake({ heartbeatIntervalMs: 150 });
    const alice = discord.addUser({ username: 'alice' });
    const hq = discord.addGuild({ name: 'HQ', members: [alice] });
    const client = await connect(discord);
    const closes: CloseEvent[] = [];
    discord.gateway.events.on('close', (e: CloseEvent) => closes.push(e));
    const resumed = discord.gateway.waitForResume(() => true, 3000);
    discord.gateway.pauseHeartbeatAcks();
    const resume = await resumed;
    assert.equal(resume.sessionId, discord.gateway.shards[0]?.sessionId);
    // The client closed the zombie itself, with discord.js's "resuming" code.
    assert.deepEqual(
      closes.map((c) => c.code),
      [4200],
    );
    assert.equal(discord.gateway.identifyCount, 1);
    // A resume ends the pause: heartbeats are acknowledged again, so no second zombie close follows.
    await sleep(450);
    assert.deepEqual(
      closes.map((c) => c.code),
      [4200],
    );
    const { interaction } = await slashArrives(discord, client, alice, hq);
    assert.equal(interaction.guildId, hq.id);
    await destroy(client);
    await stopFake(discord);
  });

  test('a non-resumable INVALID_SESSION makes discord.js identify again', T, async () => {
    const discord = await startFake();
    const alice = discord.addUser({ username: 'alice' });
    const hq = discord.addGuild({ name: 'HQ', members: [alice] });
    // discord.js waits 5 s between two identifies of one shard; that throttle is the client's, not the fake's.
    const client = await connect(discord, { ws: { buildIdentifyThrottler: () => ({ waitForIdentify: () => Promise.resolve() }) } });
    const firstSession = discord.gateway.shards[0]?.sessionId;
    const identified = discord.gateway.waitForIdentify(() => true, 3000);
    discord.gateway.invalidateSession({ resumable: false });
    const identify = await identified;
    assert.deepEqual(identify.shard, [0, 1]);
    assert.equal(discord.gateway.identifyCount, 2);
    assert.equal(discord.gateway.shards.length, 1);
    assert.notEqual(discord.gateway.shards[0]?.sessionId, firstSession);
    const { interaction } = await slashArrives(discord, client, alice, hq);
    assert.equal(interaction.guildId, hq.id);
    await destroy(client);
    await stopFake(discord);
  });

  test('a resume further behind than resumeBufferLimit is refused: discord.js identifies again and gets everything', T, async () => {
    const discord = await startFake({ resumeBufferLimit: 2 });
    discord.addGuild({ name: 'HQ' });
    const client = await connect(discord, { ws: { buildIdentifyThrottler: () => ({ waitForIdentify: () => Promise.resolve() }) } });
    const resumes: unknown[] = [];
    discord.gateway.events.on('resume', (e: unknown) => resumes.push(e));
    const identified = discord.gateway.waitForIdentify(() => true, 3000);
    discord.gateway.close(4000);
    // Each new guild is at least a GUILD_CREATE: three of them overflow a buffer of two.
    const missed = [discord.addGuild({ name: 'A' }), discord.addGuild({ name: 'B' }), discord.addGuild({ name: 'C' })];
    await identified;
    assert.equal(discord.gateway.identifyCount, 2);
    assert.deepEqual(resumes, []);
    await sleep(50);
    for (const guild of missed) assert.equal(client.guilds.cache.get(guild.id)?.name, guild.name);
    await destroy(client);
    await stopFake(discord);
  });

  test('a resumable INVALID_SESSION lets discord.js resume (it sends RESUME on the same socket)', T, async () => {
    const discord = await startFake();
    discord.addGuild({ name: 'HQ' });
    const client = await connect(discord, { ws: { buildIdentifyThrottler: () => ({ waitForIdentify: () => Promise.resolve() }) } });
    const sessionId = discord.gateway.shards[0]?.sessionId;
    const resumed = discord.gateway.waitForResume(() => true, 1500);
    discord.gateway.invalidateSession({ resumable: true });
    try {
      assert.equal((await resumed).sessionId, sessionId);
      assert.equal(discord.gateway.identifyCount, 1);
    } finally {
      await destroy(client);
      await stopFake(discord);
    }
  });

  test('RESUME with an unknown session id is answered with a non-resumable INVALID_SESSION', T, async () => {
    const discord = await startFake();
    const raw = openRaw(discord);
    await raw.firstFrame;
    raw.send({ op: 6, d: { token: discord.token, session_id: 'nope', seq: 1 } });
    assert.deepEqual(await raw.waitFor((f) => f.op !== 10), { op: 9, d: false });
    raw.socket.close(1000);
    await raw.closed;
    await stopFake(discord);
  });

  test('a raw RESUME replays the missed dispatches in order, then RESUMED', T, async () => {
    const discord = await startFake();
    discord.addGuild({ name: 'HQ' });
    const first = openRaw(discord);
    await first.firstFrame;
    first.send(identifyPayload(discord.token));
    const ready = await first.waitFor((f) => f.t === 'READY');
    const lastSeen = (await first.waitFor((f) => f.t === 'GUILD_CREATE')).s!;
    const { session_id: sessionId } = ready.d as { session_id: string };
    const gone = once(discord.gateway.events, 'close', { signal: AbortSignal.timeout(2000) });
    first.socket.close(4000);
    await gone;

    const late = discord.addGuild({ name: 'Late' });
    const resumed = discord.gateway.waitForResume(() => true, 2000);
    const second = openRaw(discord);
    await second.firstFrame;
    second.send({ op: 6, d: { token: discord.token, session_id: sessionId, seq: lastSeen } });
    await second.waitFor((f) => f.t === 'RESUMED');
    const dispatches = second.frames.filter((f) => f.op === 0);
    const replayed = dispatches.slice(0, -1);
    assert.ok(replayed.length >= 1);
    assert.deepEqual(
      dispatches.map((f) => f.s),
      dispatches.map((_, i) => lastSeen + 1 + i),
    );
    assert.equal(replayed.at(-1)?.t, 'GUILD_CREATE');
    assert.equal((replayed.at(-1)?.d as { id: string }).id, late.id);
    assert.equal(dispatches.at(-1)?.t, 'RESUMED');
    const resume = await resumed;
    assert.deepEqual([resume.sessionId, resume.replayed], [sessionId, replayed.length]);
    // The resumed connection is authenticated: a heartbeat is acknowledged, a second RESUME closes 4005.
    second.send({ op: 1, d: dispatches.at(-1)?.s });
    await second.waitFor((f) => f.op === 11);
    second.send({ op: 6, d: { token: discord.token, session_id: sessionId, seq: lastSeen } });
    assert.equal(await closeCode(second), 4005);
    await stopFake(discord);
  });

  test('after a non-resumable INVALID_SESSION the old session cannot be resumed', T, async () => {
    const discord = await startFake();
    const first = openRaw(discord);
    await first.firstFrame;
    first.send(identifyPayload(discord.token));
    const ready = await first.waitFor((f) => f.t === 'READY');
    const { session_id: sessionId } = ready.d as { session_id: string };
    discord.gateway.invalidateSession({ resumable: false });
    assert.deepEqual(await first.waitFor((f) => f.op === 9), { op: 9, d: false });
    assert.deepEqual(discord.gateway.shards, []);
    first.socket.close(4000);
    await first.closed;

    const second = openRaw(discord);
    await second.firstFrame;
    second.send({ op: 6, d: { token: discord.token, session_id: sessionId, seq: ready.s } });
    assert.deepEqual(await second.waitFor((f) => f.op === 9 || f.t === 'RESUMED'), { op: 9, d: false });
    second.socket.close(1000);
    await second.closed;
    await stopFake(discord);
  });
});

describe('robustness', () => {
  test('a malformed frame from the gateway is survived: a later interaction still arrives', T, async () => {
    const discord = await startFake();
    const alice = discord.addUser({ username: 'alice' });
    const hq = discord.addGuild({ name: 'HQ', members: [alice] });
    const client = await connect(discord);
    const closes: CloseEvent[] = [];
    discord.gateway.events.on('close', (e: CloseEvent) => closes.push(e));
    discord.gateway.sendRaw('not json');
    const { interaction, handle } = await slashArrives(discord, client, alice, hq);
    assert.equal(interaction.id, handle.id);
    assert.equal(interaction.user.id, alice.id);
    assert.deepEqual(closes, []);
    assert.equal(discord.gateway.identifyCount, 1);
    await destroy(client);
    await stopFake(discord);
  });

  test('a guild added while the client is connected arrives as one GUILD_CREATE, as when a bot joins a guild', T, async () => {
    const discord = await startFake();
    const client = await connect(discord, { intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMembers] });
    const events: string[] = [];
    client.on(Events.Raw, (packet: { t?: string | null }) => {
      if (packet.t) events.push(packet.t);
    });
    const created = nextClientEvent(client, Events.GuildCreate);
    const guild = discord.addGuild({ name: 'Joined' });
    try {
      const [received] = await created;
      assert.equal(received.id, guild.id);
      assert.deepEqual(events, ['GUILD_CREATE']);
    } finally {
      await destroy(client);
      await stopFake(discord);
    }
  });

  test('two fakes in one process are independent', T, async () => {
    const one = await startFake();
    const two = await startFake();
    assert.notEqual(new URL(one.baseUrl).port, new URL(two.baseUrl).port);
    assert.notEqual(one.token, two.token);
    assert.notEqual(one.botUser.id, two.botUser.id);
    const aliceOne = one.addUser({ username: 'alice' });
    const aliceTwo = two.addUser({ username: 'alice' });
    const guildOne = one.addGuild({ name: 'One', members: [aliceOne] });
    const guildTwo = two.addGuild({ name: 'Two', members: [aliceTwo] });
    const clientOne = await connect(one);
    const clientTwo = await connect(two);
    assert.equal(clientOne.user.id, one.botUser.id);
    assert.equal(clientTwo.user.id, two.botUser.id);
    assert.deepEqual([...clientOne.guilds.cache.keys()], [guildOne.id]);
    assert.deepEqual([...clientTwo.guilds.cache.keys()], [guildTwo.id]);

    const seenByTwo: string[] = [];
    clientTwo.on(Events.InteractionCreate, (i) => seenByTwo.push(i.id));
    const { interaction } = await slashArrives(one, clientOne, aliceOne, guildOne);
    assert.equal(interaction.guildId, guildOne.id);
    await sleep(200);
    assert.deepEqual(seenByTwo, []);

    // One fake's token means nothing to the other.
    const crossed = await fetch(`${two.apiUrl}/users/@me`, { headers: { authorization: `Bot ${one.token}` } });
    assert.equal(crossed.status, 401);
    await crossed.body?.cancel();
    assert.equal(one.requests.filter((r) => r.path === '/gateway/bot').length, 1);
    assert.equal(two.requests.filter((r) => r.path === '/gateway/bot').length, 1);

    await destroy(clientOne);
    await destroy(clientTwo);
    await stopFake(one);
    await stopFake(two);
  });

  test('start and stop five times in a row; stop closes open gateway sockets and frees the port', T, async () => {
    let port: number | undefined;
    for (let i = 0; i < 5; i++) {
      const discord = await startFake(port === undefined ? {} : { port });
      const actualPort = Number(new URL(discord.baseUrl).port);
      if (port !== undefined) assert.equal(actualPort, port);
      port = actualPort;
      const gateway = await fetch(`${discord.apiUrl}/gateway`);
      assert.equal(gateway.status, 200);
      assert.deepEqual(await gateway.json(), { url: discord.gatewayUrl });
      const raw = openRaw(discord);
      assert.equal((await raw.firstFrame).op, 10);
      await stopFake(discord);
      const { code } = await raw.closed;
      assert.notEqual(code, 1000);
      await assert.rejects(fetch(`${discord.apiUrl}/gateway`));
    }
  });
});
