import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ExtensionLoadError } from '../../../src/index.js';
import webhook, { WebhookOptionsError, WebhookUrlError } from '../../../src/ext/webhook/index.js';
import type { WebhookOptions } from '../../../src/ext/webhook/index.js';
import { parseWebhookTarget } from '../../../src/ext/webhook/target.js';
import { startBot, startFake } from '../../support/bot.js';
import { failure, reporterBot, SECOND } from './support.js';

const ID = '1234567890123456789';
const TOKEN = 'aB3dEfGhIjKlMnOpQrStUvWxYz0123456789-_aB3dEfGhIjKlMnOpQrStUvWxYz01';

test('a webhook URL is read from discord.com, discordapp.com, canary and ptb, with or without /api/vN, or as id and token', () => {
  const urls = [
    `https://discord.com/api/webhooks/${ID}/${TOKEN}`,
    `https://discord.com/api/v10/webhooks/${ID}/${TOKEN}`,
    `https://discordapp.com/api/webhooks/${ID}/${TOKEN}`,
    `https://canary.discord.com/api/v9/webhooks/${ID}/${TOKEN}/`,
    `https://ptb.discord.com/webhooks/${ID}/${TOKEN}`,
    `  https://ptb.discordapp.com/api/webhooks/${ID}/${TOKEN}  `,
  ];
  for (const url of urls) assert.deepEqual(parseWebhookTarget({ url }), { id: ID, token: TOKEN, threadId: undefined }, url);
  assert.deepEqual(parseWebhookTarget({ url: `https://discord.com/api/webhooks/${ID}/${TOKEN}?thread_id=${ID}` }).threadId, ID);
  assert.deepEqual(parseWebhookTarget({ id: ID, token: TOKEN }), { id: ID, token: TOKEN, threadId: undefined });
});

test('a webhook that cannot be one fails with LANTERN_ERR_WEBHOOK_URL saying what is wrong, never quoting the token', () => {
  const bad: [Parameters<typeof parseWebhookTarget>[0], RegExp][] = [
    [{ url: 'not a url' }, /is not a URL/],
    [{ url: `http://discord.com/api/webhooks/${ID}/${TOKEN}` }, /must start with https/],
    [{ url: `https://discord.example.com/api/webhooks/${ID}/${TOKEN}` }, /host discord\.example\.com is not Discord's/],
    [{ url: `https://discord.com/api/channels/${ID}/${TOKEN}` }, /path is not \/api\/webhooks/],
    [{ url: `https://discord.com/api/webhooks/12345/${TOKEN}` }, /id is not a Discord id/],
    [{ url: `https://discord.com/api/webhooks/${ID}/${TOKEN.slice(0, 10)}` }, /token does not look like a webhook token/],
    [{ url: `https://discord.com/api/webhooks/${ID}/${TOKEN}!` }, /token does not look like a webhook token/],
    [{ url: `https://discord.com/api/webhooks/${ID}/${TOKEN}`, token: TOKEN }, /given twice/],
    [{ id: ID }, /needs both `id` and `token`/],
    [{ url: 42 }, /must be a string/],
  ];
  for (const [options, problem] of bad) {
    assert.throws(
      () => parseWebhookTarget(options),
      (error: unknown) => {
        assert.ok(error instanceof WebhookUrlError);
        assert.equal(error.code, 'LANTERN_ERR_WEBHOOK_URL');
        assert.match(error.message, problem);
        assert.ok(!error.message.includes(TOKEN.slice(0, 10)), 'the token is never quoted');
        return true;
      },
    );
  }
});

test('loading with a bad URL fails the load with the WebhookUrlError as its cause; the Error event does not hold the token', async () => {
  const discord = await startFake();
  const { bot, errors } = await startBot(discord);
  const loading = bot.loadExtension(webhook, { url: `https://example.com/api/webhooks/${ID}/${TOKEN}` });
  const error = await loading.then(
    () => assert.fail('loaded'),
    (caught: unknown) => caught,
  );
  assert.ok(error instanceof ExtensionLoadError);
  assert.ok(error.cause instanceof WebhookUrlError);
  assert.ok(!JSON.stringify(errors.map((e) => [e.error.message, String(e.error.cause)])).includes(TOKEN));
});

test('options no reporter could run with fail with LANTERN_ERR_WEBHOOK_OPTIONS', async () => {
  const discord = await startFake();
  const { bot } = await startBot(discord);
  const cases: [WebhookOptions & Record<string, unknown>, RegExp][] = [
    [{ windowMs: 0 }, /windowMs: must be a number of at least 1000/],
    [{ maxRequestsPerMinute: 60 }, /over Discord's 30 a minute/],
    [{ maxRequestsPerMinute: Number.NaN }, /maxRequestsPerMinute: must be a number/],
    [{ batchDelayMs: -1 }, /batchDelayMs/],
    [{ flushTimeoutMs: 0 }, /flushTimeoutMs/],
    [{ windowMS: 1000 }, /option windowMS: is not an option/],
  ];
  for (const [options, problem] of cases) {
    const error = await bot.loadExtension(webhook, { id: ID, token: TOKEN, ...options }).then(
      () => assert.fail('loaded'),
      (caught: unknown) => caught,
    );
    assert.ok(error instanceof ExtensionLoadError);
    assert.ok(error.cause instanceof WebhookOptionsError, String(error.cause));
    assert.equal(error.cause.code, 'LANTERN_ERR_WEBHOOK_OPTIONS');
    assert.match(error.cause.message, problem);
  }
});

test('without a webhook the extension logs one warning and posts nothing, so one bot runs with or without it', async () => {
  const discord = await startFake();
  const { bot, logged } = await startBot(discord);
  await bot.loadExtension(webhook, { url: process.env.LANTERN_TEST_UNSET_WEBHOOK_URL });
  await bot.reportError({ source: 'task a', error: failure(1) });
  assert.deepEqual(
    logged.filter((l) => l.message.startsWith('Error webhook')).map((l) => l.level),
    ['warn'],
  );
  assert.deepEqual(
    discord.requests.filter((r) => r.path.startsWith('/webhooks/')),
    [],
  );
});

test('the webhook token is registered as a secret: a log line holding it is redacted', async () => {
  const { bot, hook, logged, pass } = await reporterBot();
  bot.log.warn(`the token alone: ${hook.token}`);
  await pass(SECOND);
  assert.equal(logged.at(-1)?.message, 'the token alone: [REDACTED WEBHOOK TOKEN]');
});

test('lantern/ext/webhook resolves through the package exports, as a bot that installed Lantern imports it', async () => {
  const extension = (await import('lantern/ext/webhook')) as { default: { name: string; setup: unknown } };
  assert.equal(extension.default.name, 'webhook');
  assert.equal(typeof extension.default.setup, 'function');
});
