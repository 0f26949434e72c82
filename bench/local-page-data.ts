/**
 * Errors as a bot's local store holds them, for the page's benchmark and its screenshot: a few kinds a Discord bot
 * meets (a missing permission, an expired interaction, a bug in a command, a service that is down), spread over
 * two weeks and a handful of users, guilds and releases. Each is a TrackedEvent as the builder makes it.
 */
import { createHash } from 'node:crypto';
import { fingerprintOf } from '../src/tracking/build.js';
import type { TrackedBreadcrumb, TrackedEvent, TrackedFrame } from '../src/tracking/tracked-event.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

interface Kind {
  readonly source: string;
  readonly type: string;
  readonly message: (n: number) => string;
  readonly frames: readonly TrackedFrame[];
  readonly key: readonly string[];
  readonly tags?: Readonly<Record<string, string>>;
  readonly discord?: Readonly<Record<string, unknown>>;
  readonly breadcrumbs?: readonly Omit<TrackedBreadcrumb, 'timestamp'>[];
  readonly options?: Readonly<Record<string, unknown>>;
}

const app = (file: string, line: number, column: number, fn: string): TrackedFrame => ({ file, line, column, function: fn, inApp: true });
const lib = (file: string, line: number, column: number, fn: string): TrackedFrame => ({ file, line, column, function: fn, inApp: false });

const LANTERN_FRAMES = [
  lib('node_modules/lantern/dist/client/router.js', 214, 23, 'Router.runCommand'),
  lib('node_modules/lantern/dist/client/router.js', 121, 11, 'async Router.route'),
  lib('node:internal/process/task_queues', 95, 5, 'process.processTicksAndRejections'),
];
const REST_FRAMES = [
  lib('node_modules/@discordjs/rest/dist/index.js', 730, 13, 'handleErrors'),
  lib('node_modules/@discordjs/rest/dist/index.js', 1133, 23, 'async SequentialHandler.runRequest'),
  lib('node_modules/@discordjs/rest/dist/index.js', 1355, 14, 'async _REST.request'),
];

export const KINDS: readonly Kind[] = [
  {
    source: '/ban',
    type: 'DiscordAPIError[50013]',
    message: () => 'Missing Permissions',
    frames: [...REST_FRAMES, app('src/commands/moderation/ban.ts', 41, 17, 'run'), ...LANTERN_FRAMES],
    key: ['discord-api-error', '50013', 'PUT', '/guilds/:id/bans/:id'],
    tags: { failure: 'discord_api_error', discord_code: '50013', discord_status: '403' },
    discord: { code: 50013, status: 403, method: 'PUT', route: '/guilds/:id/bans/:id', message: 'Missing Permissions' },
    breadcrumbs: [
      { category: 'discord.rest', level: 'info', message: 'GET /guilds/:id/members/:id 200' },
      { category: 'discord.rest', level: 'error', message: 'PUT /guilds/:id/bans/:id 403' },
    ],
    options: { user: '300000000000000011', reason: 'spam links', delete_days: 1 },
  },
  {
    source: '/divide',
    type: 'RangeError',
    message: (n) => `Cannot divide ${String(n % 90)} by zero`,
    frames: [app('src/lib/math.ts', 12, 11, 'divide'), app('src/commands/math.ts', 28, 20, 'run'), ...LANTERN_FRAMES],
    key: ['/divide', 'RangeError', 'src/lib/math.ts in divide', 'Cannot divide <n> by zero'],
    options: { dividend: 7, divisor: 0 },
  },
  {
    source: 'button role:{id}',
    type: 'TypeError',
    message: () => "Cannot read properties of undefined (reading 'roles')",
    frames: [app('src/components/role-picker.ts', 57, 33, 'onClick'), ...LANTERN_FRAMES],
    key: [
      'button role:{id}',
      'TypeError',
      'src/components/role-picker.ts in onClick',
      'Cannot read properties of undefined (reading <value>)',
    ],
  },
  {
    source: 'task sync-profiles',
    type: 'Error',
    message: () => 'profile service answered 503 Service Unavailable',
    frames: [app('src/services/profiles.ts', 88, 13, 'fetchProfiles'), app('src/tasks/sync-profiles.ts', 19, 5, 'run')],
    key: ['task sync-profiles', 'Error', 'src/services/profiles.ts in fetchProfiles', 'profile service answered <n> Service Unavailable'],
    breadcrumbs: [{ category: 'http', level: 'warning', message: 'GET https://profiles.internal/v2/batch 503' }],
  },
  {
    source: '/report',
    type: 'DiscordAPIError[10062]',
    message: () => 'Unknown interaction',
    frames: [...REST_FRAMES, app('src/commands/report.ts', 64, 9, 'run'), ...LANTERN_FRAMES],
    key: ['discord-api-error', '10062', 'POST', '/interactions/:id/:token/callback'],
    tags: { failure: 'discord_api_error', discord_code: '10062', discord_status: '404' },
    discord: { code: 10062, status: 404, method: 'POST', route: '/interactions/:id/:token/callback' },
  },
  {
    source: '/weather',
    type: 'SyntaxError',
    message: () => 'Unexpected token \'<\', "<!DOCTYPE "... is not valid JSON',
    frames: [
      { file: '<anonymous>', line: undefined, column: undefined, function: 'JSON.parse', inApp: false },
      app('src/services/weather.ts', 33, 26, 'forecast'),
      app('src/commands/weather.ts', 15, 22, 'run'),
      ...LANTERN_FRAMES,
    ],
    key: ['/weather', 'SyntaxError', 'src/services/weather.ts in forecast', 'Unexpected token <value>, <value>... is not valid JSON'],
    options: { city: 'Lisbon' },
  },
  {
    source: '/music play',
    type: 'AbortError',
    message: () => 'This operation was aborted',
    frames: [
      lib('node:internal/deps/undici/undici', 13510, 13, 'fetch'),
      app('src/music/resolve.ts', 42, 20, 'resolveTrack'),
      app('src/commands/music.ts', 71, 18, 'play'),
      ...LANTERN_FRAMES,
    ],
    key: ['/music play', 'AbortError', 'src/music/resolve.ts in resolveTrack', 'This operation was aborted'],
    tags: { failure: 'network' },
    options: { query: 'never gonna give you up' },
  },
  {
    source: 'modal feedback',
    type: 'Error',
    message: () => 'Feedback channel 1200000000000000042 is not a text channel',
    frames: [app('src/modals/feedback.ts', 23, 15, 'onSubmit'), ...LANTERN_FRAMES],
    key: ['modal feedback', 'Error', 'src/modals/feedback.ts in onSubmit', 'Feedback channel <id> is not a text channel'],
  },
];

const USERS = ['ada', 'grace', 'linus', 'margaret', 'ken', 'barbara', 'dennis', 'radia', 'alan', 'frances'];
const GUILDS = ['400000000000000101', '400000000000000202', '400000000000000303', '400000000000000404'];
const RELEASES = ['2.3.0', '2.3.1', '2.4.0'];

/** A small deterministic generator, so every run (and the screenshot) shows the same data. */
export function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/**
 * The `n`th event of kind `kind` (its group `variant`: variants of one kind are distinct issues), at `timestamp`.
 * Ids are made from the numbers, so one call makes the same event each time.
 */
export function demoEvent(kind: Kind, variant: number, n: number, timestamp: number, next: () => number): TrackedEvent {
  const user = USERS[Math.floor(next() * USERS.length)] ?? 'ada';
  const userId = `30000000000000${String(USERS.indexOf(user)).padStart(4, '0')}`;
  const guildId = GUILDS[Math.floor(next() * next() * GUILDS.length)] ?? '400000000000000101';
  const release =
    RELEASES[Math.min(RELEASES.length - 1, Math.floor(((timestamp % (14 * DAY)) / (14 * DAY)) * 3 + next() * 0.6))] ?? '2.4.0';
  const suffix = variant === 0 ? '' : ` (shard ${String(variant)})`;
  const message = `${kind.message(n)}${suffix}`;
  const key = variant === 0 ? kind.key : [...kind.key, String(variant)];
  const own = kind.frames.find((frame) => frame.inApp);
  const command = kind.source.startsWith('/') ? kind.source : undefined;
  const breadcrumbs: TrackedBreadcrumb[] = [
    { timestamp: timestamp - 4200, category: 'discord.gateway', level: 'info', message: 'shard 0 resumed' },
    { timestamp: timestamp - 900, category: 'lantern.interaction', level: 'info', message: `${kind.source} from user ${userId}` },
    ...(kind.breadcrumbs ?? []).map((crumb, i) => ({ ...crumb, timestamp: timestamp - 400 + i * 150 })),
  ];
  return {
    eventId: createHash('md5')
      .update(`${String(variant)}:${String(n)}`)
      .digest('hex'),
    timestamp,
    level: 'error',
    source: kind.source,
    title: `${kind.type}: ${message}`,
    culprit: own ? `${own.file}:${String(own.line)} in ${own.function ?? '?'}` : kind.source,
    fingerprint: fingerprintOf(key),
    groupingKey: key,
    error: {
      type: kind.type,
      message,
      stack: [
        `${kind.type}: ${message}`,
        ...kind.frames.map((frame) =>
          frame.line === undefined
            ? `    at ${frame.function ?? ''} (${frame.file})`
            : `    at ${frame.function ?? ''} (${frame.file}:${String(frame.line)}:${String(frame.column)})`,
        ),
      ].join('\n'),
      frames: kind.frames,
      causes: [],
    },
    tags: {
      source: kind.source,
      ...(command ? { command, interaction_type: 'command' } : {}),
      guild_id: guildId,
      channel_id: `50000000000000${guildId.slice(-4)}`,
      shard_id: String(variant % 4),
      locale: next() < 0.7 ? 'en-US' : 'pt-BR',
      ...kind.tags,
    },
    user: { id: userId, username: user },
    contexts: {
      bot: { name: 'Beacon', shard_count: 4, guilds: 1840 },
      ...(kind.options ? { interaction: { type: 'command', command: kind.source, options: kind.options, guild_id: guildId } } : {}),
      ...(kind.discord ? { discord: kind.discord } : {}),
    },
    breadcrumbs,
    release,
    environment: 'production',
  };
}

/**
 * `total` events over `issues` issues (`issues / KINDS.length` variants of each kind) in the 14 days before `now`:
 * a few issues take most of the events, as in a real bot, and each issue's events stop at a time of its own, so the
 * list's "last seen" and sparklines differ from row to row. Every issue gets at least one event. Yields batches.
 */
export function* demoBatches(total: number, issues: number, now: number, batchSize = 1000): Generator<TrackedEvent[]> {
  const next = random(14);
  const occurrences: { group: number; timestamp: number }[] = [];
  for (let n = 0; n < total; n++) {
    const group = n < issues ? n : Math.floor(Math.pow(next(), 1.8) * issues);
    const quietFor = ((group * 7) % 11) * 2.5 * HOUR;
    // Skewed towards the recent past: the 24-hour sparkline has something to show.
    occurrences.push({ group, timestamp: now - quietFor - Math.pow(next(), 2.2) * (14 * DAY - quietFor) });
  }
  // Oldest first, as a bot writes them.
  occurrences.sort((a, b) => a.timestamp - b.timestamp);
  for (let start = 0; start < total; start += batchSize)
    yield occurrences.slice(start, start + batchSize).map(({ group, timestamp }, i) => {
      const kind = KINDS[group % KINDS.length] as Kind;
      return demoEvent(kind, Math.floor(group / KINDS.length), start + i, timestamp, next);
    });
}
