/**
 * Custom id patterns: what a template, an exact id and a RegExp accept and build. A template's parameter never
 * matches an empty part (`delete::42`), since `.id()` never builds one; a click on such an id is unknown, not a
 * handler run with an empty parameter.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ActionRowBuilder, ButtonBuilder, ButtonStyle } from 'discord.js';
import type { MessageActionRowComponentBuilder } from 'discord.js';
import { button, command, ComponentDefinitionError, modal, field } from '../../src/index.js';
import { DEFAULT_MESSAGES } from '../../src/client/options.js';
import { startBot, startFake } from '../support/bot.js';

test('a template parameter never matches an empty part: delete::42 and delete:post: are not delete:{kind}:{id}', () => {
  const { matcher } = button({ customId: 'delete:{kind}:{id}', run: () => undefined });
  assert.equal(matcher.match('delete::42'), undefined);
  assert.equal(matcher.match('delete:post:'), undefined);
  assert.equal(matcher.match('delete::'), undefined);
  assert.deepEqual(matcher.match('delete:post:42'), { kind: 'post', id: '42' });
  const single = button({ customId: 'open:{id}', run: () => undefined }).matcher;
  assert.equal(single.match('open:'), undefined);
});

test('a template matches the whole id only; the text around parameters is literal and the last parameter takes the rest', () => {
  const { matcher } = button({ customId: 'page.{book}+{n}', run: () => undefined });
  assert.deepEqual(matcher.match('page.moby+12'), { book: 'moby', n: '12' });
  assert.equal(matcher.match('pageXmoby+12'), undefined, 'the dot is not a wildcard');
  assert.equal(matcher.match('xpage.moby+12'), undefined);
  assert.deepEqual(matcher.match('page.a+b+c'), { book: 'a', n: 'b+c' });
  assert.deepEqual(matcher.match('page.line\nbreak+1'), { book: 'line\nbreak', n: '1' });
  assert.equal(matcher.exact, undefined);
  assert.equal(matcher.label, 'page.{book}+{n}');
});

test('an exact id matches itself only and builds itself', () => {
  const { matcher } = button({ customId: 'confirm', run: () => undefined });
  assert.equal(matcher.exact, 'confirm');
  assert.deepEqual(matcher.match('confirm'), {});
  assert.equal(matcher.match('confirm2'), undefined);
  assert.equal(matcher.build(), 'confirm');
});

test("a RegExp's named groups are the params; its g and y flags are dropped so matching has no memory", () => {
  const { matcher } = button({ customId: /^vote:(?<choice>yes|no)$/gy, run: () => undefined });
  assert.equal(matcher.label, '^vote:(?<choice>yes|no)$');
  for (let i = 0; i < 3; i++) assert.deepEqual(matcher.match('vote:yes'), { choice: 'yes' });
  assert.equal(matcher.match('vote:maybe'), undefined);
  const caseless = button({ customId: /^ok$/i, run: () => undefined }).matcher;
  assert.deepEqual(caseless.match('OK'), {});
});

test('a template builds the id its params give, numbers included, and refuses what would not read back', () => {
  const page = button({ customId: 'page:{book}:{n}', run: () => undefined });
  assert.equal(page.id({ book: 'moby', n: 12 as unknown as string }), 'page:moby:12');
  assert.throws(() => page.id({ book: 'moby' } as never), {
    name: 'TypeError',
    message: 'Custom id "page:{book}:{n}" needs a value for {n}',
  });
  assert.throws(() => page.id({ book: 'a:b', n: '1' }), /would not be read back as given; keep the separators out of them/);
  // Only the middle value holds a separator: the first would read back as given, the others would not.
  const triple = button({ customId: '{a}:{b}:{c}', run: () => undefined });
  assert.throws(() => triple.id({ a: 'x', b: 'y:z', c: 'w' }), /would not be read back as given/);
  const long = 'x'.repeat(95);
  assert.throws(() => page.id({ book: long, n: '1' }), {
    name: 'RangeError',
    message: `Custom id "${`page:${long}`.slice(0, 40)}…" is 102 characters; Discord allows 100`,
  });
  assert.equal(page.id({ book: 'x'.repeat(93), n: '1' }).length, 100, 'exactly 100 characters is allowed');
});

test('a pattern is refused when empty, over 100 characters or naming a parameter twice; 100 characters is fine', () => {
  const refused = (customId: string, problem: RegExp) => {
    assert.throws(
      () => button({ customId, run: () => undefined }),
      (error: unknown) => error instanceof ComponentDefinitionError && problem.test(error.message),
    );
  };
  refused('', /must be a non-empty string or a RegExp/);
  refused('x'.repeat(101), /is longer than 100 characters/);
  refused('pair:{id}:{id}', /names a parameter twice/);
  assert.equal(button({ customId: 'x'.repeat(100), run: () => undefined }).id({}), 'x'.repeat(100));
  assert.throws(
    () => modal({ customId: 'form:{a}:{a}', title: 'T', fields: { f: field.short({ label: 'F' }) }, run: () => undefined }),
    /names a parameter twice/,
  );
});

test('a customId that is not a string (a JavaScript bot passing a number or nothing) is refused with a definition error', () => {
  for (const customId of [42, undefined, ['delete:{id}']]) {
    assert.throws(
      () => button({ customId: customId as unknown as string, run: () => undefined }),
      (error: unknown) => error instanceof ComponentDefinitionError && /must be a non-empty string or a RegExp/.test(error.message),
      String(customId),
    );
  }
});

test('a click on delete::42 gets the unknown-component notice; delete:post:42 runs the handler', async () => {
  const discord = await startFake();
  const alice = discord.addUser({ username: 'alice' });
  const guild = discord.addGuild({ name: 'g', members: [alice] });
  const ran: Record<string, string>[] = [];
  const { bot } = await startBot(discord, {}, (b) => {
    b.addComponent(
      button({
        customId: 'delete:{kind}:{id}',
        run: (ctx) => {
          ran.push({ ...ctx.params });
          return ctx.reply({ content: 'deleted', ephemeral: true });
        },
      }),
    );
    b.addCommand(
      command({
        name: 'panel',
        description: 'Posts buttons',
        run: (ctx) =>
          ctx.reply({
            content: 'panel',
            components: [
              new ActionRowBuilder<MessageActionRowComponentBuilder>().addComponents(
                ...['delete::42', 'delete:post:42'].map((id) =>
                  new ButtonBuilder().setCustomId(id).setLabel(id).setStyle(ButtonStyle.Secondary),
                ),
              ),
            ],
          }),
      }),
    );
  });
  const as = discord.as(alice, guild.channel('general'));
  const panel = await as.slash('panel').response();
  assert.ok(panel.message);
  const click = async (id: string) => {
    const handle = as.click(panel.message!, id);
    const answer = await handle.response();
    await bot.idle();
    return answer.message?.content;
  };
  assert.equal(await click('delete::42'), DEFAULT_MESSAGES.unknownComponent);
  assert.deepEqual(ran, []);
  assert.equal(await click('delete:post:42'), 'deleted');
  assert.deepEqual(ran, [{ kind: 'post', id: '42' }]);
});
