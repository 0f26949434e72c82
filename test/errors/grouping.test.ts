/**
 * Discord-aware grouping on discord.js's own error classes: how a failure is fingerprinted, keyed and tagged, and
 * the route template a URL becomes (no ids, no tokens, no query).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DiscordAPIError, HTTPError, RateLimitError } from 'discord.js';
import { groupError, routeTemplate } from '../../src/errors/grouping.js';

const CHANNEL_MESSAGES = 'https://discord.com/api/v10/channels/1234567890123456789/messages';

function apiError(status: number, code = 50013, method = 'post', url = CHANNEL_MESSAGES) {
  return new DiscordAPIError({ code, message: 'Missing Permissions' }, code, status, method, url, {});
}

test('a DiscordAPIError is grouped by code, method and route; 5xx is a server error, below is an API error', () => {
  for (const [status, failure] of [
    [403, 'discord_api_error'],
    [499, 'discord_api_error'],
    [500, 'discord_server_error'],
    [503, 'discord_server_error'],
  ] as const) {
    const grouping = groupError('/announce', apiError(status));
    assert.deepEqual(grouping.fingerprint, ['discord-api-error', '50013', 'POST', '/channels/:id/messages']);
    assert.equal(grouping.key, 'discord-api-error 50013 POST /channels/:id/messages');
    assert.deepEqual(grouping.tags, { failure, discord_code: '50013', discord_status: String(status) });
    assert.deepEqual(grouping.discord, {
      code: 50013,
      status,
      method: 'POST',
      route: '/channels/:id/messages',
      message: 'Missing Permissions',
    });
  }
});

test('a Discord error found as a cause groups under the wrapper’s type; the same failure elsewhere is the same group', () => {
  const wrapped = new TypeError('announcing failed', { cause: apiError(403) });
  const grouping = groupError('/announce', wrapped);
  assert.deepEqual(grouping.fingerprint, ['TypeError', 'discord-api-error', '50013', 'POST', '/channels/:id/messages']);
  const elsewhere = apiError(403, 50013, 'POST', 'https://discord.com/api/v10/channels/9876543210987654321/messages?wait=true');
  assert.equal(groupError('/other', elsewhere).key, groupError('/announce', apiError(403)).key);
});

test('an HTTPError (a 5xx without a body) is a server error grouped by status, method and route', () => {
  const grouping = groupError('/announce', new HTTPError(502, 'Bad Gateway', 'patch', `${CHANNEL_MESSAGES}/1234567890123456780`, {}));
  assert.deepEqual(grouping.fingerprint, ['discord-http-error', '502', 'PATCH', '/channels/:id/messages/:id']);
  assert.equal(grouping.key, 'discord-http-error 502 PATCH /channels/:id/messages/:id');
  assert.deepEqual(grouping.tags, { failure: 'discord_server_error', discord_status: '502' });
  assert.deepEqual(grouping.discord, { status: 502, method: 'PATCH', route: '/channels/:id/messages/:id' });
});

test('a RateLimitError is tagged rate limited, grouped by method and route, with its wait and whether it is global', () => {
  const error = new RateLimitError({
    timeToReset: 1000,
    limit: 5,
    method: 'put',
    hash: 'h',
    url: 'https://discord.com/api/v10/channels/1234567890123456789/messages/1234567890123456780/reactions/%F0%9F%91%8D/@me',
    route: '/channels/1234567890123456789/messages/:id/reactions/%F0%9F%91%8D/@me',
    majorParameter: '1234567890123456789',
    global: false,
    retryAfter: 1000,
    sublimitTimeout: 0,
    scope: 'user',
  });
  const grouping = groupError('/react', error);
  assert.deepEqual(grouping.fingerprint, ['discord-rate-limited', 'PUT', '/channels/:id/messages/:id/reactions/:emoji/@me']);
  assert.deepEqual(grouping.tags, { failure: 'discord_rate_limited' });
  assert.deepEqual(grouping.discord, {
    method: 'PUT',
    route: '/channels/:id/messages/:id/reactions/:emoji/@me',
    global: false,
    retry_after_ms: 1000,
  });
});

test('other errors keep Sentry’s grouping: keyed by source, type and the frame that threw; network failures are tagged', () => {
  const plain = new RangeError('out of range');
  const grouping = groupError('/roll', plain);
  assert.equal(grouping.fingerprint, undefined);
  assert.equal(grouping.discord, undefined);
  assert.deepEqual(grouping.tags, {});
  const frame = plain.stack?.split('\n')[1]?.trim() ?? '';
  assert.match(frame, /^at .*grouping\.test\.ts:\d+:\d+\)?$/);
  assert.equal(grouping.key, `/roll RangeError ${frame}`);

  const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:443'), { code: 'ECONNREFUSED' });
  assert.deepEqual(groupError('/roll', new Error('fetch failed', { cause: refused })).tags, { failure: 'network' });
  const aborted = new Error('This operation was aborted');
  aborted.name = 'AbortError';
  assert.deepEqual(groupError('/roll', aborted).tags, { failure: 'network' });
  const other = Object.assign(new Error('no such file'), { code: 'ENOENT' });
  assert.deepEqual(groupError('/roll', other).tags, {});

  const noStack = new Error('no stack');
  noStack.stack = 'Error: no stack';
  assert.equal(groupError('/roll', noStack).key, '/roll Error ');
  const oneFrame = new Error('one frame');
  oneFrame.stack = 'Error: one frame\n    at only (file.js:1:1)';
  assert.equal(groupError('/roll', oneFrame).key, '/roll Error at only (file.js:1:1)');
});

test('route templates drop the origin, the API prefix, ids, tokens, emojis and the query', () => {
  const cases: [string, string][] = [
    [CHANNEL_MESSAGES, '/channels/:id/messages'],
    ['/api/v10/guilds/123456789012345678/members/123456789012345678', '/guilds/:id/members/:id'],
    ['/api/guilds/123456789012345678', '/guilds/:id'],
    ['/interactions/1234567890123456789/aW50ZXJhY3Rpb246secret/callback?with_response=true', '/interactions/:id/:token/callback'],
    ['https://discord.com/api/v10/webhooks/123456789012345678/Whk-token/messages/@original', '/webhooks/:id/:token/messages/@original'],
    ['/channels/123456789012345678/messages/123456789012345678/reactions/👍/@me', '/channels/:id/messages/:id/reactions/:emoji/@me'],
    ['/applications/12345/commands#top', '/applications/12345/commands'],
    ['/gateway/bot', '/gateway/bot'],
  ];
  for (const [url, route] of cases) assert.equal(routeTemplate(url), route, url);
});

test('every connection failure of Node and undici is tagged network, by its code or by its name, and only those', () => {
  const codes = ['ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH'].concat([
    'EHOSTUNREACH',
    'UND_ERR_SOCKET',
    'UND_ERR_CONNECT_TIMEOUT',
    'UND_ERR_HEADERS_TIMEOUT',
    'UND_ERR_BODY_TIMEOUT',
  ]);
  for (const code of [...codes, 'UND_ERR_CLOSED']) {
    assert.deepEqual(groupError('/roll', Object.assign(new Error(code), { code })).tags, { failure: 'network' }, code);
  }
  for (const name of ['AbortError', 'ConnectTimeoutError', 'HeadersTimeoutError', 'BodyTimeoutError', 'SocketError']) {
    const error = new Error(name);
    error.name = name;
    assert.deepEqual(groupError('/roll', error).tags, { failure: 'network' }, name);
  }
  for (const code of ['', 'EACCES', 'ERR_INVALID_ARG_TYPE']) {
    assert.deepEqual(groupError('/roll', Object.assign(new Error('x'), { code })).tags, {}, `code ${JSON.stringify(code)}`);
  }
  assert.deepEqual(groupError('/roll', Object.assign(new Error('x'), { code: 104 })).tags, {}, 'a numeric code');
});

test("a 50035's field errors become one line per field, a form-wide one as (body); a tree past 16 levels is not followed", () => {
  const deep: Record<string, unknown> = { _errors: [{ code: 'TOO_DEEP', message: 'never shown' }] };
  let tree = deep;
  for (let level = 0; level < 20; level++) tree = { [`l${String(level)}`]: tree };
  const rawError = {
    code: 50035,
    message: 'Invalid Form Body',
    errors: {
      _errors: [{ code: 'BASE_TYPE_REQUIRED', message: 'This field is required' }],
      options: {
        0: { name: { _errors: [{ code: 'BASE_TYPE_BAD_LENGTH', message: 'Must be between 1 and 32 in length.' }] } },
      },
      deep: tree,
    },
  };
  const error = new DiscordAPIError(rawError, 50035, 400, 'put', CHANNEL_MESSAGES, {});
  assert.deepEqual(groupError('command sync', error).discord, {
    code: 50035,
    status: 400,
    method: 'PUT',
    route: '/channels/:id/messages',
    message: 'Invalid Form Body',
    errors: [
      '(body): BASE_TYPE_REQUIRED This field is required',
      'options.0.name: BASE_TYPE_BAD_LENGTH Must be between 1 and 32 in length.',
    ],
  });
  const shallow = new DiscordAPIError(
    { code: 50035, message: 'Invalid Form Body', errors: { a: { b: { _errors: [{ code: 'X', message: 'y' }] } } } },
    50035,
    400,
    'post',
    CHANNEL_MESSAGES,
    {},
  );
  assert.deepEqual((groupError('/x', shallow).discord as { errors: string[] }).errors, ['a.b: X y']);
  const none = new DiscordAPIError({ code: 50013, message: 'Missing Permissions', errors: {} }, 50013, 403, 'post', CHANNEL_MESSAGES, {});
  assert.equal('errors' in (groupError('/x', none).discord ?? {}), false, 'no field errors, no errors key');
});

test('a route template keeps paths that only look like the API prefix, and a bare /api', () => {
  const cases: [string, string][] = [
    ['/api', ''],
    ['/api/v10', ''],
    ['/apiary/123456789012345678', '/apiary/:id'],
    ['https://discord.com/users/@me', '/users/@me'],
    ['/channels/123', '/channels/123'],
  ];
  for (const [url, route] of cases) assert.equal(routeTemplate(url), route, url);
});

test('field errors: a malformed tree (null, text, an `_errors` that is no list) is passed over; 16 levels are followed', () => {
  const nested = (depth: number, code: string) => {
    let tree: Record<string, unknown> = { _errors: [{ code, message: `at depth ${String(depth)}` }] };
    for (let level = depth; level > 0; level--) tree = { [`l${String(level)}`]: tree };
    return tree;
  };
  const rawError = {
    code: 50035,
    message: 'Invalid Form Body',
    errors: {
      content: null,
      embeds: 'not a tree',
      components: { _errors: 'not a list' },
      sixteen: nested(15, 'DEEPEST_FOLLOWED'),
      seventeen: nested(16, 'ONE_TOO_DEEP'),
    },
  };
  // discord.js's constructor walks the tree and throws on null or text, so the tree is put in after it.
  const error = new DiscordAPIError({ code: 50035, message: 'Invalid Form Body' }, 50035, 400, 'post', CHANNEL_MESSAGES, {});
  Object.assign(error.rawError, rawError);
  const { errors } = groupError('/x', error).discord as { errors: string[] };
  assert.deepEqual(errors, [
    `sixteen.${Array.from({ length: 15 }, (_, i) => `l${String(i + 1)}`).join('.')}: DEEPEST_FOLLOWED at depth 15`,
  ]);
});
