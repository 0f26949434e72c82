/**
 * Lantern's own extensions type their options when loaded by name. The calls marked `@ts-expect-error` are the
 * test: `npm run typecheck` (this file is in tsconfig.json) fails when one of them compiles.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import { Client } from '../../src/index.js';
import type { FunOptions } from '../fixtures/extensions/fun.js';
import { sentryOptions, startReceiver } from '../fixtures/sentry-support.js';
import { recordingLogger } from '../support/bot.js';

/** Compiled, never run: what must and must not type-check. */
export function typeChecks(bot: Client): Promise<unknown>[] {
  return [
    // The README's filter, under `strict`: the event and the hint are typed from the specifier.
    bot.loadExtension('lantern/ext/sentry', {
      dsn: process.env.SENTRY_DSN,
      filter: (event, hint) => {
        if (hint.lantern?.task) event.level = 'warning';
        return hint.lantern?.source === '/debug' ? null : event;
      },
    }),
    // @ts-expect-error `dns` is not an option of lantern/ext/sentry (`dsn` is)
    bot.loadExtension('lantern/ext/sentry', { dns: 'https://key@sentry.example/1' }),
    // @ts-expect-error an option of the wrong type
    bot.loadExtension('lantern/ext/sentry', { captureExpected: 'yes' }),
    // @ts-expect-error a misspelt specifier of Lantern's own is no other module: a compile error
    bot.loadExtension('lantern/ext/sentyr', { dsn: 'https://key@sentry.example/1' }),
    // Another module's options are what its type argument says, or not checked at all.
    bot.loadExtension<FunOptions>('./extensions/fun.js', { greeting: 'Hi', seen: [] }),
    // @ts-expect-error the type argument is checked
    bot.loadExtension<FunOptions>('./extensions/fun.js', { greeting: 1, seen: [] }),
    bot.loadExtension('./extensions/fun.js', { anything: true }),
  ];
}

test(
  'lantern/ext/sentry loaded by name gets its typed options: the filter sees the Lantern event as hint.lantern',
  { skip: !existsSync('dist/ext/sentry/index.js') && 'needs `npm run build`' },
  async () => {
    const receiver = await startReceiver();
    const bot = new Client({ logger: recordingLogger().logger, handleProcessErrors: false });
    await bot.loadExtension(
      'lantern/ext/sentry',
      sentryOptions(receiver, {
        filter: (event, hint) => {
          event.tags = { ...event.tags, seen_by_filter: hint.lantern?.source ?? 'none' };
          return event;
        },
      }),
    );
    let reference: string | undefined;
    bot.listen('Error', (event) => {
      reference ??= event.reference;
    });
    await bot.loadExtension({ name: 'fragile', setup: () => Promise.reject(new Error('fragile')) }).catch(() => undefined);
    assert.ok(reference, 'the failed setup got no Sentry reference');
    const event = await receiver.waitForEvent(reference);
    assert.equal(event.tags?.seen_by_filter, 'extension fragile');
    await bot.unloadExtension('sentry');
  },
);
