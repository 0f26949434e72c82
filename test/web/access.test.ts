/**
 * The page's rules, over plain HTTP: a token off the loopback address, no answer to another host name on it (DNS
 * rebinding), no change of status from another site, a policy that forbids any script but the page's own; and
 * `lantern serve` as a command.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ServeListenError, ServeOptionsError } from '../../src/errors/codes.js';
import { ErrorStore } from '../../src/ext/local/store.js';
import { serve } from '../../src/web/serve.js';
import type { RunningPage } from '../../src/web/serve.js';
import { originOf, startPage } from '../support/page.js';
import { idleBot, tempFolder, tracked } from '../support/tracking.js';

const T = { timeout: 30_000 };
const bot = idleBot();

function failure(): ReturnType<typeof tracked> {
  return tracked(bot, '/divide', new RangeError('Cannot divide 3 by zero'));
}

/** A raw request, so the Host header can be anything (fetch sets its own). */
function get(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request(
      { host: target.hostname, port: target.port, path: `${target.pathname}${target.search}`, headers, agent: false },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => {
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body });
        });
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** The CSRF token the issue page's forms carry. */
async function csrfOf(page: RunningPage, init: RequestInit = {}): Promise<string> {
  const html = await (await fetch(`${originOf(page)}/issues/1`, init)).text();
  const token = /name="csrf" value="([^"]+)"/.exec(html)?.[1];
  assert.ok(token, 'the issue page has a form with a CSRF token');
  return token;
}

async function statusOf(page: RunningPage & { db: string }): Promise<string | undefined> {
  const store = await ErrorStore.open(page.db, { readonly: true });
  try {
    return store.issue(1)?.status;
  } finally {
    store.close();
  }
}

function postStatus(page: RunningPage, fields: Record<string, string>, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${originOf(page)}/issues/1/status`, {
    method: 'POST',
    body: new URLSearchParams(fields),
    headers,
    redirect: 'manual',
  });
}

test('every page forbids scripts but its own (a nonce per response), inline handlers, framing and referrers', T, async (t) => {
  const page = await startPage(t, [failure()]);
  const first = await get(page.url);
  const second = await get(page.url);
  assert.equal(first.status, 200);
  const policy = String(first.headers['content-security-policy']);
  const nonce = /script-src 'nonce-([^']+)'/.exec(policy)?.[1];
  assert.ok(nonce, policy);
  assert.ok(!policy.includes('unsafe-inline') && !policy.includes('unsafe-eval'), policy);
  assert.match(policy, /default-src 'none'/);
  assert.match(policy, /frame-ancestors 'none'/);
  assert.notEqual(String(second.headers['content-security-policy']), policy, 'a new nonce each time');
  const scripts = [...first.body.matchAll(/<script([^>]*)>/g)].map((match) => match[1] ?? '');
  assert.deepEqual(scripts, [' type="application/json" id="lantern-state"', ` nonce="${nonce}"`]);
  assert.equal(first.headers['x-frame-options'], 'DENY');
  assert.equal(first.headers['referrer-policy'], 'same-origin', 'no address of the page is sent to another site');
  assert.equal(first.headers['x-content-type-options'], 'nosniff');
});

test('on the loopback address, a request naming another host (DNS rebinding) is refused; localhost is answered', T, async (t) => {
  const page = await startPage(t, [failure()]);
  const port = new URL(page.url).port;
  assert.equal((await get(page.url, { host: `rebind.example:${port}` })).status, 403);
  assert.equal((await get(`${originOf(page)}/live`, { host: 'evil.example' })).status, 403);
  assert.equal((await get(page.url, { host: `localhost:${port}` })).status, 200);
  assert.equal((await get(page.url, { host: `[::1]:${port}` })).status, 200);
});

test('off the loopback address a token is generated; without it every request is 401, with it the page opens', T, async (t) => {
  const page = await startPage(t, [failure()], { host: '0.0.0.0' });
  assert.ok(page.token, 'a token was generated');
  assert.match(page.token, /^\w{16,}$/);
  assert.ok(page.url.endsWith(`/?token=${page.token}`), page.url);
  const origin = originOf(page);
  for (const path of ['/', '/issues/1', '/live', '/favicon.svg', '/no-such-page'])
    assert.equal((await get(`${origin}${path}`)).status, 401, path);
  assert.equal((await get(`${origin}/?token=wrong${page.token.slice(5)}`)).status, 401);
  assert.equal((await postStatus(page, { status: 'resolved', csrf: 'x' })).status, 401);

  const opened = await get(page.url);
  assert.equal(opened.status, 303, 'the token goes into a cookie and out of the address');
  assert.equal(opened.headers.location, '/');
  const cookie = String(opened.headers['set-cookie']);
  assert.match(cookie, /HttpOnly/);
  assert.match(cookie, /SameSite=Strict/);
  const withCookie = await get(`${origin}/issues/1`, { cookie: cookie.split(';')[0] ?? '' });
  assert.equal(withCookie.status, 200);
  assert.match(withCookie.body, /Cannot divide 3 by zero/);
  assert.equal((await get(`${origin}/`, { authorization: `Bearer ${page.token}` })).status, 200);
});

test('a given token is required even on the loopback address', T, async (t) => {
  const page = await startPage(t, [failure()], { token: 'a_token_of_my_own_1234' });
  assert.equal((await get(originOf(page))).status, 401);
  assert.equal((await get(page.url)).status, 303);
});

test('a change of status from another origin is refused even with the CSRF token; without the token too', T, async (t) => {
  const page = await startPage(t, [failure()]);
  const csrf = await csrfOf(page);
  const evil = await postStatus(page, { status: 'resolved', csrf }, { origin: 'http://evil.example' });
  assert.equal(evil.status, 403);
  const otherPort = await postStatus(page, { status: 'resolved', csrf }, { origin: 'http://127.0.0.1:1' });
  assert.equal(otherPort.status, 403, 'another port of this machine is another origin');
  const crossSite = await postStatus(page, { status: 'resolved', csrf }, { 'sec-fetch-site': 'cross-site' });
  assert.equal(crossSite.status, 403);
  const noToken = await postStatus(page, { status: 'resolved' });
  assert.equal(noToken.status, 403);
  const wrongToken = await postStatus(page, { status: 'resolved', csrf: `${csrf.slice(0, -2)}xx` });
  assert.equal(wrongToken.status, 403);
  assert.equal(await statusOf(page), 'open', 'nothing changed');

  const own = await postStatus(page, { status: 'resolved', csrf }, { origin: originOf(page), 'sec-fetch-site': 'same-origin' });
  assert.equal(own.status, 303);
  assert.equal(own.headers.get('location'), '/issues/1');
  assert.equal(await statusOf(page), 'resolved');
  assert.equal((await postStatus(page, { status: 'deleted', csrf })).status, 400);
});

test('serve refuses options it cannot run with, and says so when the port is taken', T, async (t) => {
  const db = `${tempFolder('lantern-page-')}/errors.db`;
  await assert.rejects(serve({ db, port: 70_000 }), ServeOptionsError);
  await assert.rejects(serve({ db, port: 0, token: 'short' }), ServeOptionsError);
  await assert.rejects(serve({ db, port: 0, token: 'has-a-dash-in-it-0123' }), ServeOptionsError);
  const taken = createServer();
  taken.listen(0, '127.0.0.1');
  await once(taken, 'listening');
  t.after(() => taken.close());
  const port = (taken.address() as AddressInfo).port;
  await assert.rejects(serve({ db, port }), (error: unknown) => {
    assert.ok(error instanceof ServeListenError);
    assert.equal(error.code, 'LANTERN_ERR_SERVE_LISTEN');
    assert.match(error.message, /the port is taken/);
    return true;
  });
});

test('`lantern serve --host 0.0.0.0 --port 0` prints the address with its token and the DSN, and stops on SIGTERM', T, async (t) => {
  const db = `${tempFolder('lantern-page-')}/errors.db`;
  const cli = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', cli, 'serve', '--db', db, '--port', '0', '--host', '0.0.0.0'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  t.after(() => child.kill('SIGKILL'));
  let output = '';
  child.stdout.setEncoding('utf8');
  await new Promise<void>((resolve) => {
    child.stdout.on('data', (chunk: string) => {
      output += chunk;
      if (output.includes('Ctrl+C')) resolve();
    });
  });
  const url = /page: (\S+)/.exec(output)?.[1];
  const token = /token: (\w+)/.exec(output)?.[1];
  assert.ok(url && token, output);
  assert.ok(url.endsWith(`?token=${token}`), output);
  assert.match(output, new RegExp(`Sentry DSN for the ingest route: http://${token}@127\\.0\\.0\\.1:\\d+/1`));
  assert.equal((await get(url.replace(/\?.*$/, ''))).status, 401);
  assert.equal((await get(url)).status, 303);
  child.kill('SIGTERM');
  const [code] = (await once(child, 'exit')) as [number | null];
  assert.equal(code, 0);
});
