/**
 * What a bot developer reads when a check is written wrong: the built-in permission checks named with no permission,
 * a custom check without a name, and a check that returns a function (a factory listed uncalled), each refused with
 * a message that says where and what to write instead.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checks, GuardDefinitionError } from '../../src/index.js';
import type { Check } from '../../src/index.js';
import { runCheck } from '../../src/checks/check.js';

test('a permission check that names no permission is refused where it is defined', () => {
  assert.throws(
    () => checks.userPermissions(),
    (error) => error instanceof GuardDefinitionError && error.message === 'checks.userPermissions: name at least one permission',
  );
  assert.throws(
    () => checks.botPermissions(),
    (error) => error instanceof GuardDefinitionError && error.message === 'checks.botPermissions: name at least one permission',
  );
});

test('a custom check needs a name', () => {
  assert.throws(
    () => checks.custom('', () => true),
    (error) => error instanceof GuardDefinitionError && error.message === 'checks.custom: a check needs a name',
  );
});

test('a check that returns a function is a bug whose message names the likely cause', async () => {
  const staffOnly: Check = () => checks.ownerOnly() as never;
  // The check returns before reading the context.
  await assert.rejects(runCheck(staffOnly, undefined as never), {
    name: 'TypeError',
    message:
      'Check staffOnly returned a function instead of true, false or a reason (a check factory listed uncalled, like ' +
      'checks.ownerOnly for checks.ownerOnly()?)',
  });
});
