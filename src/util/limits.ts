/**
 * Discord's limits, and Node's, that Lantern checks against: in one place, so a limit Discord changes is changed
 * once. Values from Discord's API documentation.
 */
export const DiscordLimits = {
  /** Choices a command option, or an autocomplete answer, may have. */
  choices: 25,
  /** Characters of a choice's name and of a string choice's value. */
  choiceText: 100,
  /** Options (or subcommands and groups) of a command. */
  options: 25,
  /** Characters of a command's or an option's description. */
  commandDescription: 100,
  /** Characters a string option's `minLength`/`maxLength` may allow. */
  stringOptionLength: 6000,
  /** Characters of a command's names, descriptions and choices together, in any one locale. */
  commandSize: 8000,
  /** Characters of a component's or a modal's custom id. */
  customId: 100,
  /** Characters of a message's content. */
  messageContent: 2000,
  /** Characters of an embed's description. */
  embedDescription: 4096,
  /** Embeds a message may carry, and characters across all of them (titles, descriptions, fields, footers, authors). */
  embeds: 10,
  embedsTotal: 6000,
  /** Characters of an embed's title, of a field's name and value, and of its footer; fields an embed may have. */
  embedTitle: 256,
  embedFieldName: 256,
  embedFieldValue: 1024,
  embedFooter: 2048,
  embedFields: 25,
  /** Files a message may carry. */
  files: 10,
  /** Action rows a message may have, buttons in a row, and characters of a button's label. */
  actionRows: 5,
  rowButtons: 5,
  buttonLabel: 80,
  /** A modal: characters of its title and of a field's label, fields, characters of a field's value and placeholder. */
  modalTitle: 45,
  modalLabel: 45,
  modalFields: 5,
  modalText: 4000,
  modalPlaceholder: 100,
  /** How long an interaction's token can be used for follow-ups and edits. */
  interactionLifetimeMs: 15 * 60_000,
} as const;

/** The longest delay `setTimeout` keeps (a longer one fires at once). */
export const MAX_TIMER_MS = 2 ** 31 - 1;
