import { Colors } from 'discord.js';
import type { APIEmbed } from 'discord.js';
import { errorType, formatError } from '../errors/format.js';
import type { Redactor } from '../errors/redact.js';
import type { InteractionErrorEvent } from '../events/types.js';
import { DiscordLimits } from '../util/limits.js';
import { cutText } from '../util/text.js';

const FENCE = '```';

export type TracebackMode = boolean | 'owners';

export interface ErrorAnswerPolicy {
  tracebacks: TracebackMode;
  isOwner(userId: string): boolean;
  /** The text a user sees when they are not shown the traceback. */
  message(event: InteractionErrorEvent): string;
}

export const DEFAULT_ERROR_MESSAGE = 'Sorry, something went wrong. The bot\u2019s developers have been told.';

export function showsTraceback(policy: ErrorAnswerPolicy, userId: string): boolean {
  return policy.tracebacks === true || (policy.tracebacks === 'owners' && policy.isOwner(userId));
}

/** `Error: <Type>` with the redacted stack (causes included) in a code block cut to the embed limit. */
export function tracebackEmbed(error: Error, redactor: Redactor, reference: string | undefined): APIEmbed {
  const text = formatError(error, redactor).replaceAll(FENCE, '`\u200b``');
  const room = DiscordLimits.embedDescription - FENCE.length * 2 - 2;
  const cut = cutText(text, room, '\n…');
  return {
    // The name is the error's own text too (a library may build it from input): redacted like the stack.
    title: cutText(redactor.redact(`Error: ${errorType(error)}`), 256),
    description: `${FENCE}\n${cut}\n${FENCE}`,
    color: Colors.Red,
    ...(reference ? { footer: { text: `Error reference: ${reference}` } } : {}),
  };
}

/** What the user who hit the error is sent: always ephemeral, traceback or friendly text by the policy. */
export function errorAnswer(event: InteractionErrorEvent, policy: ErrorAnswerPolicy, redactor: Redactor) {
  if (showsTraceback(policy, event.ctx.user.id))
    return { embeds: [tracebackEmbed(event.error, redactor, event.reference)], ephemeral: true } as const;
  const reference = event.reference ? `\nError reference: \`${event.reference}\`` : '';
  // The text gives way to the reference, which the user quotes when they report the error: it is never cut.
  const text = cutText(redactor.redact(policy.message(event)), DiscordLimits.messageContent - reference.length);
  return { content: text + reference, ephemeral: true } as const;
}
