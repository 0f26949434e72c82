import { ButtonStyle, ComponentType } from 'discord.js';
import type { APIActionRowComponent, APIButtonComponent } from 'discord.js';
import { button } from '../../components/component.js';
import { field, modal } from '../../components/modal.js';
import type { ErrorEvent } from '../../events/types.js';
import type { Sink } from '../../extensions/sink.js';
import type { RepliableContext } from '../../interactions/context.js';
import { DiscordLimits } from '../../util/limits.js';
import { feedbackTexts } from './feedback-texts.js';
import type { FeedbackTexts } from './feedback-texts.js';
import type { StoredReference } from './outbox-queue.js';

/** Sentry's limit on a feedback message. */
const MAX_MESSAGE = 4096;
const REFERENCE = /^[0-9a-f]{32}$/;
const CUSTOM_ID = 'lantern-report:{reference}';

/** Who got which reference, kept where it survives a restart (the outbox's file). */
export interface ReferenceBook {
  remember(eventId: string, userId: string): void;
  reference(eventId: string): StoredReference | undefined;
  /** Marks it reported by `userId`, once and only if it is theirs and not older than `notBefore`. */
  markReported(eventId: string, userId: string, notBefore: number): boolean;
}

/** A user's report on the error they got, redacted, for every place it goes. */
export interface UserReport {
  readonly eventId: string;
  readonly message: string;
  readonly userId: string;
  readonly name: string;
}

export interface FeedbackSettings {
  readonly references: ReferenceBook;
  /** How long after the error a report is taken. */
  readonly maxAgeMs: number;
  /** Whether the event's reference is its own Sentry event (not the id of a storm repeat's group). */
  readonly ownsReference: (event: ErrorEvent) => boolean;
  readonly send: (report: UserReport) => void;
}

/**
 * Feedback from Discord: the friendly error answer of an interaction whose error Sentry received carries a "Report
 * this" button (in the user's language) whose custom id holds the reference; it opens a modal asking what the user
 * was doing; the text goes to `send`. Only the user who got the error may report on it, once, for `maxAgeMs`
 * (remembered in the reference book, so the button still works after a restart); anyone else is told why not.
 */
export function feedbackSink(settings: FeedbackSettings): Sink {
  const { references } = settings;

  /** Why `userId` may not report on `reference`, in their language; `undefined` when they may. */
  const refusal = (reference: string, userId: string, texts: FeedbackTexts): string | undefined => {
    const known = REFERENCE.test(reference) ? references.reference(reference) : undefined;
    if (!known || known.createdAt < Date.now() - settings.maxAgeMs) return texts.expired;
    if (known.userId !== userId) return texts.notYours;
    if (known.reportedAt !== undefined) return texts.alreadySent;
    return undefined;
  };

  const form = modal({
    customId: CUSTOM_ID,
    title: feedbackTexts('en').title,
    fields: { what: field.paragraph({ label: feedbackTexts('en').label, maxLength: DiscordLimits.modalText }) },
    run: async (ctx) => {
      const { reference } = ctx.params;
      const texts = feedbackTexts(ctx.locale);
      const { redactor } = ctx.bot;
      if (!REFERENCE.test(reference) || !references.markReported(reference, ctx.user.id, Date.now() - settings.maxAgeMs)) {
        await ephemeral(ctx, refusal(reference, ctx.user.id, texts) ?? texts.alreadySent);
        return;
      }
      settings.send({
        eventId: reference,
        message: redactor.redact(ctx.fields.what).slice(0, MAX_MESSAGE),
        userId: ctx.user.id,
        name: redactor.redact(ctx.user.username),
      });
      await ephemeral(ctx, texts.thanks);
    },
  });

  const reportButton = button({
    customId: CUSTOM_ID,
    run: async (ctx) => {
      const { reference } = ctx.params;
      const texts = feedbackTexts(ctx.locale);
      const refused = refusal(reference, ctx.user.id, texts);
      if (refused !== undefined) {
        await ephemeral(ctx, refused);
        return;
      }
      // In the user's language: the definition's title and label are English.
      const json = form.build({ reference }).toJSON();
      const localized = {
        ...json,
        title: texts.title,
        components: json.components.map((row) =>
          row.type === ComponentType.ActionRow
            ? { ...row, components: row.components.map((input) => ({ ...input, label: texts.label, placeholder: texts.placeholder })) }
            : row,
        ),
      };
      await ctx.showModal({ toJSON: () => localized });
    },
  });

  return {
    name: 'sentry feedback',
    setup(bot) {
      const removeButton = bot.addComponent(reportButton);
      const removeModal = bot.addModal(form);
      const unlisten = bot.listen('Error', (event) => {
        const { ctx, reference } = event;
        if (!ctx || ctx.kind === 'autocomplete' || event.expected || reference === undefined || !settings.ownsReference(event)) return;
        references.remember(reference, ctx.user.id);
        const rows = event.answerComponents ?? [];
        if (rows.length < DiscordLimits.actionRows)
          event.answerComponents = [...rows, reportRow(reportButton.id({ reference }), feedbackTexts(ctx.locale))];
      });
      return () => {
        unlisten();
        removeButton();
        removeModal();
      };
    },
  };
}

function reportRow(customId: string, texts: FeedbackTexts): APIActionRowComponent<APIButtonComponent> {
  return {
    type: ComponentType.ActionRow,
    components: [{ type: ComponentType.Button, style: ButtonStyle.Secondary, label: texts.button, custom_id: customId }],
  };
}

async function ephemeral(ctx: RepliableContext, content: string): Promise<void> {
  await ctx.send({ content, ephemeral: true });
}
