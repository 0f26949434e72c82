import type { BucketType } from './bucket.js';
import { isExpectedError } from './errors.js';
import type { CheckFailure, CommandOnCooldown, MaxConcurrencyReached } from './errors.js';
import { readablePermission } from '../util/permissions.js';

/**
 * A user-facing text for one kind of expected error: a template, or a function of the error and the user's Discord
 * locale (`interaction.locale`, e.g. `fr`, `es-419`) for anything a template cannot say.
 *
 * Template placeholders: `{duration}` (how long to wait, in words of the locale), `{seconds}` (the same, rounded up),
 * `{missing}` (the missing permissions, listed), `{reason}` (a custom check's reason), `{check}`, `{limit}`, `{bucket}`.
 */
export type ExpectedErrorMessage<E extends Error> = string | ((error: E, locale: string) => string);

/** Replacements for the built-in texts, per kind of expected error; the built-in text stays for the kinds left out. */
export interface ExpectedErrorMessages {
  check?: ExpectedErrorMessage<CheckFailure>;
  cooldown?: ExpectedErrorMessage<CommandOnCooldown>;
  maxConcurrency?: ExpectedErrorMessage<MaxConcurrencyReached>;
}

interface Texts {
  cooldown(duration: string): string;
  maxConcurrency: Record<BucketType, string>;
  guildOnly: string;
  dmOnly: string;
  ownerOnly: string;
  userPermissions(list: string, count: number): string;
  botPermissions(list: string, count: number): string;
  /** A custom check that gave no reason. */
  refused: string;
}

const en: Texts = {
  cooldown: (duration) => `You\u2019re doing that too often. Try again in ${duration}.`,
  maxConcurrency: {
    user: 'You are already running this. Wait until it finishes, then try again.',
    member: 'You are already running this in this server. Wait until it finishes, then try again.',
    guild: 'This is already running in this server. Wait until it finishes, then try again.',
    channel: 'This is already running in this channel. Wait until it finishes, then try again.',
    global: 'Too many people are using this right now. Try again in a moment.',
  },
  guildOnly: 'This can only be used in a server.',
  dmOnly: 'This can only be used in direct messages.',
  ownerOnly: 'Only the bot\u2019s owners can use this.',
  userPermissions: (list, count) => `You need the ${list} permission${count > 1 ? 's' : ''} to use this.`,
  botPermissions: (list, count) => `I need the ${list} permission${count > 1 ? 's' : ''} in this channel to do that.`,
  refused: 'You can\u2019t use this right now.',
};

const fr: Texts = {
  cooldown: (duration) => `Vous faites cela trop souvent. R\u00e9essayez dans ${duration}.`,
  maxConcurrency: {
    user: 'Vous utilisez d\u00e9j\u00e0 ceci. Attendez que ce soit termin\u00e9, puis r\u00e9essayez.',
    member: 'Vous utilisez d\u00e9j\u00e0 ceci sur ce serveur. Attendez que ce soit termin\u00e9, puis r\u00e9essayez.',
    guild: 'Ceci est d\u00e9j\u00e0 en cours sur ce serveur. Attendez que ce soit termin\u00e9, puis r\u00e9essayez.',
    channel: 'Ceci est d\u00e9j\u00e0 en cours dans ce salon. Attendez que ce soit termin\u00e9, puis r\u00e9essayez.',
    global: 'Trop de personnes utilisent ceci en ce moment. R\u00e9essayez dans un instant.',
  },
  guildOnly: 'Ceci ne peut \u00eatre utilis\u00e9 que sur un serveur.',
  dmOnly: 'Ceci ne peut \u00eatre utilis\u00e9 qu\u2019en messages priv\u00e9s.',
  ownerOnly: 'Seuls les propri\u00e9taires du bot peuvent utiliser ceci.',
  userPermissions: (list, count) =>
    count > 1 ? `Il vous faut les permissions ${list} pour utiliser ceci.` : `Il vous faut la permission ${list} pour utiliser ceci.`,
  botPermissions: (list, count) =>
    count > 1
      ? `J\u2019ai besoin des permissions ${list} dans ce salon pour faire cela.`
      : `J\u2019ai besoin de la permission ${list} dans ce salon pour faire cela.`,
  refused: 'Vous ne pouvez pas utiliser ceci pour le moment.',
};

const de: Texts = {
  cooldown: (duration) => `Du machst das zu oft. Versuche es in ${duration} erneut.`,
  maxConcurrency: {
    user: 'Du f\u00fchrst das bereits aus. Warte, bis es fertig ist, und versuche es dann erneut.',
    member: 'Du f\u00fchrst das auf diesem Server bereits aus. Warte, bis es fertig ist, und versuche es dann erneut.',
    guild: 'Das l\u00e4uft auf diesem Server bereits. Warte, bis es fertig ist, und versuche es dann erneut.',
    channel: 'Das l\u00e4uft in diesem Kanal bereits. Warte, bis es fertig ist, und versuche es dann erneut.',
    global: 'Gerade nutzen das zu viele Leute. Versuche es gleich noch einmal.',
  },
  guildOnly: 'Das kann nur auf einem Server verwendet werden.',
  dmOnly: 'Das kann nur in Direktnachrichten verwendet werden.',
  ownerOnly: 'Nur die Besitzer des Bots k\u00f6nnen das verwenden.',
  userPermissions: (list, count) => `Daf\u00fcr brauchst du die Berechtigung${count > 1 ? 'en' : ''} ${list}.`,
  botPermissions: (list, count) => `Daf\u00fcr brauche ich in diesem Kanal die Berechtigung${count > 1 ? 'en' : ''} ${list}.`,
  refused: 'Du kannst das gerade nicht verwenden.',
};

const es: Texts = {
  cooldown: (duration) => `Est\u00e1s haciendo eso demasiado seguido. Vuelve a intentarlo en ${duration}.`,
  maxConcurrency: {
    user: 'Ya est\u00e1s usando esto. Espera a que termine y vuelve a intentarlo.',
    member: 'Ya est\u00e1s usando esto en este servidor. Espera a que termine y vuelve a intentarlo.',
    guild: 'Esto ya se est\u00e1 ejecutando en este servidor. Espera a que termine y vuelve a intentarlo.',
    channel: 'Esto ya se est\u00e1 ejecutando en este canal. Espera a que termine y vuelve a intentarlo.',
    global: 'Demasiadas personas est\u00e1n usando esto ahora mismo. Vuelve a intentarlo en un momento.',
  },
  guildOnly: 'Esto solo se puede usar en un servidor.',
  dmOnly: 'Esto solo se puede usar en mensajes directos.',
  ownerOnly: 'Solo los propietarios del bot pueden usar esto.',
  userPermissions: (list, count) =>
    count > 1 ? `Necesitas los permisos ${list} para usar esto.` : `Necesitas el permiso ${list} para usar esto.`,
  botPermissions: (list, count) =>
    count > 1 ? `Necesito los permisos ${list} en este canal para hacer eso.` : `Necesito el permiso ${list} en este canal para hacer eso.`,
  refused: 'No puedes usar esto ahora mismo.',
};

/** Built-in texts by language: every Discord locale of a language (`en-GB`, `es-419`) shares them; others get English. */
const LANGUAGES: Readonly<Record<string, Texts>> = { en, fr, de, es };
const FALLBACK_LOCALE = 'en-US';

/** The entry for a Discord locale (`fr`, `es-419`) in a table by language (`en`, `fr`, `de`, `es`), if it has one. */
export function forLanguage<T>(byLanguage: Readonly<Record<string, T>>, locale: string): T | undefined {
  return byLanguage[locale.split('-')[0] ?? ''];
}

/** The texts for a locale and the locale numbers and lists are written in (English's when the language has no texts). */
function textsFor(locale: string): { texts: Texts; locale: string } {
  const texts = forLanguage(LANGUAGES, locale);
  return texts ? { texts, locale } : { texts: en, locale: FALLBACK_LOCALE };
}

/**
 * How long to wait, in words, rounded up so nobody is told to retry too early: "12 seconds", "1 minute and 5 seconds",
 * "2 hours and 1 minute" (seconds are left out from an hour on).
 */
export function readableDuration(ms: number, locale: string): string {
  const intlLocale = textsFor(locale).locale;
  const totalSeconds = Math.max(1, Math.ceil(ms / 1000));
  const parts: [number, 'hour' | 'minute' | 'second'][] =
    totalSeconds < 3600
      ? [
          [Math.floor(totalSeconds / 60), 'minute'],
          [totalSeconds % 60, 'second'],
        ]
      : [
          [Math.floor(Math.ceil(totalSeconds / 60) / 60), 'hour'],
          [Math.ceil(totalSeconds / 60) % 60, 'minute'],
        ];
  const words = parts
    .filter(([amount]) => amount > 0)
    .map(([amount, unit]) => new Intl.NumberFormat(intlLocale, { style: 'unit', unit, unitDisplay: 'long' }).format(amount));
  return new Intl.ListFormat(intlLocale).format(words);
}

function listMissing(error: CheckFailure, locale: string): string {
  return new Intl.ListFormat(locale).format(error.missing.map(readablePermission));
}

function builtinCheckText(error: CheckFailure, texts: Texts, locale: string): string {
  const count = error.missing.length;
  switch (error.check) {
    case 'guildOnly':
      return texts.guildOnly;
    case 'dmOnly':
      return texts.dmOnly;
    case 'ownerOnly':
      return texts.ownerOnly;
    case 'userPermissions':
      if (count > 0) return texts.userPermissions(listMissing(error, locale), count);
      break;
    case 'botPermissions':
      if (count > 0) return texts.botPermissions(listMissing(error, locale), count);
      break;
  }
  return error.reason ?? texts.refused;
}

function fillTemplate(template: string, values: Readonly<Record<string, string | number>>): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (Object.hasOwn(values, name) ? String(values[name]) : whole));
}

function applyOverride<E extends Error>(
  override: ExpectedErrorMessage<E>,
  error: E,
  locale: string,
  values: Readonly<Record<string, string | number>>,
): string {
  return typeof override === 'function' ? override(error, locale) : fillTemplate(override, values);
}

/**
 * The text a user reads for a failed check, a cooldown or a concurrency limit, in their locale (English, French,
 * German and Spanish built in; `overrides` replace them), or `undefined` for any other error. Permission names stay
 * in English: they are Discord's flag names, which a function override may translate from `error.missing`.
 */
export function expectedErrorMessage(error: unknown, locale: string, overrides: ExpectedErrorMessages = {}): string | undefined {
  if (!isExpectedError(error)) return undefined;
  const { texts, locale: textLocale } = textsFor(locale);
  switch (error.code) {
    case 'LANTERN_ERR_COOLDOWN': {
      const duration = readableDuration(error.retryAfterMs, textLocale);
      if (!overrides.cooldown) return texts.cooldown(duration);
      return applyOverride(overrides.cooldown, error, locale, {
        duration,
        seconds: Math.max(1, Math.ceil(error.retryAfterMs / 1000)),
        bucket: error.bucket,
      });
    }
    case 'LANTERN_ERR_MAX_CONCURRENCY':
      if (!overrides.maxConcurrency) return texts.maxConcurrency[error.bucket];
      return applyOverride(overrides.maxConcurrency, error, locale, { limit: error.limit, bucket: error.bucket });
    case 'LANTERN_ERR_CHECK_FAILED':
      if (!overrides.check) return builtinCheckText(error, texts, textLocale);
      return applyOverride(overrides.check, error, locale, {
        check: error.check,
        missing: listMissing(error, textLocale),
        reason: error.reason ?? '',
      });
  }
}
