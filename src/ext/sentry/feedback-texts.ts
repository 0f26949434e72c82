import { forLanguage } from '../../checks/messages.js';

/** What the user sees of the feedback flow, in their language. */
export interface FeedbackTexts {
  /** The button under the error answer. */
  readonly button: string;
  /** The modal's title (at most 45 characters) and its text field's label (at most 45). */
  readonly title: string;
  readonly label: string;
  readonly placeholder: string;
  readonly thanks: string;
  /** The reference is unknown, forgotten, or older than feedback is taken for. */
  readonly expired: string;
  /** Someone other than the user who got the error. */
  readonly notYours: string;
  readonly alreadySent: string;
}

const en: FeedbackTexts = {
  button: 'Report this',
  title: 'Report this error',
  label: 'What were you doing?',
  placeholder: 'What you did just before, and what you expected to happen',
  thanks: 'Thank you! Your report went to the bot\u2019s developers with the error.',
  expired: 'This error can no longer be reported: it is too old, or unknown.',
  notYours: 'Only the person who got this error can report it.',
  alreadySent: 'You have already reported this error. Thank you!',
};

const fr: FeedbackTexts = {
  button: 'Signaler',
  title: 'Signaler cette erreur',
  label: 'Que faisiez-vous\u00a0?',
  placeholder: 'Ce que vous avez fait juste avant, et ce que vous attendiez',
  thanks: 'Merci\u00a0! Votre message a \u00e9t\u00e9 transmis aux d\u00e9veloppeurs du bot avec l\u2019erreur.',
  expired: 'Cette erreur ne peut plus \u00eatre signal\u00e9e\u00a0: elle est trop ancienne, ou inconnue.',
  notYours: 'Seule la personne qui a eu cette erreur peut la signaler.',
  alreadySent: 'Vous avez d\u00e9j\u00e0 signal\u00e9 cette erreur. Merci\u00a0!',
};

const de: FeedbackTexts = {
  button: 'Melden',
  title: 'Diesen Fehler melden',
  label: 'Was hast du gerade gemacht?',
  placeholder: 'Was du kurz davor getan hast und was du erwartet hast',
  thanks: 'Danke! Deine Meldung ist mit dem Fehler bei den Entwicklern des Bots angekommen.',
  expired: 'Dieser Fehler kann nicht mehr gemeldet werden: Er ist zu alt oder unbekannt.',
  notYours: 'Nur die Person, bei der dieser Fehler auftrat, kann ihn melden.',
  alreadySent: 'Du hast diesen Fehler bereits gemeldet. Danke!',
};

const es: FeedbackTexts = {
  button: 'Informar',
  title: 'Informar de este error',
  label: '\u00bfQu\u00e9 estabas haciendo?',
  placeholder: 'Lo que hiciste justo antes y lo que esperabas que pasara',
  thanks: '\u00a1Gracias! Tu informe ha llegado a los desarrolladores del bot junto con el error.',
  expired: 'Este error ya no se puede informar: es demasiado antiguo o desconocido.',
  notYours: 'Solo la persona que recibi\u00f3 este error puede informar de \u00e9l.',
  alreadySent: 'Ya has informado de este error. \u00a1Gracias!',
};

const LANGUAGES: Readonly<Record<string, FeedbackTexts>> = { en, fr, de, es };

/** The texts for a Discord locale (`fr`, `es-419`), English for a language without them. */
export function feedbackTexts(locale: string): FeedbackTexts {
  return forLanguage(LANGUAGES, locale) ?? en;
}
