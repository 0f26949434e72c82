import { ButtonStyle, ComponentType, MessageFlags } from 'discord.js';
import type { APIActionRowComponent, APIButtonComponent, APIEmbed, RESTPostAPIWebhookWithTokenJSONBody } from 'discord-api-types/v10';
import { DiscordLimits } from '../../util/limits.js';
import type { AnnouncedIssue, Digest } from './issues.js';

/** One message for the webhook: its JSON body and its files. */
export interface OutgoingMessage {
  readonly body: RESTPostAPIWebhookWithTokenJSONBody;
  readonly files: readonly OutgoingFile[];
  /** What it is, for log lines: `a post of 3 new issues`, `a digest`. */
  readonly label: string;
}

export interface OutgoingFile {
  readonly name: string;
  readonly data: Buffer;
}

export type IssueAction = 'resolve' | 'mute';

export interface AnnouncementSettings {
  /** The custom id of an issue's button, when the webhook's messages can carry the bot's buttons. */
  readonly customId: ((issueId: string, action: IssueAction) => string) | undefined;
  readonly release: string | undefined;
  /** Where a developer looks further at the issue (the store's page, the tracker's reference, the log). */
  readonly lookFurther: (issueId: string, reference: string | undefined, source: string) => string;
}

/** New issues in one post: an embed each, and each issue's two buttons in a row shared with the next issue's. */
export const ISSUES_PER_POST = Math.min(DiscordLimits.embeds, DiscordLimits.actionRows * Math.floor(DiscordLimits.rowButtons / 2));
/** Messages one digest may take; the issues that would need more are summed up in its last line. */
export const MAX_DIGEST_MESSAGES = 3;
/** Room kept in a message's embeds for their titles and footers, under the 6000 characters Discord allows across them. */
const EMBED_FRAME = 300;
/** An issue's embed has at least this many characters, however many share the message. */
const MIN_ISSUE_EMBED = 500;
/** What an issue's description keeps at least, for a few lines of its traceback or the name of its file. */
const MIN_DESCRIPTION = 100;
/** Files are cut past this size, far under Discord's upload limit. */
const MAX_FILE_BYTES = 1 << 20;
const COLORS = { issue: 0xe74c3c, regression: 0xe67e22, digest: 0x95a5a6 } as const;
/** Every message: error text holding `@everyone` or `<@id>` stays text. */
const NO_MENTIONS = { parse: [] };

/** A post of new issues (at most ISSUES_PER_POST): what each is, where it happened, its traceback, its buttons. */
export function composeAnnouncement(items: readonly AnnouncedIssue[], settings: AnnouncementSettings): OutgoingMessage {
  const budget = Math.max(MIN_ISSUE_EMBED, Math.floor((DiscordLimits.embedsTotal - EMBED_FRAME) / items.length));
  const numbered = items.length > 1;
  const embeds: APIEmbed[] = [];
  const files: OutgoingFile[] = [];
  for (const [index, item] of items.entries()) {
    const { embed, file } = issueEmbed(item, numbered ? index + 1 : undefined, budget, settings);
    embeds.push(embed);
    if (file) files.push(file);
  }
  const regressions = items.filter((item) => item.announcement.regression).length;
  const only = items.length === 1 ? items[0] : undefined;
  const content = only
    ? `**${only.announcement.regression ? 'Back after being resolved' : 'New issue'}**: ${clip(only.issue.title, 300)}`
    : `**${String(items.length - regressions)} new issues**${regressions > 0 ? `, ${String(regressions)} back after being resolved` : ''}`;
  const components = settings.customId ? issueButtons(items, settings.customId) : undefined;
  return {
    body: { content, embeds, allowed_mentions: NO_MENTIONS, ...(components ? { components } : {}) },
    files,
    label: only ? 'the post of a new issue' : `a post of ${String(items.length)} new issues`,
  };
}

function issueEmbed(
  { issue, announcement, count }: AnnouncedIssue,
  index: number | undefined,
  budget: number,
  settings: AnnouncementSettings,
): { embed: APIEmbed; file: OutgoingFile | undefined } {
  const { snapshot, event, regression } = announcement;
  const { tags } = snapshot;
  const reference = event.reference;
  const fields = [
    { name: 'Source', value: `\`${plain(clip(issue.source, 100))}\`` },
    tags.command && tags.command !== issue.source ? { name: 'Command', value: `\`${plain(clip(tags.command, 200))}\`` } : undefined,
    tags.guild_id ? { name: 'Guild', value: tags.guild_id } : undefined,
    tags.channel_id ? { name: 'Channel', value: `<#${tags.channel_id}>` } : undefined,
    tags.shard_id ? { name: 'Shard', value: tags.shard_id } : undefined,
    settings.release ? { name: 'Release', value: clip(settings.release, 200) } : undefined,
    reference ? { name: 'Reference', value: `\`${plain(clip(reference, 200))}\`` } : undefined,
    { name: 'Look further', value: clip(settings.lookFurther(issue.id, reference, issue.source), 500) },
  ].flatMap((field) => (field ? [{ ...field, inline: field.name !== 'Look further' }] : []));
  const footer = `Issue ${issue.id} · seen ${times(count)}${regression ? ' · it had been resolved' : ''}`;
  const prefix = `${index === undefined ? '' : `${String(index)}. `}${regression ? 'Back: ' : ''}`;
  const title = clip(prefix + snapshot.title, Math.min(DiscordLimits.embedTitle, Math.floor(budget / 4)));
  const framing = () => title.length + footer.length + fields.reduce((sum, field) => sum + field.name.length + field.value.length, 0);
  // Only when ten issues with long sources, commands and releases share a post: the longest details go, the source stays.
  while (framing() > budget - MIN_DESCRIPTION && fields.length > 1) {
    const longest = fields.reduce((at, field, i) => (i > 0 && field.value.length > (fields[at]?.value.length ?? 0) ? i : at), 1);
    fields.splice(longest, 1);
  }
  const room = Math.min(DiscordLimits.embedDescription, budget - framing());
  // The message again when the title could not hold it (cut, or more than one line).
  const inTitle = !title.endsWith('…') && !snapshot.message.includes('\n');
  const message = inTitle ? '' : `${clip(snapshot.message, Math.floor(room / 3))}\n`;
  const fileName = `traceback-${issue.id}.txt`;
  const { text, attached } = codeBlock(snapshot.traceback, room - message.length, fileName);
  return {
    embed: {
      title,
      description: message + text,
      color: regression ? COLORS.regression : COLORS.issue,
      fields,
      footer: { text: footer },
      timestamp: new Date(issue.firstSeen).toISOString(),
    },
    file: attached ? { name: fileName, data: Buffer.from(snapshot.traceback, 'utf8').subarray(0, MAX_FILE_BYTES) } : undefined,
  };
}

/** The traceback in a code block of at most `room` characters; cut, with a note naming the file, when it does not fit. */
function codeBlock(traceback: string, room: number, fileName: string): { text: string; attached: boolean } {
  // Three backticks in a stack would close the block early.
  const safe = traceback.replaceAll('```', '`\u200b``');
  const whole = `\`\`\`\n${safe}\n\`\`\``;
  if (whole.length <= room) return { text: whole, attached: false };
  const note = `Whole traceback: \`${fileName}\``;
  const shown = room - note.length - '```\n\n```\n'.length;
  return { text: shown > 20 ? `\`\`\`\n${clip(safe, shown)}\n\`\`\`\n${note}` : note, attached: true };
}

/** Two issues to a row: `Resolve 1`, `Mute 1 for 24 h`, `Resolve 2`, `Mute 2 for 24 h`. */
function issueButtons(
  items: readonly AnnouncedIssue[],
  customId: (issueId: string, action: IssueAction) => string,
): APIActionRowComponent<APIButtonComponent>[] {
  const buttons = items.flatMap(({ issue }, index): APIButtonComponent[] => {
    const n = items.length > 1 ? ` ${String(index + 1)}` : '';
    return [
      { type: ComponentType.Button, style: ButtonStyle.Success, label: `Resolve${n}`, custom_id: customId(issue.id, 'resolve') },
      { type: ComponentType.Button, style: ButtonStyle.Secondary, label: `Mute${n} for 24 h`, custom_id: customId(issue.id, 'mute') },
    ];
  });
  const rows: APIActionRowComponent<APIButtonComponent>[] = [];
  for (let start = 0; start < buttons.length; start += 4)
    rows.push({ type: ComponentType.ActionRow, components: buttons.slice(start, start + 4) });
  return rows;
}

/**
 * A window's digest: a line per issue that happened in it (`**57×** TypeError: ... · /divide · 100 in all`), most
 * frequent first, packed into as few messages as Discord's limits allow (4096 characters an embed, 6000 across a
 * message's ten), at most MAX_DIGEST_MESSAGES; the rest are summed up in the last line. Sent without a notification.
 */
export function composeDigest(digest: Digest): OutgoingMessage[] {
  if (digest.entries.length === 0 && digest.untracked === 0) return [];
  const occurrences = digest.entries.reduce((sum, entry) => sum + entry.count, 0) + digest.untracked;
  const lines = digest.entries.map(
    ({ issue, count, isNew }) =>
      `**${count.toLocaleString('en-US')}×** ${markdown(clip(issue.title, 150))} · \`${plain(clip(issue.source, 60))}\` · ` +
      `${issue.total.toLocaleString('en-US')} in all · \`${issue.id}\`${isNew ? ' · **new**' : ''}`,
  );
  if (digest.untracked > 0)
    lines.push(`${times(digest.untracked)} more, of issues no longer followed (the reporter keeps the 1000 seen last)`);
  const header = `<t:${unix(digest.from)}:t> to <t:${unix(digest.to)}:t>`;
  const pages = pack([header, ...lines], (omitted) => {
    const rest = digest.entries.slice(digest.entries.length - omitted);
    return `…and ${String(rest.length)} more issues, ${times(rest.reduce((sum, entry) => sum + entry.count, 0))}`;
  });
  const title = clip(`Digest: ${String(digest.entries.length)} issues, ${times(occurrences)}`, DiscordLimits.embedTitle);
  return pages.map((descriptions, page) => ({
    body: {
      embeds: descriptions.map((description, index) => ({
        ...(page === 0 && index === 0 ? { title } : {}),
        description,
        color: COLORS.digest,
      })),
      allowed_mentions: NO_MENTIONS,
      flags: MessageFlags.SuppressNotifications,
    },
    files: [],
    label: pages.length > 1 ? `a digest (message ${String(page + 1)} of ${String(pages.length)})` : 'a digest',
  }));
}

/** Room a digest line's summary of what did not fit needs. */
const SUMMARY_ROOM = 80;

/**
 * Lines into messages of embeds: each embed's description at most 4096 characters, a message's embeds at most
 * 6000 together (less the frame), at most MAX_DIGEST_MESSAGES messages. Lines past that are replaced by
 * `summary(omitted)`, for which the last message keeps room.
 */
function pack(lines: readonly string[], summary: (omitted: number) => string): string[][] {
  const messageRoom = DiscordLimits.embedsTotal - EMBED_FRAME;
  const pages: string[][] = [];
  let embeds: string[] = [];
  let used = 0;
  let current = '';
  const closeEmbed = () => {
    if (current) embeds.push(current);
    used += current.length;
    current = '';
  };
  const closeMessage = () => {
    closeEmbed();
    if (embeds.length > 0) pages.push(embeds);
    embeds = [];
    used = 0;
  };
  for (const [index, line] of lines.entries()) {
    const remaining = lines.length - index - 1;
    for (;;) {
      const reserve = pages.length === MAX_DIGEST_MESSAGES - 1 && remaining > 0 ? SUMMARY_ROOM : 0;
      const joined = current ? current.length + 1 + line.length : line.length;
      if (joined <= DiscordLimits.embedDescription && used + joined + reserve <= messageRoom) {
        current = current ? `${current}\n${line}` : line;
        break;
      }
      const fitsNextEmbed = used + current.length + line.length + reserve <= messageRoom && embeds.length + 1 < DiscordLimits.embeds;
      if (current && fitsNextEmbed) {
        closeEmbed();
        continue;
      }
      if (pages.length === MAX_DIGEST_MESSAGES - 1) {
        const rest = summary(remaining + 1);
        if (current && current.length + 1 + rest.length > DiscordLimits.embedDescription) closeEmbed();
        current = current ? `${current}\n${rest}` : rest;
        closeMessage();
        return pages;
      }
      closeMessage();
    }
  }
  closeMessage();
  return pages;
}

/** `text`, at most `max` characters: cut with an ellipsis, never inside a surrogate pair. */
function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = Math.max(0, max - 1);
  if (end > 0 && /[\uD800-\uDBFF]/.test(text.charAt(end - 1))) end--;
  return `${text.slice(0, end)}…`;
}

/** Text inside backticks: a backtick would end the span. */
function plain(text: string): string {
  return text.replaceAll('`', "'");
}

/** Text shown as it is, not as Markdown (a title with `*` or `_` in it). */
function markdown(text: string): string {
  return text.replace(/[\\*_`~|[\]]/g, '\\$&');
}

function times(count: number): string {
  return count === 1 ? 'once' : `${count.toLocaleString('en-US')} times`;
}

function unix(ms: number): string {
  return String(Math.floor(ms / 1000));
}
