/**
 * What the webhook reporter keeps beyond its own memory: each issue's status and, at stop, what it could not post.
 * It keeps statuses in memory by default (`MemoryReporterStore`); `lantern/ext/local` is meant to pass its SQLite store
 * here, so an owner's Resolve or Mute outlives a restart (and is what the store's page and CLI show), and a digest
 * that could not be posted at stop is posted at the next start.
 *
 * Issues are named by the reporter's issue id: 16 hex digits of the SHA-256 of the Discord-aware grouping key
 * (`groupError(source, error).key`). Calls are synchronous, as better-sqlite3's are; one that throws is logged once
 * and the reporter goes on with what it has in memory.
 */
export interface ReporterStore {
  /** The issue's status, or `undefined` for one the store does not know (it is open). */
  status(issueId: string): IssueStatus | undefined;
  /** Records a status an owner set with the buttons (or the reporter set back to open when a resolved issue came back). */
  setStatus(issueId: string, status: IssueStatus, change: StatusChange): void;
  /** A page where a developer looks further at the issue (the local store's web page), shown on its post. */
  linkFor?(issueId: string): string | undefined;
  /** Keeps the messages that could not be posted before stop; the next `takePending` gives them back. */
  savePending?(pending: PendingReport): void;
  /** The messages kept at the last stop, once (the next call gives `undefined`). */
  takePending?(): PendingReport | undefined;
}

export type IssueStatus =
  | { readonly state: 'open' }
  | { readonly state: 'resolved'; readonly at: number }
  /** Left out of digests until `until` (ms since the epoch); open again after. */
  | { readonly state: 'muted'; readonly until: number };

export interface StatusChange {
  /** The issue's title (`TypeError: x is undefined`), for a store that has not seen the issue yet. */
  readonly title: string | undefined;
  /** The Discord user who pressed the button; `undefined` when the reporter changed it (a regression). */
  readonly userId: string | undefined;
  readonly at: number;
}

/** Messages built and not posted, as JSON: the body Discord would have got and the files, in base64. */
export interface PendingReport {
  readonly savedAt: number;
  readonly messages: readonly PendingMessage[];
}

export interface PendingMessage {
  readonly body: Record<string, unknown>;
  readonly files: readonly { readonly name: string; readonly base64: string }[];
}

/** The default store: statuses in memory, for as long as the bot runs. */
export class MemoryReporterStore implements ReporterStore {
  readonly #statuses = new Map<string, IssueStatus>();

  status(issueId: string): IssueStatus | undefined {
    return this.#statuses.get(issueId);
  }

  setStatus(issueId: string, status: IssueStatus): void {
    if (status.state === 'open') this.#statuses.delete(issueId);
    else this.#statuses.set(issueId, status);
  }
}
