import { LanternError } from '../errors/index.js';
import type { ErrorCode } from '../errors/index.js';

/** Codes of the mistakes a test can make with the fake Discord; each names what to change. */
export type FakeDiscordErrorCode = Extract<ErrorCode, `LANTERN_ERR_FAKE_${string}`>;

/** Thrown to the test (never to the bot) when a fake Discord call cannot be carried out as asked. */
export class FakeDiscordError extends LanternError<FakeDiscordErrorCode> {}
