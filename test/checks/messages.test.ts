/**
 * Every built-in refusal text in every built-in language: present, told apart from the others (each kind, each
 * bucket, one permission or several), in the user's language, with what it names (the permissions, the wait) inside.
 * The English texts and the errors' own messages are asserted exactly.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BUCKET_TYPES } from '../../src/checks/index.js';
import {
  CheckFailure,
  CommandOnCooldown,
  expectedErrorMessage,
  GuardStoreUnavailable,
  MaxConcurrencyReached,
  readableDuration,
} from '../../src/index.js';

/** Every built-in text of a locale, by what it is for. */
function textsOf(locale: string): Record<string, string> {
  const text = (error: Error) => expectedErrorMessage(error, locale) ?? assert.fail(`no text for ${error.message}`);
  const texts: Record<string, string> = {
    cooldown: text(new CommandOnCooldown({ retryAfterMs: 65_000, bucket: 'user', uses: 1, windowMs: 90_000 })),
    guildOnly: text(new CheckFailure('guildOnly')),
    dmOnly: text(new CheckFailure('dmOnly')),
    ownerOnly: text(new CheckFailure('ownerOnly')),
    userPermission: text(new CheckFailure('userPermissions', { missing: ['BanMembers'] })),
    userPermissions: text(new CheckFailure('userPermissions', { missing: ['BanMembers', 'KickMembers'] })),
    botPermission: text(new CheckFailure('botPermissions', { missing: ['BanMembers'] })),
    botPermissions: text(new CheckFailure('botPermissions', { missing: ['BanMembers', 'KickMembers'] })),
    refused: text(new CheckFailure('staffOnly')),
  };
  for (const bucket of BUCKET_TYPES)
    texts[`maxConcurrency ${bucket}`] = text(new MaxConcurrencyReached({ limit: 1, bucket, timedOut: false }));
  return texts;
}

const LANGUAGES = { 'en-US': 'en', fr: 'fr', de: 'de', 'es-ES': 'es' } as const;

test('each language has a text of its own for every refusal, and each names the permissions and the wait', () => {
  const byLanguage = Object.fromEntries(Object.keys(LANGUAGES).map((locale) => [locale, textsOf(locale)]));
  for (const [locale, texts] of Object.entries(byLanguage)) {
    const values = Object.values(texts);
    assert.equal(new Set(values).size, values.length, `${locale}: every refusal reads differently\n${values.join('\n')}`);
    for (const [kind, text] of Object.entries(texts)) assert.ok(text.trim().length > 10, `${locale} ${kind}: ${JSON.stringify(text)}`);
    assert.ok(texts.userPermission?.includes('Ban Members') && texts.botPermission?.includes('Ban Members'), locale);
    assert.ok(texts.userPermissions?.includes('Kick Members') && texts.botPermissions?.includes('Kick Members'), locale);
    assert.ok(texts.cooldown?.includes(readableDuration(65_000, locale)), `${locale}: ${String(texts.cooldown)}`);
    for (const who of ['user', 'bot']) {
      const [one, several] = [texts[`${who}Permission`] ?? '', texts[`${who}Permissions`] ?? ''];
      const list = /Ban Members.*Kick Members/.exec(several)?.[0] ?? '';
      assert.notEqual(one.replace('Ban Members', list), several, `${locale}: one missing permission reads in the singular`);
    }
    if (locale === 'en-US') continue;
    for (const [kind, text] of Object.entries(texts)) assert.notEqual(text, byLanguage['en-US']?.[kind], `${locale} ${kind} is translated`);
  }
});

test('a locale shares its language’s texts (en-GB, es-419), and one without built-in texts reads English', () => {
  assert.deepEqual(textsOf('en-GB'), textsOf('en-US'));
  assert.deepEqual(textsOf('es-419'), textsOf('es-ES'));
  assert.deepEqual(textsOf('pt-BR'), textsOf('en-US'));
  assert.deepEqual(textsOf(''), textsOf('en-US'));
});

test('the English texts, exactly', () => {
  assert.deepEqual(textsOf('en-US'), {
    cooldown: 'You\u2019re doing that too often. Try again in 1 minute and 5 seconds.',
    guildOnly: 'This can only be used in a server.',
    dmOnly: 'This can only be used in direct messages.',
    ownerOnly: 'Only the bot\u2019s owners can use this.',
    userPermission: 'You need the Ban Members permission to use this.',
    userPermissions: 'You need the Ban Members and Kick Members permissions to use this.',
    botPermission: 'I need the Ban Members permission in this channel to do that.',
    botPermissions: 'I need the Ban Members and Kick Members permissions in this channel to do that.',
    refused: 'You can\u2019t use this right now.',
    'maxConcurrency user': 'You are already running this. Wait until it finishes, then try again.',
    'maxConcurrency member': 'You are already running this in this server. Wait until it finishes, then try again.',
    'maxConcurrency guild': 'This is already running in this server. Wait until it finishes, then try again.',
    'maxConcurrency channel': 'This is already running in this channel. Wait until it finishes, then try again.',
    'maxConcurrency global': 'Too many people are using this right now. Try again in a moment.',
  });
});

test('a check’s own reason is its text; a permission check that names nothing missing reads as a plain refusal', () => {
  assert.equal(expectedErrorMessage(new CheckFailure('staffOnly', { reason: 'Staff only.' }), 'de'), 'Staff only.');
  assert.equal(expectedErrorMessage(new CheckFailure('userPermissions'), 'en-US'), 'You can\u2019t use this right now.');
  assert.equal(expectedErrorMessage(new CheckFailure('botPermissions'), 'fr'), 'Vous ne pouvez pas utiliser ceci pour le moment.');
  assert.equal(expectedErrorMessage(new Error('not a refusal'), 'en-US'), undefined);
});

test('the errors’ own messages, for the log and the tracker', () => {
  assert.equal(new CheckFailure('guildOnly').message, 'Check guildOnly failed');
  assert.equal(new CheckFailure('staffOnly', { reason: 'Staff only.' }).message, 'Check staffOnly failed: Staff only.');
  assert.equal(
    new CheckFailure('botPermissions', { missing: ['BanMembers', 'KickMembers'], reason: 'ignored' }).message,
    'Check botPermissions failed: missing Ban Members, Kick Members',
  );
  assert.equal(new CheckFailure('staffOnly', { reason: '' }).reason, undefined);
  assert.equal(
    new CommandOnCooldown({ retryAfterMs: 1200, bucket: 'guild', uses: 2, windowMs: 60_000 }).message,
    'On cooldown (2 per 60000 ms per guild); retry in 1200 ms',
  );
  assert.equal(
    new MaxConcurrencyReached({ limit: 3, bucket: 'channel', timedOut: false }).message,
    'At most 3 concurrent run(s) per channel; refused',
  );
  assert.equal(
    new MaxConcurrencyReached({ limit: 1, bucket: 'user', timedOut: true }).message,
    'At most 1 concurrent run(s) per user; no slot freed in time',
  );
  const unavailable = new GuardStoreUnavailable('redis');
  assert.equal(unavailable.store, 'redis');
  assert.equal(unavailable.code, 'LANTERN_ERR_GUARD_STORE_UNAVAILABLE');
  assert.match(unavailable.message, /^Guard store redis did not answer; /);
});
