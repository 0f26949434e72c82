/**
 * User-facing texts asserted exactly where only their differences were checked before: the German and Spanish
 * permission refusals for one permission and for several, the wait at exactly one hour (hours and minutes from there
 * on), and anything thrown that is not an error at all (a handler may throw `undefined`) having no text.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CheckFailure, expectedErrorMessage, readableDuration } from '../../src/index.js';

function permissionTexts(locale: string) {
  const text = (check: 'userPermissions' | 'botPermissions', missing: ('BanMembers' | 'KickMembers')[]) =>
    expectedErrorMessage(new CheckFailure(check, { missing }), locale);
  return {
    user: text('userPermissions', ['BanMembers']),
    users: text('userPermissions', ['BanMembers', 'KickMembers']),
    bot: text('botPermissions', ['BanMembers']),
    bots: text('botPermissions', ['BanMembers', 'KickMembers']),
  };
}

test('the German permission refusals, for one permission and for several', () => {
  assert.deepEqual(permissionTexts('de'), {
    user: 'Daf\u00fcr brauchst du die Berechtigung Ban Members.',
    users: 'Daf\u00fcr brauchst du die Berechtigungen Ban Members und Kick Members.',
    bot: 'Daf\u00fcr brauche ich in diesem Kanal die Berechtigung Ban Members.',
    bots: 'Daf\u00fcr brauche ich in diesem Kanal die Berechtigungen Ban Members und Kick Members.',
  });
});

test('the Spanish permission refusals, for one permission and for several, in Spain and Latin America', () => {
  for (const locale of ['es-ES', 'es-419']) {
    assert.deepEqual(
      permissionTexts(locale),
      {
        user: 'Necesitas el permiso Ban Members para usar esto.',
        users: 'Necesitas los permisos Ban Members y Kick Members para usar esto.',
        bot: 'Necesito el permiso Ban Members en este canal para hacer eso.',
        bots: 'Necesito los permisos Ban Members y Kick Members en este canal para hacer eso.',
      },
      locale,
    );
  }
});

test('a wait of exactly one hour reads as one hour, a second less in minutes and seconds', () => {
  assert.equal(readableDuration(3_600_000, 'en-US'), '1 hour');
  assert.equal(readableDuration(3_599_000, 'en-US'), '59 minutes and 59 seconds');
});

test('a thrown value that is not an error has no text', () => {
  for (const thrown of [undefined, null, 'busy', 42]) assert.equal(expectedErrorMessage(thrown, 'en-US'), undefined, String(thrown));
});
