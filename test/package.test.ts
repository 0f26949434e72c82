import assert from 'node:assert/strict';
import { test } from 'node:test';

// These import the built package through its own `exports` map, as a bot that installed it would.
test('the package exports lantern and lantern/testing from dist', async () => {
  const lantern = await import('lantern');
  const testing = await import('lantern/testing');
  const error = new lantern.LanternError('LANTERN_ERR_CLIENT_STATE', 'example');
  assert.equal(error.code, 'LANTERN_ERR_CLIENT_STATE');
  assert.equal(error.name, 'LanternError');
  assert.ok(new testing.FakeDiscordError('LANTERN_ERR_FAKE_TIMEOUT', 'x') instanceof lantern.LanternError);
  const discord = await testing.FakeDiscord.start();
  try {
    const answer = await fetch(`${discord.apiUrl}/users/@me`, { headers: { authorization: `Bot ${discord.token}` } });
    assert.equal(answer.status, 200);
    assert.equal(((await answer.json()) as { id: string }).id, discord.botUser.id);
  } finally {
    await discord.stop();
  }
});
