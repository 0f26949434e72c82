import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Client, command, CommandDefinitionError, option, subcommand } from '../../src/index.js';

/**
 * Type-level checks: this file is type-checked with the rest (`tsc -p tsconfig.json`), and each `@ts-expect-error`
 * fails the check if the line below it compiles. At run time the same mistakes are refused by `addCommand`.
 */

const run = () => undefined;

function newClient(): Client {
  return new Client({ token: 'unused', logger: { info: () => undefined, warn: () => undefined, error: () => undefined } });
}

function refusedAs(definition: Parameters<Client['addCommand']>[0], option: string, rule: RegExp): void {
  assert.throws(
    () => newClient().addCommand(definition),
    (error: unknown) => {
      assert.ok(error instanceof CommandDefinitionError, String(error));
      assert.equal(error.code, 'LANTERN_ERR_COMMAND_DEFINITION');
      assert.equal(error.option, option);
      assert.match(error.rule, rule);
      return true;
    },
  );
}

test('a setting of another kind of option does not compile, and is refused at run time', () => {
  // @ts-expect-error minValue belongs to integer and number options
  const wrongKind = option.string({ description: 'Text', minValue: 3 });
  refusedAs(
    command({ name: 'a', description: 'A', options: { text: wrongKind }, run }),
    'text',
    /`minValue` does not belong to a string option/,
  );
  // @ts-expect-error channelTypes belongs to channel options
  const notAChannel = option.user({ description: 'Who', channelTypes: [] });
  refusedAs(command({ name: 'b', description: 'B', options: { who: notAChannel }, run }), 'who', /`channelTypes` does not belong/);
});

test('a typo in an option setting does not compile, and is refused naming the setting meant', () => {
  // @ts-expect-error the typo of `required`
  const typo = option.boolean({ description: 'Loud', requried: true });
  refusedAs(
    command({ name: 'c', description: 'C', options: { loud: typo }, run }),
    'loud',
    /`requried` does not belong.*did you mean `required`/,
  );
});

test('a bound of the wrong type does not compile', () => {
  // @ts-expect-error minValue is a number
  const bound = option.integer({ description: 'N', minValue: 'one' });
  refusedAs(command({ name: 'd', description: 'D', options: { n: bound }, run }), 'n', /minValue must be an integer/);
  // @ts-expect-error an integer option's choices have number values
  const choices = option.integer({ description: 'N', choices: [{ name: 'one', value: 'one' }] });
  refusedAs(command({ name: 'e', description: 'E', options: { n: choices }, run }), 'n', /must be an integer for an integer option/);
});

test('a typo in a command or subcommand definition does not compile', () => {
  // @ts-expect-error `option` for `options`
  const definition = command({ name: 'f', description: 'F', option: {}, run });
  assert.throws(() => newClient().addCommand(definition), /`option` does not belong \(did you mean `options`\?\)/);
  // @ts-expect-error `descripton`
  const sub = subcommand({ descripton: 'x', description: 'S', run });
  assert.throws(() => newClient().addCommand(command({ name: 'g', description: 'G', subcommands: { s: sub } })), CommandDefinitionError);
});

test('the settings of each kind still type the handler: required values are their type, choices their union', () => {
  const definition = command({
    name: 'h',
    description: 'H',
    options: {
      text: option.string({ description: 'Text', required: true, minLength: 1, maxLength: 10 }),
      unit: option.string({ description: 'Unit', choices: [{ name: 'm', value: 'm' }] }),
      amount: option.integer({ description: 'Amount', minValue: 1, maxValue: 48 }),
    },
    run: (ctx) => {
      const text: string = ctx.options.text;
      const unit: 'm' | undefined = ctx.options.unit;
      const amount: number | undefined = ctx.options.amount;
      return [text, unit, amount];
    },
  });
  assert.doesNotThrow(() => newClient().addCommand(definition));
});
