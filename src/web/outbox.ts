import { ago, count, megabytes } from '../cli/output.js';
import type { OutboxStatus } from '../ext/sentry/outbox-queue.js';
import { fullTime } from './format.js';
import { html } from './html.js';
import type { Html } from './html.js';

/**
 * The Sentry outbox kept in the store's file, as `lantern status` tells it: what waits and since when, whether
 * delivery fails and why, what Sentry refused for good. Only read; each row names its value (`data-outbox`).
 */
export function outboxCard(outbox: OutboxStatus, now: number): Html {
  const row = (name: string, label: string, value: Html | string, title?: string) =>
    html`<li>
      <span>${label}</span
      ><span class="v" data-outbox="${name}" title="${title ?? (typeof value === 'string' ? value : '')}">${value}</span>
    </li>`;
  const delivery =
    outbox.failingSince === undefined
      ? html`<span class="badge resolved">working</span>`
      : html`<span class="badge open">failing</span> since ${ago(outbox.failingSince, now)}`;
  const { today } = outbox;
  const late = today.late > 0 ? ` (${count(today.late)} late)` : '';
  const dropped = today.dropped > 0 ? `, ${count(today.dropped)} dropped by the bounds` : '';
  const todayText = `${count(today.delivered)} delivered${late}${dropped}`;
  const deliveryTitle = outbox.failingSince === undefined ? 'working' : `failing since ${fullTime(outbox.failingSince)}`;
  return html`<section class="card section outbox" aria-label="Sentry outbox">
    <h2>Sentry outbox</h2>
    <ul class="values">
      ${row('queued', 'Queued', outbox.queued === 0 ? 'nothing waiting' : `${count(outbox.queued)} (${megabytes(outbox.bytes)})`)}
      ${outbox.oldest === undefined ? '' : row('oldest', 'Oldest pending', ago(outbox.oldest, now), fullTime(outbox.oldest))}
      ${row('delivery', 'Delivery', delivery, deliveryTitle)}
      ${
        outbox.lastError === undefined
          ? ''
          : row(
              'last-error',
              'Last delivery error',
              `${outbox.lastError}${outbox.lastErrorAt === undefined ? '' : ` (${ago(outbox.lastErrorAt, now)})`}`,
            )
      }
      ${row('dead-letters', 'Dead letters (refused for good)', count(outbox.deadLetters))} ${row('today', 'Today', todayText)}
    </ul>
  </section>`;
}
