/**
 * The interaction responder's edges over raw HTTP, answer by answer: which callback an interaction type takes
 * (40043), the exact 50035 bodies for choices and modals, the `with_response` body, the 3-second and 15-minute
 * limits at their boundary, and what a defer, a follow-up, an edit or a delete leaves behind.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InteractionType, MessageFlags, MessageType } from 'discord.js';
import { FakeDiscord } from '../../src/testing/index.js';
import type { InteractionHandle } from '../../src/testing/index.js';
import { connectClient } from '../support/client.js';

let now = Date.now();
const discord = await FakeDiscord.start({ now: () => now });
const alice = discord.addUser({ username: 'alice' });
const guild = discord.addGuild({ name: 'G', members: [alice] });
const general = guild.channel('general');
const actor = discord.as(alice, general);
// A client that receives the interactions and never answers them: the tests answer over raw HTTP.
const client = await connectClient(discord);
test.after(async () => {
  await client.destroy();
  await discord.stop();
  assert.deepEqual(discord.internalErrors, []);
});

interface Answer {
  readonly status: number;
  readonly body: unknown;
}

async function call(method: string, path: string, body?: unknown, api = discord.apiUrl): Promise<Answer> {
  const response = await fetch(`${api}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as unknown) : null };
}

const callback = (handle: InteractionHandle, query = '') => `/interactions/${handle.id}/${handle.token}/callback${query}`;
const webhook = (handle: InteractionHandle) => `/webhooks/${discord.applicationId}/${handle.token}`;
const original = (handle: InteractionHandle) => `${webhook(handle)}/messages/@original`;
const noContent: Answer = { status: 204, body: null };

function slash(): InteractionHandle {
  return actor.slash('probe', {}, { allowUnregistered: true });
}

async function answer(handle: InteractionHandle, body: unknown): Promise<void> {
  assert.deepEqual(await call('POST', callback(handle), body), noContent);
}

/** A public reply with one button, and a click on it: a component interaction with a source message. */
async function click(): Promise<InteractionHandle> {
  const command = slash();
  await answer(command, {
    type: 4,
    data: { content: 'panel', components: [{ type: 1, components: [{ type: 2, style: 1, label: 'Go', custom_id: 'go' }] }] },
  });
  return actor.click(command.message!, 'go');
}

const modal = (customId = 'ask', title = 'Ask', count = 1) => ({
  custom_id: customId,
  title,
  components: Array.from({ length: count }, (_, n) => ({
    type: 1,
    components: [{ type: 4, custom_id: `field${n}`, label: 'Field', style: 1 }],
  })),
});

/** A modal opened by `opener` and submitted: its source message is the opener's, none for a slash command. */
async function submitted(opener: InteractionHandle): Promise<InteractionHandle> {
  await answer(opener, { type: 9, data: modal() });
  return actor.submitModal(opener, { field0: 'typed' });
}

function autocomplete(): InteractionHandle {
  return actor.interact(InteractionType.ApplicationCommandAutocomplete, {
    id: '100000000000000001',
    name: 'search',
    type: 1,
    options: [{ name: 'query', type: 3, value: 'ap', focused: true }],
  });
}

/** Discord's 50035 body: `errors` nests each field path down to its `_errors`. */
function invalidForm(errors: Record<string, unknown>): Answer {
  return { status: 400, body: { message: 'Invalid Form Body', code: 50035, errors } };
}

test('an unknown interaction id, or a known id with another token, is 404 10062 Unknown interaction', async () => {
  const unknown = { status: 404, body: { message: 'Unknown interaction', code: 10062 } };
  const handle = slash();
  assert.deepEqual(await call('POST', `/interactions/100000000000000002/${handle.token}/callback`, { type: 5 }), unknown);
  assert.deepEqual(await call('POST', `/interactions/${handle.id}/not-its-token/callback`, { type: 5 }), unknown);
  assert.equal(handle.acknowledged, false);
});

test('a first answer at exactly 3000 ms is in time; a second one later is 40060, not 10062', async () => {
  const handle = slash();
  now += 3000;
  await answer(handle, { type: 5 });
  now += 1;
  // Discord checks the answer before the clock once the interaction has one.
  assert.deepEqual(await call('POST', callback(handle), { type: 4, data: { content: 'again' } }), {
    status: 400,
    body: { message: 'Interaction has already been acknowledged.', code: 40060 },
  });
});

test('a callback type the fake does not serve is 50035 listing the types, and leaves the interaction unanswered', async () => {
  const handle = slash();
  const choices = invalidForm({ type: { _errors: [{ code: 'BASE_TYPE_CHOICES', message: 'Value must be one of {4, 5, 6, 7, 8, 9}.' }] } });
  // PONG answers only HTTP pings; LAUNCH_ACTIVITY needs an activity: Discord's description allows both, the fake neither.
  assert.deepEqual(await call('POST', callback(handle), { type: 1 }), choices);
  assert.deepEqual(await call('POST', callback(handle), { type: 12 }), choices);
  await answer(handle, { type: 4, data: { content: 'now' } });
});

test('each interaction type takes only its callbacks: 40043 names both types', async () => {
  const invalid = (callbackType: number, interactionType: number): Answer => ({
    status: 400,
    body: { message: `Interaction callback type ${callbackType} is not valid for interaction type ${interactionType}`, code: 40043 },
  });
  const command = slash();
  assert.deepEqual(await call('POST', callback(command), { type: 8, data: { choices: [] } }), invalid(8, 2));
  assert.deepEqual(await call('POST', callback(command), { type: 7, data: { content: 'x' } }), invalid(7, 2));
  assert.deepEqual(await call('POST', callback(command), { type: 6 }), invalid(6, 2));

  const typing = autocomplete();
  assert.deepEqual(await call('POST', callback(typing), { type: 9, data: modal() }), invalid(9, 4));
  assert.deepEqual(await call('POST', callback(typing), { type: 4, data: { content: 'x' } }), invalid(4, 4));

  // A modal opened by a slash command has no message to update: update and deferUpdate are refused.
  const fromCommand = await submitted(slash());
  assert.deepEqual(await call('POST', callback(fromCommand), { type: 7, data: { content: 'x' } }), invalid(7, 5));
  assert.deepEqual(await call('POST', callback(fromCommand), { type: 6 }), invalid(6, 5));
  assert.deepEqual(await call('POST', callback(fromCommand), { type: 9, data: modal() }), invalid(9, 5));
  assert.equal(fromCommand.acknowledged, false);
  await answer(fromCommand, { type: 4, data: { content: 'thanks' } });

  // Opened by a button, it updates the button's message.
  const fromButton = await submitted(await click());
  await answer(fromButton, { type: 7, data: { content: 'updated from the modal' } });
  assert.equal(fromButton.message?.id, fromButton.sourceMessage?.id);
  assert.equal(fromButton.message?.content, 'updated from the modal');
});

test('answers that make or keep no message record no files; choices and modals are for the user alone', async () => {
  const deferred = slash();
  await answer(deferred, { type: 5 });
  const deferredUpdate = await click();
  await answer(deferredUpdate, { type: 6 });
  const typing = autocomplete();
  await answer(typing, { type: 8, data: { choices: [{ name: 'apple', value: 'apple' }] } });
  const asked = slash();
  await answer(asked, { type: 9, data: modal() });
  assert.deepEqual(await call('DELETE', original(deferred)), noContent);

  const seen = [...deferred.responses, ...deferredUpdate.responses, ...typing.responses, ...asked.responses].map((r) => ({
    kind: r.kind,
    ephemeral: r.ephemeral,
    files: r.files,
  }));
  assert.deepEqual(seen, [
    { kind: 'deferReply', ephemeral: false, files: [] },
    { kind: 'deleteReply', ephemeral: false, files: [] },
    { kind: 'deferUpdate', ephemeral: false, files: [] },
    { kind: 'autocomplete', ephemeral: true, files: [] },
    { kind: 'showModal', ephemeral: true, files: [] },
  ]);
});

test('a reply keeps the flags the bot set beside ephemeral; a deferred reply takes `data: null`', async () => {
  const suppressed = slash();
  await answer(suppressed, { type: 4, data: { content: 'no embeds', flags: MessageFlags.SuppressEmbeds } });
  assert.equal(suppressed.message?.flags, MessageFlags.SuppressEmbeds);
  const quiet = slash();
  await answer(quiet, { type: 4, data: { content: 'quiet', flags: MessageFlags.SuppressNotifications | MessageFlags.Ephemeral } });
  assert.equal(quiet.message?.flags, MessageFlags.SuppressNotifications | MessageFlags.Ephemeral);

  // Discord's schema allows a null `data` on the message callbacks (4 to 7).
  const deferred = slash();
  await answer(deferred, { type: 5, data: null });
  assert.equal(deferred.message?.flags, MessageFlags.Loading);
  const deferredUpdate = await click();
  await answer(deferredUpdate, { type: 6, data: null });
  assert.equal(deferredUpdate.acknowledged, true);
});

test('an update or an edit of @original may carry only `components: []`, to take the buttons away', async () => {
  const update = await click();
  await answer(update, { type: 7, data: { components: [] } });
  assert.deepEqual({ content: update.message?.content, components: update.message?.components }, { content: 'panel', components: [] });

  const command = slash();
  await answer(command, {
    type: 4,
    data: { content: 'menu', components: [{ type: 1, components: [{ type: 2, style: 1, label: 'A', custom_id: 'a' }] }] },
  });
  const edited = await call('PATCH', original(command), { components: [] });
  assert.equal(edited.status, 200);
  assert.deepEqual({ content: command.message?.content, components: command.message?.components }, { content: 'menu', components: [] });
});

test('with_response=true answers the interaction and the message it made, as Discord does', async () => {
  const replied = slash();
  const reply = await call('POST', callback(replied, '?with_response=true'), { type: 4, data: { content: 'hello' } });
  const message = JSON.parse(JSON.stringify(replied.message)) as unknown;
  assert.deepEqual(reply, {
    status: 200,
    body: {
      interaction: {
        id: replied.id,
        type: InteractionType.ApplicationCommand,
        response_message_id: replied.message?.id,
        response_message_loading: false,
        response_message_ephemeral: false,
      },
      resource: { type: 4, message },
    },
  });

  const deferred = slash();
  const defer = await call('POST', callback(deferred, '?with_response=true'), { type: 5, data: { flags: MessageFlags.Ephemeral } });
  assert.deepEqual((defer.body as { interaction: unknown }).interaction, {
    id: deferred.id,
    type: InteractionType.ApplicationCommand,
    response_message_id: deferred.message?.id,
    response_message_loading: true,
    response_message_ephemeral: true,
  });

  // Discord's resource carries a message only for types 4 and 7 (and the fake's loading message for 5).
  const clicked = await click();
  assert.deepEqual(await call('POST', callback(clicked, '?with_response=true'), { type: 6 }), {
    status: 200,
    body: {
      interaction: {
        id: clicked.id,
        type: InteractionType.MessageComponent,
        response_message_id: clicked.sourceMessage?.id,
        response_message_loading: false,
        response_message_ephemeral: false,
      },
      resource: { type: 6 },
    },
  });

  const asked = slash();
  assert.deepEqual(await call('POST', callback(asked, '?with_response=true'), { type: 9, data: modal() }), {
    status: 200,
    body: { interaction: { id: asked.id, type: InteractionType.ApplicationCommand }, resource: { type: 9 } },
  });
});

test('the first follow-up after a defer fills the "thinking" message; after an edit of it, a follow-up is a new message', async () => {
  const filled = slash();
  await answer(filled, { type: 5 });
  const first = await call('POST', `${webhook(filled)}?wait=true`, { content: 'filled' });
  assert.equal((first.body as { id: string }).id, filled.message?.id);
  assert.deepEqual(
    filled.responses.map((r) => `${r.kind} ${String(r.message?.content)}`),
    ['deferReply ', 'followUp filled'],
  );

  const edited = slash();
  await answer(edited, { type: 5 });
  assert.equal((await call('PATCH', original(edited), { content: 'done' })).status, 200);
  const later = await call('POST', `${webhook(edited)}?wait=true`, { content: 'more' });
  assert.notEqual((later.body as { id: string }).id, edited.message?.id);
  assert.equal(edited.message?.content, 'done');
  assert.deepEqual(
    edited.responses.map((r) => r.kind),
    ['deferReply', 'editReply', 'followUp'],
  );
});

test('deleting a follow-up leaves @original; deleting @original forgets it', async () => {
  const handle = slash();
  await answer(handle, { type: 4, data: { content: 'first' } });
  const followUp = await call('POST', `${webhook(handle)}?wait=true`, { content: 'extra' });
  const followUpId = (followUp.body as { id: string }).id;
  assert.deepEqual(await call('DELETE', `${webhook(handle)}/messages/${followUpId}`), noContent);
  const fetched = await call('GET', original(handle));
  assert.equal((fetched.body as { content: string }).content, 'first');
  assert.equal(handle.message?.content, 'first');

  assert.deepEqual(await call('DELETE', original(handle)), noContent);
  assert.equal(handle.message, null);
  assert.deepEqual(await call('GET', original(handle)), { status: 404, body: { message: 'Unknown Message', code: 10008 } });
  assert.deepEqual(
    handle.responses.map((r) => `${r.kind} ${r.files.length}`),
    ['reply 0', 'followUp 0', 'deleteFollowUp 0', 'deleteReply 0'],
  );
});

test('a follow-up is a channel message unless flagged ephemeral', async () => {
  const handle = slash();
  await answer(handle, { type: 4, data: { content: 'first' } });
  const shown = (await call('POST', `${webhook(handle)}?wait=true`, { content: 'for all' })).body as { id: string };
  const hidden = (await call('POST', `${webhook(handle)}?wait=true`, { content: 'for you', flags: MessageFlags.Ephemeral })).body as {
    id: string;
    flags: number;
  };
  assert.equal(hidden.flags, MessageFlags.Ephemeral);
  const inChannel = new Set(general.messages.map((m) => m.id));
  assert.deepEqual([inChannel.has(shown.id), inChannel.has(hidden.id)], [true, false]);
  assert.deepEqual(
    handle.responses.map((r) => `${r.kind} ${r.ephemeral}`),
    ['reply false', 'followUp false', 'followUp true'],
  );
});

test('the token still works at exactly 15 minutes, and not a millisecond later (50027)', async () => {
  const handle = slash();
  await answer(handle, { type: 5 });
  now += 15 * 60_000;
  assert.equal((await call('POST', `${webhook(handle)}?wait=true`, { content: 'at 15 minutes' })).status, 200);
  now += 1;
  assert.deepEqual(await call('POST', webhook(handle), { content: 'too late' }), {
    status: 401,
    body: { message: 'Invalid Webhook Token', code: 50027 },
  });
});

test('a reply to a button is a default message that names the message clicked', async () => {
  const clicked = await click();
  await answer(clicked, { type: 4, data: { content: 'clicked' } });
  assert.equal(clicked.message?.type, MessageType.Default);
  // The component variant of the metadata union: the one that names the message interacted with.
  const metadata = clicked.message.interaction_metadata as { interacted_message_id?: string } | undefined;
  assert.equal(metadata?.interacted_message_id, clicked.sourceMessage?.id);
  const command = slash();
  await answer(command, { type: 4, data: { content: 'typed' } });
  assert.equal(command.message?.type, MessageType.ChatInputCommand);
});

test('autocomplete choices: required, up to 25, names of 1 to 100 characters, string values of at most 100', async () => {
  const handle = autocomplete();
  const required = invalidForm({ data: { choices: { _errors: [{ code: 'BASE_TYPE_REQUIRED', message: 'This field is required' }] } } });
  assert.deepEqual(await call('POST', callback(handle), { type: 8, data: {} }), required);
  assert.deepEqual(await call('POST', callback(handle), { type: 8, data: { choices: null } }), required);
  // Discord's description allows 6000 characters; its documentation, and Discord, 100.
  const long = [
    { name: 'ok', value: 'v'.repeat(100) },
    { name: 'long', value: 'v'.repeat(101) },
  ];
  assert.deepEqual(
    await call('POST', callback(handle), { type: 8, data: { choices: long } }),
    invalidForm({
      data: {
        choices: {
          1: {
            value: { _errors: [{ code: 'BASE_TYPE_BAD_LENGTH', message: 'Must be a number, or a string of 100 or fewer in length.' }] },
          },
        },
      },
    }),
  );
  assert.equal(handle.acknowledged, false);

  const edges = [
    { name: 'a', value: 'v'.repeat(100) },
    { name: 'n'.repeat(100), value: '' },
    ...Array.from({ length: 23 }, (_, n) => ({ name: `n${n}`, value: `v${n}` })),
  ];
  await answer(handle, { type: 8, data: { choices: edges } });
  assert.deepEqual((await handle.response('autocomplete')).choices, edges);

  const numbers = autocomplete();
  const numeric = [
    { name: 'half', value: 1.5 },
    { name: 'zero', value: 0 },
  ];
  await answer(numbers, { type: 8, data: { choices: numeric } });
  assert.deepEqual((await numbers.response('autocomplete')).choices, numeric);
});

test('a modal: custom_id of 1 to 100 characters, title of 1 to 45, and at most 5 components', async () => {
  const handle = slash();
  // Discord's description allows 40 components; its documentation, and Discord, 5.
  assert.deepEqual(
    await call('POST', callback(handle), { type: 9, data: modal('ask', 'Ask', 6) }),
    invalidForm({ data: { components: { _errors: [{ code: 'BASE_TYPE_BAD_LENGTH', message: 'Must be between 1 and 5 in length.' }] } } }),
  );
  assert.equal(handle.acknowledged, false);

  await answer(handle, { type: 9, data: modal('c'.repeat(100), 't'.repeat(45), 5) });
  assert.deepEqual(handle.modal, modal('c'.repeat(100), 't'.repeat(45), 5));
  const short = slash();
  await answer(short, { type: 9, data: modal('c', 't', 1) });
  assert.deepEqual(short.modal, modal('c', 't', 1));
});

test('past the interaction limit the oldest interaction is forgotten, and only it', async () => {
  const small = await FakeDiscord.start({ interactionLimit: 2 });
  const smallClient = await connectClient(small);
  try {
    const bob = small.addUser({ username: 'bob' });
    const there = small.as(bob, small.addGuild({ name: 'S', members: [bob] }).channel('general'));
    const [oldest, middle, newest] = [1, 2, 3].map(() => there.slash('probe', {}, { allowUnregistered: true }));
    assert.deepEqual(
      [oldest, middle, newest].map((h) => small.interaction(h!.id)?.id),
      [undefined, middle!.id, newest!.id],
    );
    assert.deepEqual(await call('POST', callback(oldest!), { type: 5 }, small.apiUrl), {
      status: 404,
      body: { message: 'Unknown interaction', code: 10062 },
    });
    assert.deepEqual(await call('POST', callback(middle!), { type: 5 }, small.apiUrl), noContent);
  } finally {
    await smallClient.destroy();
    await small.stop();
  }
});

test('flags written as decimal text count, as Discord reads an integer field: "64" is ephemeral', async () => {
  const deferred = slash();
  await answer(deferred, { type: 5, data: { flags: String(MessageFlags.Ephemeral) } });
  assert.equal(deferred.message?.flags, MessageFlags.Ephemeral | MessageFlags.Loading);
  const replied = slash();
  await answer(replied, { type: 4, data: { content: 'quiet', flags: String(MessageFlags.SuppressNotifications) } });
  assert.equal(replied.message?.flags, MessageFlags.SuppressNotifications);
  const hidden = await call('POST', `${webhook(replied)}?wait=true`, { content: 'for you', flags: String(MessageFlags.Ephemeral) });
  assert.equal((hidden.body as { flags: number }).flags, MessageFlags.Ephemeral);
  assert.deepEqual(
    [deferred, replied].flatMap((h) => h.responses.map((r) => `${r.kind} ${r.ephemeral}`)),
    ['deferReply true', 'reply false', 'followUp true'],
  );
});
