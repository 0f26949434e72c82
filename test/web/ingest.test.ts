/**
 * The page's Sentry-compatible ingest route, fed by the real @sentry/node SDK (a NodeClient in this process, and an
 * app calling Sentry.init in a child process), then read back from the store file.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { request } from 'node:http';
import type { ClientRequest, IncomingMessage, RequestOptions } from 'node:http';
import { test } from 'node:test';
import type { TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { deflateSync, gzipSync } from 'node:zlib';
import { captureFeedback, defaultStackParser, makeNodeTransport, NodeClient, Scope } from '@sentry/node';
import { ErrorStore } from '../../src/ext/local/store.js';
import type { RunningPage } from '../../src/web/serve.js';
import { originOf, startPage } from '../support/page.js';

const T = { timeout: 30_000 };
const run = promisify(execFile);
type NodeClientOptions = ConstructorParameters<typeof NodeClient>[0];
type HttpModule = NonNullable<NodeClientOptions['transportOptions']>['httpModule'];
/** The shape of a Discord bot token (made up). */
const BOT_TOKEN = 'MTIzNDU2Nzg5MDEyMzQ1Njc4.GhIjKl.a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8s9';

interface Sdk {
  readonly client: NodeClient;
  readonly scope: Scope;
  /** The content-encoding of each request the SDK made. */
  readonly encodings: (string | undefined)[];
}

/** A NodeClient of its own with no integrations, recording the content-encoding of each request it makes. */
function sdkFor(t: TestContext, dsn: string, options: Partial<NodeClientOptions> = {}): Sdk {
  const encodings: (string | undefined)[] = [];
  const httpModule: HttpModule = {
    request: (requestOptions: RequestOptions, callback?: (res: IncomingMessage) => void): ClientRequest => {
      encodings.push((requestOptions.headers as Record<string, string | undefined> | undefined)?.['content-encoding']);
      return request(requestOptions, callback);
    },
  };
  const client = new NodeClient({
    dsn,
    release: 'app@1.2.3',
    environment: 'staging',
    integrations: [],
    stackParser: defaultStackParser,
    enableRuntimeChannelInjection: false,
    transport: makeNodeTransport,
    transportOptions: { httpModule },
    ...options,
  });
  client.init();
  t.after(() => client.close(500));
  const scope = new Scope();
  scope.setClient(client);
  return { client, scope, encodings };
}

async function readStore(page: RunningPage & { db: string }): Promise<ErrorStore> {
  return ErrorStore.open(page.db, { readonly: true });
}

async function post(page: RunningPage, body: Buffer | string, headers: Record<string, string> = {}, path = '/api/1/envelope/') {
  const response = await fetch(`${originOf(page)}${path}`, { method: 'POST', body, headers });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

function divide(n: number): never {
  throw new RangeError(`Cannot divide ${String(n)} by zero`);
}

test('events the real SDK sends land in the store as issues: type, message, in-app frames, tags, user, contexts', T, async (t) => {
  const page = await startPage(t);
  const sdk = sdkFor(t, page.dsn);
  sdk.scope.setTag('command', '/divide');
  sdk.scope.setTag('guild_id', '400000000000000001');
  sdk.scope.setUser({ id: '300000000000000001', username: 'ada' });
  sdk.scope.setContext('interaction', { options: { n: 3 } });
  sdk.scope.addBreadcrumb({ category: 'discord.rest', message: 'GET /users/@me 200', level: 'info' });
  const ids: string[] = [];
  for (const n of [3, 4]) {
    try {
      divide(n);
    } catch (error) {
      ids.push(sdk.scope.captureException(error));
    }
  }
  assert.equal(await sdk.client.flush(5000), true);

  const store = await readStore(page);
  t.after(() => {
    store.close();
  });
  const [issue, ...others] = store.listIssues();
  assert.equal(others.length, 0, 'numbers in the message are normalised: one issue');
  assert.ok(issue);
  assert.equal(issue.count, 2);
  assert.equal(issue.title, 'RangeError: Cannot divide 4 by zero');
  assert.equal(issue.source, 'sentry');
  assert.match(issue.culprit, /ingest\.test\.ts:\d+ in divide$/);
  assert.equal(issue.lastRelease, 'app@1.2.3');
  assert.deepEqual(
    store.values(issue.id, 'command').map((value) => value.value),
    ['/divide'],
  );
  const stored = store.event(ids[1] as string);
  assert.ok(stored, 'the event keeps the id the SDK gave it');
  const { event } = stored;
  assert.equal(event.error.type, 'RangeError');
  assert.equal(event.error.frames[0]?.function, 'divide', 'innermost frame first');
  assert.equal(event.error.frames[0].inApp, true);
  assert.ok(event.error.frames.some((frame) => !frame.inApp));
  assert.equal(event.tags.guild_id, '400000000000000001');
  assert.deepEqual(event.user, { id: '300000000000000001', username: 'ada' });
  assert.deepEqual(event.contexts.interaction, { options: { n: 3 } });
  assert.equal(event.contexts.trace, undefined);
  assert.equal(event.breadcrumbs[0]?.message, 'GET /users/@me 200');
  assert.equal(event.environment, 'staging');
  assert.match(event.error.stack, /^RangeError: Cannot divide 4 by zero\n {4}at divide \(/);
});

test('a gzip body (the SDK gzips envelopes over 32 KiB) and a deflate body are decompressed', T, async (t) => {
  const page = await startPage(t);
  const sdk = sdkFor(t, page.dsn);
  sdk.scope.setExtra('blob', 'x'.repeat(40_000));
  const id = sdk.scope.captureException(new Error('a large event'));
  assert.equal(await sdk.client.flush(5000), true);
  assert.deepEqual(sdk.encodings, ['gzip'], 'the SDK sent it gzipped');

  const deflated = envelope({ event_id: 'd'.repeat(32), exception: { values: [{ type: 'Error', value: 'deflated' }] } });
  const answer = await post(page, deflateSync(deflated), { 'content-encoding': 'deflate' });
  assert.deepEqual(answer, { status: 200, body: { id: 'd'.repeat(32) } });

  const store = await readStore(page);
  t.after(() => {
    store.close();
  });
  // Kept as the store keeps any context too large to read: a note of its size.
  assert.match(String(store.event(id)?.event.contexts.extra?.truncated), /^\d+ characters, over 8192$/);
  assert.equal(store.event(id)?.event.title, 'Error: a large event');
  assert.equal(store.event('d'.repeat(32))?.event.title, 'Error: deflated');
});

test('an app calling Sentry.init with the page as its DSN: linked causes, a message, and feedback arrive', T, async (t) => {
  const page = await startPage(t);
  const app = fileURLToPath(new URL('../fixtures/local/sentry-app.ts', import.meta.url));
  const { stdout } = await run(process.execPath, ['--import', 'tsx', app, page.dsn], { timeout: 20_000 });
  const sent = JSON.parse(stdout) as { error: string; message: string; flushed: boolean };
  assert.equal(sent.flushed, true);

  const store = await readStore(page);
  t.after(() => {
    store.close();
  });
  const error = store.event(sent.error)?.event;
  assert.ok(error, 'the error event is stored');
  assert.equal(error.title, 'Error: could not load the profile');
  assert.deepEqual(error.error.causes, [{ type: 'TypeError', message: 'fetch failed' }]);
  assert.equal(error.release, 'app@9.9.9');
  const message = store.event(sent.message)?.event;
  assert.equal(message?.title, 'the cache is cold');
  assert.equal(message.level, 'warning');
  const issue = store.find(sent.error)[0]?.issue;
  assert.ok(issue);
  assert.deepEqual(
    store.feedback(issue.id).map((said) => [said.message, said.user?.username]),
    [['It said it could not load my profile', 'ada']],
  );
});

test('a custom fingerprint groups as the SDK asked, and one equal to a Lantern key gives the same issue id', T, async (t) => {
  const page = await startPage(t);
  const sdk = sdkFor(t, page.dsn);
  sdk.scope.setFingerprint(['discord-api-error', '50013', 'PUT', '/guilds/:id/bans/:id']);
  sdk.scope.captureException(new Error('Missing Permissions in guild 1'));
  sdk.scope.captureException(new TypeError('another message entirely'));
  assert.equal(await sdk.client.flush(5000), true);
  const store = await readStore(page);
  t.after(() => {
    store.close();
  });
  const issues = store.listIssues();
  assert.equal(issues.length, 1);
  assert.deepEqual(issues[0]?.groupingKey, ['discord-api-error', '50013', 'PUT', '/guilds/:id/bans/:id']);
  const { fingerprintOf } = await import('../../src/tracking/build.js');
  assert.equal(issues[0].fingerprint, fingerprintOf(['discord-api-error', '50013', 'PUT', '/guilds/:id/bans/:id']));
});

test('secrets in an event are redacted before it is written: a bot token, and the DSN key it was sent with', T, async (t) => {
  const page = await startPage(t);
  const key = 'a9f8e7d6c5b4a3f2e1d0';
  const dsn = page.dsn.replace('//lantern@', `//${key}@`);
  const sdk = sdkFor(t, dsn);
  sdk.scope.setContext('config', { token: BOT_TOKEN, dsn });
  sdk.scope.setTag('token', BOT_TOKEN);
  const id = sdk.scope.captureException(new Error(`login failed with ${BOT_TOKEN} for ${dsn}`));
  assert.equal(await sdk.client.flush(5000), true);
  const store = await readStore(page);
  t.after(() => {
    store.close();
  });
  const stored = store.event(id);
  assert.ok(stored);
  const text = JSON.stringify(stored.event);
  assert.ok(!text.includes(BOT_TOKEN), text);
  assert.ok(!text.includes(key), text);
  assert.match(stored.event.error.message, /\[REDACTED TOKEN\]/);
  const issue = store.listIssues()[0];
  assert.ok(issue && !JSON.stringify(issue).includes(BOT_TOKEN) && !JSON.stringify(issue).includes(key));
});

test('malformed envelopes get 400, an unknown encoding 400, and too large a body 413, compressed or not', T, async (t) => {
  const page = await startPage(t, [], { maxEnvelopeBytes: 64 * 1024 });
  assert.equal((await post(page, 'not json\n')).status, 400);
  assert.equal((await post(page, '{}\n{"type":"event","length":500}\n{"event_id":"x"}')).status, 400);
  assert.equal((await post(page, '{}\n{"length":2}\n{}')).status, 400, 'an item header without a type');
  assert.equal((await post(page, '{}\n{"type":"event"}\n[1,2]')).status, 400, 'an event that is not an object');
  assert.equal((await post(page, gzipSync('{}'), { 'content-encoding': 'zstd' })).status, 400);
  assert.equal((await post(page, Buffer.from('not gzip'), { 'content-encoding': 'gzip' })).status, 400);
  const large = envelope({ event_id: 'e'.repeat(32), extra: { blob: 'y'.repeat(100 * 1024) } });
  const tooLarge = await post(page, large);
  assert.equal(tooLarge.status, 413);
  assert.match(String(tooLarge.body.detail), /larger than 65536 bytes/);
  // 100 KiB of one letter gzips to a few hundred bytes: the limit is on what it decompresses to.
  assert.equal((await post(page, gzipSync(large), { 'content-encoding': 'gzip' })).status, 413);
  const store = await readStore(page);
  t.after(() => {
    store.close();
  });
  assert.equal(store.lastSeq(), 0, 'nothing was written');
});

test('the store endpoint takes one JSON event; sessions and client reports in an envelope are accepted and dropped', T, async (t) => {
  const page = await startPage(t);
  const stored = await post(page, JSON.stringify({ event_id: 'f'.repeat(32), message: 'from the old endpoint' }), {}, '/api/1/store/');
  assert.deepEqual(stored, { status: 200, body: { id: 'f'.repeat(32) } });
  const other = ['{}', '{"type":"session"}', '{"sid":"1","status":"ok"}', '{"type":"client_report"}', '{"discarded_events":[]}'].join('\n');
  assert.deepEqual(await post(page, other), { status: 200, body: {} });
  const store = await readStore(page);
  t.after(() => {
    store.close();
  });
  assert.equal(store.listIssues().length, 1);
  assert.equal(store.event('f'.repeat(32))?.event.title, 'from the old endpoint');
});

test('with a token, the ingest takes only the token as the DSN key, and the printed DSN carries it', T, async (t) => {
  const page = await startPage(t, [], { token: 'the_page_token_0123456789' });
  assert.match(page.dsn, /^http:\/\/the_page_token_0123456789@127\.0\.0\.1:\d+\/1$/);
  const body = envelope({ event_id: 'a'.repeat(32), message: 'hello' });
  assert.equal((await post(page, body, {}, '/api/1/envelope/?sentry_key=wrong-key')).status, 401);
  assert.equal((await post(page, body)).status, 401);
  const sdk = sdkFor(t, page.dsn);
  const id = sdk.scope.captureException(new Error('with the token'));
  assert.equal(await sdk.client.flush(5000), true);
  const store = await readStore(page);
  t.after(() => {
    store.close();
  });
  assert.equal(store.event(id)?.event.title, 'Error: with the token');
  assert.equal(store.event('a'.repeat(32)), undefined);
});

test('without a token, events posted by a web page of another site are refused; this machine’s pages may send', T, async (t) => {
  const page = await startPage(t);
  const body = envelope({ event_id: 'b'.repeat(32), message: 'from a browser' });
  assert.equal((await post(page, body, { origin: 'https://evil.example' })).status, 403);
  assert.equal((await post(page, body, { origin: 'http://localhost:5173' })).status, 200);
});

test('feedback items are kept with the issue of the event they name; user_report items too', T, async (t) => {
  const page = await startPage(t);
  const sdk = sdkFor(t, page.dsn);
  const id = sdk.scope.captureException(new Error('the button did nothing'));
  assert.equal(await sdk.client.flush(5000), true);
  captureFeedback({ message: 'I pressed it twice', name: 'grace', associatedEventId: id }, {}, sdk.scope);
  assert.equal(await sdk.client.flush(5000), true);
  const report = envelope({ event_id: id, name: 'linus', email: 'linus@example.com', comments: `and ${BOT_TOKEN}` }, 'user_report');
  assert.equal((await post(page, report)).status, 200);
  const store = await readStore(page);
  t.after(() => {
    store.close();
  });
  const issue = store.find(id)[0]?.issue;
  assert.ok(issue);
  assert.deepEqual(
    store
      .feedback(issue.id)
      .map((said) => [said.message, said.user?.username])
      .sort(),
    [
      ['I pressed it twice', 'grace'],
      ['and [REDACTED TOKEN]', 'linus'],
    ],
  );
});

/** An envelope of one item, serialised as the SDK does. */
function envelope(payload: Record<string, unknown>, type = 'event'): string {
  const body = JSON.stringify(payload);
  return `${JSON.stringify({ event_id: payload.event_id })}\n${JSON.stringify({ type, length: Buffer.byteLength(body) })}\n${body}`;
}
