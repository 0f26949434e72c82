import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startFake } from '../support/bot.js';

/** Executes `hook` with `body` over plain HTTP, as any client would. */
async function execute(url: string, body: unknown, query = ''): Promise<Response> {
  return fetch(`${url}${query}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

test('a webhook execute carries its bucket’s rate-limit headers, and the sixth in 2 s is a 429 with Retry-After', async () => {
  let now = Date.parse('2026-12-01T09:00:00Z');
  const discord = await startFake({ now: () => now });
  const hook = discord.addWebhook(discord.addGuild({ name: 'HQ' }).channel('general'), 'Alerts');
  const remaining: string[] = [];
  for (let i = 0; i < 5; i++) {
    const answer = await execute(hook.url, { content: `post ${String(i)}` });
    assert.equal(answer.status, 204);
    assert.equal(answer.headers.get('x-ratelimit-limit'), '5');
    remaining.push(answer.headers.get('x-ratelimit-remaining') ?? '');
    assert.equal(answer.headers.get('x-ratelimit-reset-after'), '2');
  }
  assert.deepEqual(remaining, ['4', '3', '2', '1', '0']);
  now += 500;
  const limited = await execute(hook.url, { content: 'one too many' });
  assert.equal(limited.status, 429);
  assert.equal(limited.headers.get('retry-after'), '1.5');
  assert.deepEqual(await limited.json(), { message: 'You are being rate limited.', retry_after: 1.5, global: false });
  assert.equal(hook.executions.length, 5);
  now += 1500;
  assert.equal((await execute(hook.url, { content: 'after the reset' })).status, 204);
});

test('a channel’s webhooks share about 30 executes a minute; past that the answer is a shared 429', async () => {
  let now = Date.parse('2026-12-01T09:00:00Z');
  const discord = await startFake({ now: () => now });
  const channel = discord.addGuild({ name: 'HQ' }).channel('general');
  const hooks = [discord.addWebhook(channel, 'One'), discord.addWebhook(channel, 'Two')];
  const statuses: number[] = [];
  for (let i = 0; i < 31; i++) {
    statuses.push((await execute(hooks[i % 2]!.url, { content: String(i) })).status);
    now += 1000;
  }
  assert.deepEqual(statuses.slice(0, 30), Array<number>(30).fill(204));
  assert.equal(statuses[30], 429);
});

test('a deleted webhook answers 404 10015 to everything; only the bot application’s own webhooks may post buttons', async () => {
  const discord = await startFake();
  const channel = discord.addGuild({ name: 'HQ' }).channel('general');
  const users = discord.addWebhook(channel, 'Plain');
  const owned = discord.addWebhook(channel, 'Own', { applicationOwned: true });
  const info = (await (await fetch(owned.url)).json()) as { application_id: string | null };
  assert.equal(info.application_id, discord.applicationId);
  assert.equal(((await (await fetch(users.url)).json()) as { application_id: string | null }).application_id, null);

  const buttons = [{ type: 1, components: [{ type: 2, style: 1, label: 'Go', custom_id: 'go' }] }];
  assert.equal((await execute(owned.url, { content: 'a', components: buttons }, '?with_components=true')).status, 204);
  assert.equal(owned.executions[0]?.components?.length, 1);
  assert.equal((await execute(owned.url, { content: 'b', components: buttons })).status, 204);
  assert.deepEqual(owned.executions[1]?.components, [], 'without with_components, components are ignored');
  const refused = await execute(users.url, { content: 'c', components: buttons }, '?with_components=true');
  assert.equal(refused.status, 400);
  assert.equal(((await refused.json()) as { code: number }).code, 50035);
  const link = [{ type: 1, components: [{ type: 2, style: 5, label: 'Docs', url: 'https://example.com' }] }];
  assert.equal((await execute(users.url, { content: 'd', components: link }, '?with_components=true')).status, 204);

  discord.deleteWebhook(users);
  for (const answer of [await execute(users.url, { content: 'gone' }), await fetch(users.url)]) {
    assert.equal(answer.status, 404);
    assert.equal(((await answer.json()) as { code: number }).code, 10015);
  }
  const deleted = await fetch(owned.url, { method: 'DELETE' });
  assert.equal(deleted.status, 204);
  assert.equal((await fetch(owned.url)).status, 404);
  assert.deepEqual(discord.internalErrors, []);
});
