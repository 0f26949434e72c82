import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SentryReceiver } from '../../src/testing/index.js';
import { checkHeaderDsn, MalformedEnvelopeError, parseEnvelope } from '../../src/util/sentry-envelope.js';

const T = { timeout: 20_000 };
const EVENT_ID = 'c'.repeat(32);

test('a payload of the length its header gives must be followed by a newline or the end, as Relay requires', () => {
  const header = JSON.stringify({ event_id: EVENT_ID });
  const glued = `${header}\n{"type":"attachment","length":2}\nhi{"type":"attachment","length":2}\nho`;
  assert.throws(
    () => parseEnvelope(Buffer.from(glued)),
    (error: unknown) => {
      assert.ok(error instanceof MalformedEnvelopeError);
      assert.match(error.message, /item 1 \(attachment\): its 2 bytes of payload are not followed by a newline/);
      return true;
    },
  );
  const separated = parseEnvelope(Buffer.from(`${header}\n{"type":"attachment","length":2}\nhi\n{"type":"attachment","length":2}\nho`));
  assert.deepEqual(
    separated.items.map((item) => item.payload),
    ['hi', 'ho'],
  );
});

test("an event without an event_id is filed under the envelope's, and an envelope without one gets the event's", () => {
  const fromHeader = parseEnvelope(Buffer.from(`{"event_id":"${EVENT_ID}"}\n{"type":"event"}\n{"message":"no id"}\n`));
  assert.equal((fromHeader.items[0]?.payload as { event_id: string }).event_id, EVENT_ID);
  const fromEvent = parseEnvelope(Buffer.from(`{}\n{"type":"event"}\n{"event_id":"${EVENT_ID}"}\n`));
  assert.equal(fromEvent.header.event_id, EVENT_ID);
  const neither = parseEnvelope(Buffer.from(`{}\n{"type":"event"}\n{"message":"no id anywhere"}\n`));
  assert.match(neither.header.event_id ?? '', /^[0-9a-f]{32}$/);
  assert.equal((neither.items[0]?.payload as { event_id: string }).event_id, neither.header.event_id);
  const sessionsOnly = parseEnvelope(Buffer.from(`{}\n{"type":"session"}\n{"sid":"s"}\n`));
  assert.equal(sessionsOnly.header.event_id, undefined, 'an envelope without event items keeps having no event_id');
});

test("a header dsn must name the request's project and key, as Relay checks it", () => {
  const request = { projectId: '42', publicKey: 'abc' };
  assert.doesNotThrow(() => {
    checkHeaderDsn({ dsn: 'http://abc@127.0.0.1:9/42' }, request);
  });
  assert.doesNotThrow(() => {
    checkHeaderDsn({}, request);
  });
  assert.throws(() => {
    checkHeaderDsn({ dsn: 'http://abc@127.0.0.1:9/7' }, request);
  }, /project id header mismatch/);
  assert.throws(() => {
    checkHeaderDsn({ dsn: 'http://other@127.0.0.1:9/42' }, request);
  }, /public key header mismatch/);
  assert.throws(() => {
    checkHeaderDsn({ dsn: 'not a dsn' }, request);
  }, /not a DSN/);
});

test(
  'the receiver answers as Relay: 200 for an event without event_id, 400 for a glued payload or a dsn of another project',
  T,
  async (t) => {
    const receiver = await SentryReceiver.start();
    t.after(() => receiver.stop());
    const dsn = new URL(receiver.dsn);
    const post = async (body: string) => {
      const answer = await fetch(`http://${dsn.host}/api${dsn.pathname}/envelope/?sentry_key=${dsn.username}`, { method: 'POST', body });
      return { status: answer.status, body: await answer.json() };
    };
    assert.deepEqual(await post(`{"event_id":"${EVENT_ID}"}\n{"type":"event"}\n{"message":"hello"}\n`), {
      status: 200,
      body: { id: EVENT_ID },
    });
    assert.equal((await receiver.waitForEvent(EVENT_ID)).message, 'hello');

    const glued = await post(`{}\n{"type":"attachment","length":1}\nab\n`);
    assert.equal(glued.status, 400);
    const foreign = await post(`{"dsn":"http://${dsn.username}@${dsn.host}/999"}\n{"type":"session"}\n{}\n`);
    assert.equal(foreign.status, 400);
    assert.deepEqual(
      receiver.malformed.map((entry) => /newline|project id/.exec(entry.reason)?.[0]),
      ['newline', 'project id'],
    );
    assert.equal(receiver.envelopes.length, 1);
  },
);
