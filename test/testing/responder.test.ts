/**
 * The fake's interaction responder over raw HTTP, as Discord answers: no follow-up, edit, fetch or delete through
 * the interaction's webhook before its first answer (10015 Unknown Webhook), one first answer only (40060), none
 * after 3 s (10062), and a token that stops working after 15 minutes (50027).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FakeDiscord } from '../../src/testing/index.js';
import type { InteractionHandle } from '../../src/testing/index.js';
import { connectClient } from '../support/client.js';

let now = Date.now();
const discord = await FakeDiscord.start({ now: () => now });
const alice = discord.addUser({ username: 'alice' });
const guild = discord.addGuild({ name: 'G', members: [alice] });
// A client that receives the interactions and never answers them: the test answers over raw HTTP.
const client = await connectClient(discord);
test.after(async () => {
  await client.destroy();
  await discord.stop();
});

function interaction(): InteractionHandle {
  return discord.as(alice, guild.channel('general')).slash('probe', {}, { allowUnregistered: true });
}

async function call(method: string, path: string, body?: unknown): Promise<{ status: number; code: number | undefined }> {
  const response = await fetch(`${discord.apiUrl}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  const json = text ? (JSON.parse(text) as { code?: number }) : {};
  return { status: response.status, code: json.code };
}

const webhook = (handle: InteractionHandle) => `/webhooks/${discord.applicationId}/${handle.token}`;
const callback = (handle: InteractionHandle) => `/interactions/${handle.id}/${handle.token}/callback`;

test('a follow-up, an edit, a fetch or a delete before any answer is refused with 10015 Unknown Webhook', async () => {
  const handle = interaction();
  const refused = { status: 404, code: 10015 };
  assert.deepEqual(await call('POST', webhook(handle), { content: 'too early' }), refused);
  assert.deepEqual(await call('PATCH', `${webhook(handle)}/messages/@original`, { content: 'too early' }), refused);
  assert.deepEqual(await call('GET', `${webhook(handle)}/messages/@original`), refused);
  assert.deepEqual(await call('DELETE', `${webhook(handle)}/messages/@original`), refused);
  assert.equal(handle.responses.length, 0, 'nothing reached the user');

  assert.equal((await call('POST', callback(handle), { type: 4, data: { content: 'first' } })).status, 204);
  assert.equal((await call('POST', `${webhook(handle)}?wait=true`, { content: 'then a follow-up' })).status, 200);
  assert.deepEqual(
    handle.responses.map((r) => `${r.kind} ${String(r.message?.content)}`),
    ['reply first', 'followUp then a follow-up'],
  );
});

test('a second first answer is refused with 40060; an answer after 3 s with 10062', async () => {
  const answered = interaction();
  assert.equal((await call('POST', callback(answered), { type: 5 })).status, 204);
  assert.deepEqual(await call('POST', callback(answered), { type: 4, data: { content: 'again' } }), { status: 400, code: 40060 });

  const late = interaction();
  now += 3001;
  assert.deepEqual(await call('POST', callback(late), { type: 4, data: { content: 'late' } }), { status: 404, code: 10062 });
  assert.equal(late.acknowledged, false);
});

test('after 15 minutes the interaction token no longer works for follow-ups (50027); an unknown token is 10015', async () => {
  const handle = interaction();
  assert.equal((await call('POST', callback(handle), { type: 5 })).status, 204);
  now += 15 * 60_000 - 10;
  assert.equal((await call('POST', `${webhook(handle)}?wait=true`, { content: 'just in time' })).status, 200);
  now += 20;
  assert.deepEqual(await call('POST', webhook(handle), { content: 'too late' }), { status: 401, code: 50027 });
  assert.deepEqual(await call('POST', `/webhooks/${discord.applicationId}/not-a-token`, { content: 'x' }), { status: 404, code: 10015 });
});
