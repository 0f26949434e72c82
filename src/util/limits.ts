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
  /** Characters of a component's or a modal's custom id. */
  customId: 100,
  /** Characters of a message's content. */
  messageContent: 2000,
  /** Rows of components under a message. */
  actionRows: 5,
  /** Characters of an embed's description. */
  embedDescription: 4096,
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
