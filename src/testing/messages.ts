import { MessageFlags } from 'discord-api-types/v10';
import type { APIAttachment, APIEmbed, APIMessage } from 'discord-api-types/v10';
import { messageComponentErrors } from './component-rules.js';
import { DiscordApiFailure } from './discord-error.js';
import type { FormError } from './discord-error.js';
import { readInteger } from './spec/json-schema.js';
import type { FakeState, MessageInit, StoredFile } from './state.js';

/** A file part of a multipart request (`files[n]`). */
export interface IncomingFile {
  readonly field: string;
  readonly filename: string;
  readonly contentType: string;
  readonly data: Buffer;
}

export type MessageFields = Pick<MessageInit, 'content' | 'embeds' | 'components' | 'attachments' | 'flags'>;

/** Flags a bot may set on a message it sends; Discord ignores or rejects the rest. */
const SETTABLE_FLAGS =
  MessageFlags.Ephemeral | MessageFlags.SuppressEmbeds | MessageFlags.SuppressNotifications | MessageFlags.IsComponentsV2;

/**
 * Reads the message fields of a create or edit body with Discord's limits (2000 characters, 10 embeds of at
 * most 6000 characters, 5 component rows...), storing uploaded files so the test can read them back.
 * `partial` is for edits: absent fields stay as they were and an empty body is allowed.
 */
export function readMessageFields(
  state: FakeState,
  body: Record<string, unknown>,
  files: readonly IncomingFile[],
  { partial = false, existing }: { partial?: boolean; existing?: APIMessage } = {},
): { fields: MessageFields; stored: StoredFile[] } {
  const errors: FormError[] = [];
  const fields: { -readonly [K in keyof MessageFields]: MessageFields[K] } = {};

  if (body.content !== undefined && body.content !== null) {
    if (typeof body.content !== 'string') errors.push({ path: 'content', code: 'BASE_TYPE_STRING', message: 'Must be a string.' });
    else if (body.content.length > 2000)
      errors.push({ path: 'content', code: 'BASE_TYPE_MAX_LENGTH', message: 'Must be 2000 or fewer in length.' });
    else fields.content = body.content;
  }
  if (body.embeds !== undefined && body.embeds !== null) {
    if (!Array.isArray(body.embeds))
      errors.push({ path: 'embeds', code: 'ARRAY_TYPE_CONVERT', message: 'Only iterables may be used in a ListType' });
    else {
      if (body.embeds.length > 10) errors.push({ path: 'embeds', code: 'BASE_TYPE_MAX_LENGTH', message: 'Must be 10 or fewer in length.' });
      let total = 0;
      (body.embeds as unknown[]).forEach((embed, i) => {
        if (typeof embed === 'object' && embed !== null) total += validateEmbed(embed, `embeds.${i}`, errors);
        else errors.push({ path: `embeds.${i}`, code: 'MODEL_TYPE_CONVERT', message: 'Expected an object' });
      });
      if (total > 6000)
        errors.push({ path: 'embeds', code: 'MAX_EMBED_SIZE_EXCEEDED', message: 'Embed size exceeds maximum size of 6000' });
      fields.embeds = body.embeds as APIEmbed[];
    }
  }
  const flags = readInteger(body.flags);
  const isV2 = ((flags ?? existing?.flags ?? 0) & MessageFlags.IsComponentsV2) !== 0;
  if (body.components !== undefined && body.components !== null) {
    if (!Array.isArray(body.components))
      errors.push({ path: 'components', code: 'ARRAY_TYPE_CONVERT', message: 'Only iterables may be used in a ListType' });
    else if (!isV2 && body.components.length > 5)
      errors.push({ path: 'components', code: 'BASE_TYPE_MAX_LENGTH', message: 'Must be 5 or fewer in length.' });
    else {
      errors.push(...messageComponentErrors(body.components as unknown[], { v2: isV2 }));
      fields.components = body.components as MessageFields['components'];
    }
  }
  // With Components V2 the components are the message: text goes in text displays.
  if (isV2)
    for (const legacy of ['content', 'embeds'] as const)
      if (fields[legacy] !== undefined && fields[legacy] !== '' && !(Array.isArray(fields[legacy]) && fields[legacy].length === 0))
        errors.push({
          path: legacy,
          code: 'MESSAGE_CANNOT_USE_LEGACY_FIELDS_WITH_COMPONENTS_V2',
          message: `The '${legacy}' field cannot be used when using MessageFlags.IS_COMPONENTS_V2`,
        });
  if (flags !== undefined) fields.flags = flags & SETTABLE_FLAGS;

  if (files.length > 10) errors.push({ path: 'files', code: 'BASE_TYPE_MAX_LENGTH', message: 'Must be 10 or fewer in length.' });
  if (errors.length > 0) throw DiscordApiFailure.invalidForm(errors);
  const empty =
    !fields.content &&
    !fields.embeds?.length &&
    !fields.components?.length &&
    files.length === 0 &&
    !(existing && Array.isArray(body.attachments)) &&
    body.sticker_ids === undefined &&
    body.poll === undefined;
  if (!partial && empty) throw new DiscordApiFailure(400, 50006, 'Cannot send an empty message');

  // Files are stored only once the request is known to succeed, so rejected uploads leave nothing behind.
  const stored: StoredFile[] = [];
  type Described = { id: string | number; filename?: string; description?: string };
  const described = Array.isArray(body.attachments)
    ? (body.attachments as unknown[]).filter((a): a is Described => typeof a === 'object' && a !== null)
    : undefined;
  const attachments: APIAttachment[] = [];
  if (described && existing) {
    // On an edit, `attachments` lists what to keep: existing ones by id, plus the new uploads.
    for (const keep of described) {
      const old = existing.attachments.find((a) => a.id === String(keep.id));
      if (old) attachments.push(old);
    }
  }
  files.forEach((file, index) => {
    const slot = /^files\[(\d+)\]$/.exec(file.field)?.[1] ?? String(index);
    const meta = described?.find((a) => String(a.id) === slot);
    const saved = state.storeFile({ filename: meta?.filename ?? file.filename, contentType: file.contentType, data: file.data });
    stored.push(saved);
    attachments.push({
      id: saved.id,
      filename: saved.filename,
      size: saved.data.length,
      url: saved.url,
      proxy_url: saved.url,
      content_type: saved.contentType,
      ...(meta?.description ? { description: meta.description } : {}),
    });
  });
  if (files.length > 0 || (described && existing)) fields.attachments = attachments;

  return { fields, stored };
}

function validateEmbed(embed: APIEmbed, path: string, errors: FormError[]): number {
  const limit = (value: string | undefined, max: number, field: string): number => {
    if (value === undefined) return 0;
    if (value.length > max)
      errors.push({ path: `${path}.${field}`, code: 'BASE_TYPE_MAX_LENGTH', message: `Must be ${max} or fewer in length.` });
    return value.length;
  };
  let size =
    limit(embed.title, 256, 'title') +
    limit(embed.description, 4096, 'description') +
    limit(embed.footer?.text, 2048, 'footer.text') +
    limit(embed.author?.name, 256, 'author.name');
  const fields = embed.fields ?? [];
  if (fields.length > 25) errors.push({ path: `${path}.fields`, code: 'BASE_TYPE_MAX_LENGTH', message: 'Must be 25 or fewer in length.' });
  fields.forEach((field, i) => {
    size += limit(field.name, 256, `fields.${i}.name`) + limit(field.value, 1024, `fields.${i}.value`);
  });
  return size;
}
