import type { Sdk } from './client.js';
import { envelopeBytes } from './envelope-bytes.js';
import type { Envelope } from './envelope-bytes.js';
import type { SendResponse } from './outbox.js';

type TransportFactory = typeof import('@sentry/node').makeNodeTransport;
export type TransportOptions = Parameters<TransportFactory>[0];
type Transport = ReturnType<TransportFactory>;
type Buffer = NonNullable<Parameters<Sdk['createTransport']>[2]>;

/** What the outbox transport needs of the outbox: a place to put envelopes and a way to wait for their delivery. */
export interface EnvelopeSink {
  enqueue(body: Uint8Array): Promise<void>;
  flush(timeoutMs: number): Promise<boolean>;
}

/**
 * The transport the client is given when the outbox is on. Its `send` serializes the envelope as the SDK does
 * (`createTransport`) and resolves once it is in the outbox; the SDK's 64-request buffer and its own rate limiting
 * are never in the way (the buffer here has no limit, and nothing comes back to rate-limit on). The SDK's real
 * transport (`inner`: the Node transport, or the app's `transport`) is made beside it and handed to `useInner`:
 * the outbox's delivery loop sends through it. It reports nothing lost: what the outbox drops it reports itself.
 */
export function outboxTransport(
  sdk: Sdk,
  inner: TransportFactory,
  outbox: EnvelopeSink,
  useInner: (send: (envelope: Envelope) => PromiseLike<SendResponse>) => void,
): TransportFactory {
  return (options: TransportOptions): Transport => {
    const delivery = inner({ ...options, recordDroppedEvent: () => undefined });
    useInner((envelope) => delivery.send(envelope));
    const buffer: Buffer = {
      $: [],
      add: (task) => task(),
      drain: (timeoutMs) => outbox.flush(timeoutMs ?? Infinity),
    };
    return sdk.createTransport(options, (request) => outbox.enqueue(envelopeBytes(request.body)).then(() => ({})), buffer);
  };
}
