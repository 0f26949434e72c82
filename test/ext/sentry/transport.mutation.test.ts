/**
 * The HTTP module the extension gives Sentry's transport, against real servers on 127.0.0.1: the protocol of the
 * URL it sends to, its request timeout, ending what is still open when the client closes, and letting go of a request
 * once it ended.
 */
import assert from 'node:assert/strict';
import type { ClientRequest, IncomingMessage } from 'node:http';
import { test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { timedHttp } from '../../../src/ext/sentry/transport.js';
import { localServer } from '../../support/http-server.js';
import { waitUntil } from '../../support/resources.js';

/** A server that answers `ok`, or (`hang`) takes the request and never answers, with the URL the transport sends to. */
async function server(hang = false) {
  const listening = await localServer({ hang });
  return { ...listening, url: `http://127.0.0.1:${String(listening.port)}/api/1/envelope/` };
}

/** Sends one request through `module` and settles with its answer's body or its error. */
function sendThrough(
  module: ReturnType<typeof timedHttp>['module'],
  url: string,
): { request: ClientRequest; done: Promise<string>; closed: Promise<unknown> } {
  let request!: ClientRequest;
  const done = new Promise<string>((resolve, reject) => {
    const { hostname, port, pathname } = new URL(url);
    request = module.request({ hostname, port, path: pathname, method: 'POST' }, (response: IncomingMessage) => {
      let body = '';
      response.setEncoding('utf8').on('data', (chunk: string) => {
        body += chunk;
      });
      response.on('end', () => {
        resolve(body);
      });
    });
    request.on('error', reject);
    request.end('{}');
  });
  return { request, done, closed: new Promise((resolve) => request.once('close', resolve)) };
}

test('requests go over the protocol of the URL the transport sends to', async () => {
  const { url } = await server();
  assert.equal(await sendThrough(timedHttp(url, 5000).module, url).done, 'ok');
  // The same plain-HTTP server through a module chosen for https: a TLS handshake the server cannot answer.
  await assert.rejects(sendThrough(timedHttp(url.replace('http:', 'https:'), 5000).module, url).done);
});

test('a request Sentry does not answer is ended after the timeout, with an error that says so', async () => {
  const { url, requests } = await server(true);
  const started = performance.now();
  await assert.rejects(sendThrough(timedHttp(url, 150).module, url).done, { message: 'Sentry did not answer within 150 ms' });
  assert.ok(performance.now() - started >= 140, 'not before the timeout');
  assert.equal(requests(), 1);
});

test('abortAll ends every request still open with the close error, and only those', async () => {
  const hanging = await server(true);
  const answering = await server();
  const http = timedHttp(hanging.url, 60_000);
  const answered = sendThrough(http.module, answering.url);
  assert.equal(await answered.done, 'ok');
  await answered.closed;
  const open = [sendThrough(http.module, hanging.url), sendThrough(http.module, hanging.url)];
  await waitUntil(() => hanging.requests() >= 2);
  http.abortAll();
  for (const { done } of open) await assert.rejects(done, { message: 'The Sentry client was closed before Sentry answered' });
  assert.equal(answered.request.destroyed, true, 'a finished request is closed already');
  assert.equal(answered.request.errored, null, 'and was not ended with an error afterwards');
  // Requests made after abortAll are timed and ended like the first ones.
  const later = sendThrough(http.module, hanging.url);
  await waitUntil(() => hanging.requests() >= 3);
  http.abortAll();
  await assert.rejects(later.done, { message: 'The Sentry client was closed before Sentry answered' });
});

test('a request that ended is let go of: a bot sending events for months does not keep every request it made', async () => {
  setFlagsFromString('--expose-gc');
  const collectGarbage = runInNewContext('gc') as () => void;
  const { url } = await server();
  const http = timedHttp(url, 60_000);
  const sendOne = async () => {
    const sent = sendThrough(http.module, url);
    assert.equal(await sent.done, 'ok');
    await sent.closed;
    return new WeakRef(sent.request);
  };
  const ended = await sendOne();
  for (let attempt = 0; attempt < 20 && ended.deref(); attempt++) {
    await new Promise((resolve) => setImmediate(resolve));
    collectGarbage();
  }
  assert.equal(ended.deref(), undefined, 'the ended request is still held');
});
