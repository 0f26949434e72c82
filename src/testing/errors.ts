import { LanternError } from '../errors/index.js';

/** Codes of the mistakes a test can make with the fake Discord; each names what to change. */
export type FakeDiscordErrorCode =
  | 'LANTERN_ERR_FAKE_NOT_CONNECTED'
  | 'LANTERN_ERR_FAKE_UNKNOWN_ENTITY'
  | 'LANTERN_ERR_FAKE_NOT_A_MEMBER'
  | 'LANTERN_ERR_FAKE_UNKNOWN_COMMAND'
  | 'LANTERN_ERR_FAKE_BAD_OPTION'
  | 'LANTERN_ERR_FAKE_UNKNOWN_COMPONENT'
  | 'LANTERN_ERR_FAKE_NO_MODAL'
  | 'LANTERN_ERR_FAKE_TOKEN_NOT_KEPT'
  | 'LANTERN_ERR_FAKE_TIMEOUT';

/** Thrown to the test (never to the bot) when a fake Discord call cannot be carried out as asked. */
export class FakeDiscordError extends LanternError<FakeDiscordErrorCode> {}
