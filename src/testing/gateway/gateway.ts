import { EventEmitter } from 'node:events';
import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, WebSocket } from 'ws';
import { GatewayCloseCodes, GatewayIntentBits, GatewayOpcodes } from 'discord-api-types/v10';
import { userToAPI } from '../state.js';
import type { DispatchRequest, FakeState } from '../state.js';
import { waitForEmit } from '../wait.js';
import { stringifyDeep } from './json-text.js';

export interface GatewayOptions {
  readonly heartbeatIntervalMs: number;
  /** Intents the application may use beyond the unprivileged ones (GuildMembers, GuildPresences, MessageContent). */
  readonly privilegedIntents: number;
  /** How many dispatches a session keeps for a resume. */
  readonly resumeBufferLimit: number;
  readonly verifyToken: (token: unknown) => boolean;
  readonly gatewayUrl: () => string;
}

/** A shard's view as a test sees it. */
export interface ShardSessionInfo {
  readonly sessionId: string;
  readonly shard: readonly [number, number];
  readonly intents: number;
  readonly connected: boolean;
  /** The last sequence number the fake sent. */
  readonly sequence: number;
}

export interface IdentifyEvent {
  readonly shard: readonly [number, number];
  readonly intents: number;
  /** IDENTIFY's `properties`; the token is never kept. */
  readonly properties: unknown;
}

export interface ResumeEvent {
  readonly shard: readonly [number, number];
  readonly sessionId: string;
  /** How many missed dispatches were replayed. */
  readonly replayed: number;
}

export interface CloseEvent {
  readonly shard: readonly [number, number] | null;
  readonly code: number;
}

/** Which shards a fault or a raw payload targets: one shard id, or every connected shard when omitted. */
export interface ShardSelector {
  readonly shard?: number;
}

interface Session {
  readonly id: string;
  readonly shard: readonly [number, number];
  readonly intents: number;
  sequence: number;
  socket: WebSocket | null;
  /** Sent dispatches, newest last, for replay on RESUME. */
  readonly buffer: { s: number; frame: string }[];
  acksPaused: boolean;
}

interface Connection {
  readonly socket: WebSocket;
  session: Session | null;
}

const PRIVILEGED = GatewayIntentBits.GuildMembers | GatewayIntentBits.GuildPresences | GatewayIntentBits.MessageContent;
/** Codes a close frame never carries (RFC 6455 7.4.1), which a client reports when there was no code or no frame. */
const NO_STATUS = 1005;
const ABNORMAL_CLOSURE = 1006;

function isSendableCloseCode(code: number): boolean {
  if (!Number.isInteger(code)) return false;
  if (code === NO_STATUS || code === ABNORMAL_CLOSURE) return true;
  return (code >= 1000 && code <= 1014 && code !== 1004) || (code >= 3000 && code <= 4999);
}

/** Gateway v10 over WebSocket: HELLO, IDENTIFY, READY, heartbeats, RESUME, sharding by guild id. */
export class FakeGateway {
  readonly events = new EventEmitter();
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly connections = new Set<Connection>();
  /** Current session per shard id. */
  private readonly sessions = new Map<number, Session>();
  private readonly sessionsById = new Map<string, Session>();
  private identifies = 0;

  constructor(
    private readonly state: FakeState,
    private readonly options: GatewayOptions,
  ) {
    this.events.setMaxListeners(0);
    state.events.on('dispatch', (request: DispatchRequest) => {
      this.route(request);
    });
  }

  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.wss.handleUpgrade(request, socket, head, (ws) => {
      this.accept(ws, request);
    });
  }

  /** Every shard that has identified, connected or waiting to resume. */
  get shards(): ShardSessionInfo[] {
    return [...this.sessions.values()].map((s) => ({
      sessionId: s.id,
      shard: s.shard,
      intents: s.intents,
      connected: s.socket?.readyState === WebSocket.OPEN,
      sequence: s.sequence,
    }));
  }

  /** How many IDENTIFYs succeeded since start. */
  get identifyCount(): number {
    return this.identifies;
  }

  /** True when the shard that would receive events for this guild (or shard 0 for DMs) has a session. */
  hasSessionFor(guildId: string | null): boolean {
    return [...this.sessions.values()].some((s) => s.shard[0] === shardOf(guildId, s.shard[1]));
  }

  /**
   * Closes the shards' connections with a close code; 4000-range codes other than 4004/4010-4014 let discord.js
   * resume. 1006 (abnormal closure) and 1005 (no code) are never sent in a close frame: 1006 drops the connection
   * without one, 1005 sends a close frame without a code, which is how clients come to see them.
   */
  close(code: number, selector: ShardSelector = {}): void {
    if (!isSendableCloseCode(code))
      throw new RangeError(`Close code ${code} cannot be sent or simulated: use 1000-1003, 1005-1014 or 3000-4999`);
    for (const session of this.select(selector)) {
      if (code === ABNORMAL_CLOSURE) session.socket?.terminate();
      else if (code === NO_STATUS) session.socket?.close();
      else session.socket?.close(code, 'Closed by the fake Discord');
    }
  }

  /** Stops answering heartbeats, so the client sees a zombie connection and reconnects. */
  pauseHeartbeatAcks(selector: ShardSelector = {}): void {
    for (const session of this.select(selector)) session.acksPaused = true;
  }

  resumeHeartbeatAcks(selector: ShardSelector = {}): void {
    for (const session of this.select(selector)) session.acksPaused = false;
  }

  /** Sends a frame exactly as given (malformed JSON, a payload of the wrong shape...). */
  sendRaw(frame: string, selector: ShardSelector = {}): void {
    for (const session of this.select(selector)) session.socket?.send(frame);
  }

  /** Sends a dispatch with the next sequence number whatever its shape, for testing bad gateway input. */
  dispatchRaw(t: string, d: unknown, selector: ShardSelector = {}): void {
    for (const session of this.select(selector)) this.send(session, t, d);
  }

  /** Asks the shards to reconnect and resume (op 7), as Discord does before a restart. */
  requestReconnect(selector: ShardSelector = {}): void {
    for (const session of this.select(selector)) session.socket?.send(JSON.stringify({ op: GatewayOpcodes.Reconnect, d: null }));
  }

  /** Invalidates the shards' sessions (op 9); with `resumable: false` they must identify again. */
  invalidateSession({ resumable = false, ...selector }: ShardSelector & { resumable?: boolean } = {}): void {
    for (const session of this.select(selector)) {
      if (!resumable) this.forget(session);
      const socket = session.socket;
      // The client answers on the same socket (RESUME or IDENTIFY), which must be unauthenticated again.
      session.socket = null;
      for (const connection of this.connections) if (connection.session === session) connection.session = null;
      socket?.send(JSON.stringify({ op: GatewayOpcodes.InvalidSession, d: resumable }));
    }
  }

  waitForIdentify(accept: (e: IdentifyEvent) => boolean = () => true, timeout = 10_000): Promise<IdentifyEvent> {
    return waitForEmit(this.events, 'identify', accept, timeout, 'an IDENTIFY');
  }

  waitForResume(accept: (e: ResumeEvent) => boolean = () => true, timeout = 10_000): Promise<ResumeEvent> {
    return waitForEmit(this.events, 'resume', accept, timeout, 'a RESUME');
  }

  async stop(): Promise<void> {
    for (const { socket } of this.connections) socket.terminate();
    this.connections.clear();
    await new Promise<void>((resolve) => {
      this.wss.close(() => {
        resolve();
      });
    });
  }

  private select({ shard }: ShardSelector): Session[] {
    return [...this.sessions.values()].filter((s) => shard === undefined || s.shard[0] === shard);
  }

  private accept(socket: WebSocket, request: IncomingMessage): void {
    const connection: Connection = { socket, session: null };
    this.connections.add(connection);
    socket.on('close', (code) => {
      this.connections.delete(connection);
      const session = connection.session;
      if (session?.socket === socket) {
        session.socket = null;
        // A client that closes with 1000 or 1001 (discord.js's destroy) ends its session, as on Discord.
        if (code === 1000 || code === 1001) this.forget(session);
      }
      this.events.emit('close', { shard: session?.shard ?? null, code } satisfies CloseEvent);
    });
    socket.on('error', () => {
      // A client that vanishes mid-frame is the client's business; the close handler cleans up.
    });
    const query = new URL(request.url ?? '/', 'ws://fake').searchParams;
    if (query.get('v') !== '10') {
      socket.close(GatewayCloseCodes.InvalidAPIVersion, 'Invalid API version');
      return;
    }
    if ((query.get('encoding') ?? 'json') !== 'json') {
      socket.close(GatewayCloseCodes.DecodeError, 'Only json encoding is supported by the fake');
      return;
    }
    socket.send(JSON.stringify({ op: GatewayOpcodes.Hello, d: { heartbeat_interval: this.options.heartbeatIntervalMs } }));
    socket.on('message', (data, isBinary) => {
      this.receive(connection, isBinary ? null : (data as Buffer).toString('utf8'));
    });
  }

  private receive(connection: Connection, text: string | null): void {
    const { socket } = connection;
    let payload: { op?: unknown; d?: unknown };
    try {
      const parsed: unknown = JSON.parse(text ?? '');
      if (typeof parsed !== 'object' || parsed === null) throw new TypeError('not an object');
      payload = parsed;
    } catch {
      socket.close(GatewayCloseCodes.DecodeError, 'Error while decoding payload');
      return;
    }
    switch (payload.op) {
      case GatewayOpcodes.Heartbeat:
        if (!connection.session?.acksPaused) socket.send(JSON.stringify({ op: GatewayOpcodes.HeartbeatAck }));
        return;
      case GatewayOpcodes.Identify:
        this.identify(connection, payload.d as Record<string, unknown> | null);
        return;
      case GatewayOpcodes.Resume:
        this.resume(connection, payload.d as Record<string, unknown> | null);
        return;
      case GatewayOpcodes.PresenceUpdate:
      case GatewayOpcodes.VoiceStateUpdate:
      case GatewayOpcodes.RequestGuildMembers:
        if (!connection.session) socket.close(GatewayCloseCodes.NotAuthenticated, 'Not authenticated');
        else if (payload.op === GatewayOpcodes.RequestGuildMembers)
          this.sendMemberChunk(connection.session, payload.d as Record<string, unknown>);
        return;
      default:
        socket.close(connection.session ? GatewayCloseCodes.UnknownOpcode : GatewayCloseCodes.NotAuthenticated, 'Unknown opcode');
    }
  }

  private identify(connection: Connection, d: Record<string, unknown> | null): void {
    const { socket } = connection;
    if (connection.session) {
      socket.close(GatewayCloseCodes.AlreadyAuthenticated, 'Already authenticated');
      return;
    }
    if (!d || !this.options.verifyToken(d.token)) {
      socket.close(GatewayCloseCodes.AuthenticationFailed, 'Authentication failed');
      return;
    }
    const pair = readShard(d.shard ?? [0, 1]);
    if (!pair) {
      socket.close(GatewayCloseCodes.InvalidShard, 'Invalid shard');
      return;
    }
    const intents = d.intents;
    if (typeof intents !== 'number' || !Number.isInteger(intents) || intents < 0) {
      socket.close(GatewayCloseCodes.InvalidIntents, 'Invalid intent(s)');
      return;
    }
    if ((intents & PRIVILEGED & ~this.options.privilegedIntents) !== 0) {
      socket.close(GatewayCloseCodes.DisallowedIntents, 'Disallowed intent(s)');
      return;
    }
    const previous = this.sessions.get(pair[0]);
    if (previous) this.forget(previous);
    const session: Session = {
      id: randomBytes(16).toString('hex'),
      shard: pair,
      intents,
      sequence: 0,
      socket,
      buffer: [],
      acksPaused: false,
    };
    this.sessions.set(pair[0], session);
    this.sessionsById.set(session.id, session);
    connection.session = session;
    this.identifies++;

    const guilds = [...this.state.guilds.values()].filter((g) => shardOf(g.id, pair[1]) === pair[0]);
    this.send(session, 'READY', {
      v: 10,
      user_settings: {},
      user: userToAPI(this.state.botUser),
      guilds: guilds.map((g) => ({ id: g.id, unavailable: true })),
      session_id: session.id,
      resume_gateway_url: this.options.gatewayUrl(),
      shard: pair,
      application: { id: this.state.application.id, flags: 0, flags_new: '0' },
      private_channels: [],
      relationships: [],
      presences: [],
      guild_join_requests: [],
      geo_ordered_rtc_regions: [],
    });
    if ((intents & GatewayIntentBits.Guilds) !== 0) {
      for (const guild of guilds) this.send(session, 'GUILD_CREATE', this.guildCreateFor(session, guild.toGatewayAPI()));
    }
    this.events.emit('identify', { shard: pair, intents, properties: d.properties } satisfies IdentifyEvent);
  }

  private resume(connection: Connection, d: Record<string, unknown> | null): void {
    const { socket } = connection;
    if (connection.session) {
      socket.close(GatewayCloseCodes.AlreadyAuthenticated, 'Already authenticated');
      return;
    }
    if (!d || !this.options.verifyToken(d.token)) {
      socket.close(GatewayCloseCodes.AuthenticationFailed, 'Authentication failed');
      return;
    }
    const session = typeof d.session_id === 'string' ? this.sessionsById.get(d.session_id) : undefined;
    const seq = typeof d.seq === 'number' ? d.seq : -1;
    const oldest = session?.buffer[0]?.s ?? (session ? session.sequence + 1 : 0);
    if (!session || seq > session.sequence || seq + 1 < oldest) {
      socket.send(JSON.stringify({ op: GatewayOpcodes.InvalidSession, d: false }));
      return;
    }
    session.socket?.close(GatewayCloseCodes.SessionTimedOut, 'Resumed elsewhere');
    session.socket = socket;
    session.acksPaused = false;
    connection.session = session;
    const missed = session.buffer.filter((entry) => entry.s > seq);
    for (const entry of missed) socket.send(entry.frame);
    this.send(session, 'RESUMED', null);
    this.events.emit('resume', { shard: session.shard, sessionId: session.id, replayed: missed.length } satisfies ResumeEvent);
  }

  private sendMemberChunk(session: Session, d: Record<string, unknown>): void {
    const guild = typeof d.guild_id === 'string' ? this.state.guilds.get(d.guild_id) : undefined;
    if (!guild) return;
    const query = typeof d.query === 'string' ? d.query.toLowerCase() : '';
    const ids = Array.isArray(d.user_ids) ? new Set(d.user_ids as string[]) : null;
    const limit = typeof d.limit === 'number' && d.limit > 0 ? d.limit : Infinity;
    const members = [...guild.members.values()]
      .filter((m) => (ids ? ids.has(m.user.id) : m.user.username.toLowerCase().startsWith(query)))
      .slice(0, limit);
    this.send(session, 'GUILD_MEMBERS_CHUNK', {
      guild_id: guild.id,
      members: members.map((m) => guild.memberToAPI(m)),
      chunk_index: 0,
      chunk_count: 1,
      ...(ids ? { not_found: [...ids].filter((id) => !guild.members.has(id)) } : {}),
      ...(d.nonce === undefined ? {} : { nonce: d.nonce }),
    });
  }

  private route(request: DispatchRequest): void {
    for (const session of this.sessions.values()) {
      if (session.shard[0] !== shardOf(request.guildId, session.shard[1])) continue;
      if (request.intent !== null && (session.intents & request.intent) === 0) continue;
      this.send(session, request.t, this.asSeenBy(session, request));
    }
  }

  /** What Discord withholds from a session for want of a privileged intent. */
  private asSeenBy(session: Session, { t, d, guildId }: DispatchRequest): unknown {
    if (t === 'GUILD_CREATE') return this.guildCreateFor(session, d as Record<string, unknown>);
    const hidesContent = guildId !== null && (session.intents & GatewayIntentBits.MessageContent) === 0;
    if (hidesContent && (t === 'MESSAGE_CREATE' || t === 'MESSAGE_UPDATE')) {
      const message = d as { author?: { id: string }; mentions?: { id: string }[] };
      const botId = this.state.botUser.id;
      if (message.author?.id !== botId && !message.mentions?.some((u) => u.id === botId))
        return { ...message, content: '', embeds: [], attachments: [], components: [] };
    }
    return d;
  }

  /** Without GuildPresences, GUILD_CREATE lists only the bot's own member (Discord adds members in voice, which the fake has none of). */
  private guildCreateFor(session: Session, guild: Record<string, unknown>): Record<string, unknown> {
    if ((session.intents & GatewayIntentBits.GuildPresences) !== 0) return guild;
    const botId = this.state.botUser.id;
    return { ...guild, members: (guild.members as { user: { id: string } }[]).filter((m) => m.user.id === botId) };
  }

  private send(session: Session, t: string, d: unknown): void {
    const s = ++session.sequence;
    const frame = serialize({ op: GatewayOpcodes.Dispatch, t, s, d });
    session.buffer.push({ s, frame });
    if (session.buffer.length > this.options.resumeBufferLimit) session.buffer.shift();
    if (session.socket?.readyState === WebSocket.OPEN) session.socket.send(frame);
  }

  private forget(session: Session): void {
    this.sessionsById.delete(session.id);
    if (this.sessions.get(session.shard[0]) === session) this.sessions.delete(session.shard[0]);
  }
}

/** The fast path for every dispatch; the iterative one for a payload nested past the call stack. */
function serialize(payload: unknown): string {
  try {
    return JSON.stringify(payload);
  } catch (error) {
    if (error instanceof RangeError) return stringifyDeep(payload);
    throw error;
  }
}

function readShard(value: unknown): readonly [number, number] | null {
  if (!Array.isArray(value) || value.length !== 2) return null;
  const [id, count] = value as unknown[];
  if (typeof id !== 'number' || typeof count !== 'number' || !Number.isInteger(id) || !Number.isInteger(count)) return null;
  return count >= 1 && id >= 0 && id < count ? [id, count] : null;
}

/** Discord's rule: a guild's events go to shard `(guild_id >> 22) % shard_count`; DMs go to shard 0. */
export function shardOf(guildId: string | null, shardCount: number): number {
  if (guildId === null) return 0;
  return Number((BigInt(guildId) >> 22n) % BigInt(shardCount));
}
