import { ComponentType, TextInputStyle } from 'discord.js';
import type { APIModalInteractionResponseCallbackData, ModalSubmitInteraction } from 'discord.js';
import { validateGuards } from '../checks/guard.js';
import type { GuardOptions } from '../checks/guard.js';
import { ModalDefinitionError } from '../errors/codes.js';
import type { ModalErrorEvent } from '../events/types.js';
import type { ModalContext, ModalPayload } from '../interactions/context.js';
import { CustomIdMatcher } from './custom-id.js';
import type { CustomIdPattern, ParamsOf } from './custom-id.js';
import { DiscordLimits } from '../util/limits.js';

/** One text input of a modal. Fields are required unless `required: false`. */
export interface TextField {
  readonly style: TextInputStyle;
  label: string;
  required?: boolean;
  minLength?: number;
  maxLength?: number;
  placeholder?: string;
  /** Pre-filled text. */
  value?: string;
}

type FieldInput = Omit<TextField, 'style'>;

/** Text input builders for `modal({ fields })`. */
export const field = {
  /** A one-line text input. */
  short: <const F extends FieldInput>(input: F) =>
    ({ ...input, style: TextInputStyle.Short }) as F & { readonly style: TextInputStyle.Short },
  /** A multi-line text input. */
  paragraph: <const F extends FieldInput>(input: F) =>
    ({ ...input, style: TextInputStyle.Paragraph }) as F & { readonly style: TextInputStyle.Paragraph },
};

export type ModalFields = Readonly<Record<string, TextField>>;

/** What a submission handler reads: required fields as `string`, optional ones `undefined` when left empty. */
export type FieldValues<F extends ModalFields> = {
  readonly [K in keyof F]: F[K] extends { required: false } ? string | undefined : string;
};

export interface ModalInput<P extends CustomIdPattern, F extends ModalFields> extends GuardOptions {
  /** `'feedback'` or a template `'report:{eventId}'` whose parts come back in `ctx.params`. */
  customId: P;
  title: string;
  /** Up to 5 text inputs, by name (the name is each input's custom id). */
  fields: F;
  run(ctx: ModalContext<FieldValues<F>, ParamsOf<P>>): unknown;
  /** Runs first when `run` throws; set `event.handled = true` once the user has had an answer. */
  onError?(event: ModalErrorEvent): unknown;
}

export interface ModalDefinition<P extends CustomIdPattern = CustomIdPattern, F extends ModalFields = ModalFields> extends ModalInput<
  P,
  F
> {
  readonly kind: 'modal';
  readonly matcher: CustomIdMatcher;
  /**
   * The modal to show for these params, optionally pre-filled: `ctx.showModal(feedback.build({ eventId }))`.
   * Its submission comes back to this definition's `run` once it is added with `bot.addModal`.
   */
  build(params?: ParamsOf<P>, values?: Partial<Record<keyof F, string>>): ModalPayload;
}

/**
 * A modal (a form) and the handler of its submission, with the field values typed from `fields`:
 *
 * ```ts
 * const feedback = modal({
 *   customId: 'feedback', title: 'Feedback',
 *   fields: { text: field.paragraph({ label: 'What happened?' }), email: field.short({ label: 'Email', required: false }) },
 *   run: (ctx) => ctx.reply(`Thanks! (${ctx.fields.text.length} characters)`),
 * });
 * bot.addModal(feedback);            // then, in a command or button: await ctx.showModal(feedback.build());
 * ```
 */
export function modal<const P extends CustomIdPattern, const F extends ModalFields>(input: ModalInput<P, F>): ModalDefinition<P, F> {
  const where = `modal ${String(input.customId)}`;
  const matcher = new CustomIdMatcher(input.customId, where, (at, problem) => new ModalDefinitionError(at, problem));
  validateModal(where, input);
  return {
    ...input,
    kind: 'modal',
    matcher,
    build: (params, values) => {
      const json: APIModalInteractionResponseCallbackData = {
        custom_id: matcher.build(params),
        title: input.title,
        components: Object.entries(input.fields).map(([name, text]) => ({
          type: ComponentType.ActionRow,
          components: [
            {
              type: ComponentType.TextInput,
              custom_id: name,
              label: text.label,
              style: text.style,
              required: text.required ?? true,
              ...(text.minLength === undefined ? {} : { min_length: text.minLength }),
              ...(text.maxLength === undefined ? {} : { max_length: text.maxLength }),
              ...(text.placeholder === undefined ? {} : { placeholder: text.placeholder }),
              ...((values?.[name] ?? text.value) === undefined ? {} : { value: values?.[name] ?? text.value }),
            },
          ],
        })),
      };
      return { toJSON: () => json };
    },
  };
}

/** Reads a submission's text inputs by the definition: an empty optional field is `undefined`. */
export function readFields(interaction: ModalSubmitInteraction, fields: ModalFields): Record<string, string | undefined> {
  const values: Record<string, string | undefined> = {};
  for (const name of Object.keys(fields)) {
    const submitted = interaction.fields.fields.has(name) ? interaction.fields.getTextInputValue(name) : '';
    values[name] = submitted === '' ? undefined : submitted;
  }
  return Object.freeze(values);
}

function validateModal(where: string, input: ModalInput<CustomIdPattern, ModalFields>): void {
  if (typeof input.run !== 'function') throw new ModalDefinitionError(where, '`run` must be a function');
  validateGuards(input, where);
  if (typeof input.title !== 'string' || input.title.length < 1 || input.title.length > DiscordLimits.modalTitle)
    throw new ModalDefinitionError(where, `title must have 1-${String(DiscordLimits.modalTitle)} characters`);
  const fields = Object.entries(input.fields);
  if (fields.length < 1 || fields.length > DiscordLimits.modalFields)
    throw new ModalDefinitionError(where, `a modal needs 1 to ${String(DiscordLimits.modalFields)} fields`);
  for (const [name, text] of fields) {
    const at = `${where} (field ${name})`;
    if (name.length > 100) throw new ModalDefinitionError(at, 'field names must have at most 100 characters');
    if (text.label.length < 1 || text.label.length > DiscordLimits.modalLabel)
      throw new ModalDefinitionError(at, `label must have 1-${String(DiscordLimits.modalLabel)} characters`);
    if ((text.placeholder?.length ?? 0) > DiscordLimits.modalPlaceholder)
      throw new ModalDefinitionError(at, `placeholder must have at most ${String(DiscordLimits.modalPlaceholder)} characters`);
    const min = text.minLength ?? 0;
    const max = text.maxLength ?? DiscordLimits.modalText;
    if (min < 0 || max < 1 || max > DiscordLimits.modalText || min > max)
      throw new ModalDefinitionError(
        at,
        `minLength/maxLength must satisfy 0 <= minLength <= maxLength <= ${String(DiscordLimits.modalText)}`,
      );
  }
}
