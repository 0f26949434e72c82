import type { Client } from '../../client/client.js';
import { StormControl } from '../../errors/storm.js';
import type { ErrorEvent } from '../../events/types.js';
import type { BreadcrumbTrail } from '../../tracking/breadcrumbs.js';
import { buildTrackedEvent, eventIdFor, groupEvent, newEventId } from '../../tracking/build.js';
import { shardOf } from '../../tracking/event-data.js';
import type { TrackedEvent } from '../../tracking/tracked-event.js';
import type { StoreWriter } from './writer.js';

/** Groups whose latest event is remembered (what their counted occurrences are like); past it the oldest is forgotten. */
const MAX_REMEMBERED_GROUPS = 1000;
/** Event ids recorded lately: a reference an earlier tracker hands out again (its storm control) is not this store's id twice. */
const MAX_RECENT_IDS = 2000;

export interface RecorderSettings {
  readonly writer: StoreWriter;
  readonly trail: BreadcrumbTrail;
  readonly recordExpected: boolean;
  readonly eventsPerIssuePerMinute: number;
  readonly eventsPerMinute: number;
  readonly release: string | undefined;
  readonly environment: string | undefined;
  readonly now: () => number;
}

/**
 * The `Error` listener of `lantern/ext/local`: builds each event once (redacted), queues it for the store and gives
 * the user its id as the reference, unless an earlier tracker gave one (then that id is this event's id too).
 * Storm control: past `eventsPerIssuePerMinute` events of one issue in a minute, or `eventsPerMinute` of all issues,
 * an occurrence is only counted (no event is built), and its user gets the reference of the issue's last event. An
 * issue's first occurrence is always a full event: a count needs an event to be like.
 */
export class LocalRecorder {
  readonly #storm: StormControl<null>;
  readonly #latest = new Map<string, TrackedEvent>();
  readonly #recentIds = new Set<string>();
  #closed = false;

  constructor(
    private readonly bot: Client,
    private readonly settings: RecorderSettings,
  ) {
    this.#storm = new StormControl(settings.eventsPerIssuePerMinute, settings.now, settings.eventsPerMinute);
  }

  readonly onError = (event: ErrorEvent): void => {
    if (this.#closed || (event.expected && !this.settings.recordExpected)) return;
    const grouping = groupEvent(event, this.bot.redactor);
    const { fingerprint } = grouping;
    const timestamp = this.settings.now();
    const admission = this.#storm.admit(fingerprint, null);
    const like = this.#latest.get(fingerprint);
    if (!admission.send && like) {
      const user = event.ctx && { id: event.ctx.user.id, username: event.ctx.user.username };
      const counted = {
        like,
        timestamp,
        user,
        guildId: event.ctx?.guildId ?? undefined,
        command: event.source === like.source ? (like.tags.command ?? like.source) : event.source,
        release: this.settings.release,
        // Worked out for this occurrence, not taken from `like`: a manager's events, or one process's shards, differ.
        shardId:
          event.tags?.shard_id ?? (like.tags.shard_count === undefined ? undefined : optionalText(shardOf(this.bot, event, event.ctx))),
      };
      if (this.settings.writer.add(counted)) event.reference ??= admission.lastEventId;
      return;
    }
    const eventId = this.#freshId(eventIdFor(event));
    const tracked = buildTrackedEvent(this.bot, event, {
      eventId,
      timestamp,
      release: this.settings.release,
      environment: this.settings.environment,
      breadcrumbs: this.settings.trail.recent(),
      grouping,
    });
    if (!this.settings.writer.add(tracked)) return;
    this.#remember(fingerprint, tracked);
    this.#storm.sent(fingerprint, eventId);
    event.reference ??= eventId;
  };

  close(): void {
    this.#closed = true;
  }

  /** The id unless this store recorded it already (an earlier tracker handing its last id out again), then a new one. */
  #freshId(candidate: string): string {
    const id = this.#recentIds.has(candidate) ? newEventId() : candidate;
    this.#recentIds.add(id);
    if (this.#recentIds.size > MAX_RECENT_IDS) this.#recentIds.delete(this.#recentIds.values().next().value as string);
    return id;
  }

  #remember(fingerprint: string, event: TrackedEvent): void {
    this.#latest.delete(fingerprint);
    this.#latest.set(fingerprint, event);
    if (this.#latest.size > MAX_REMEMBERED_GROUPS) this.#latest.delete(this.#latest.keys().next().value as string);
  }
}

function optionalText(value: number | undefined): string | undefined {
  return value === undefined ? undefined : String(value);
}
