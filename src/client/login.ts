import { DiscordjsErrorCodes } from 'discord.js';
import { LoginError } from '../errors/codes.js';
import { errorType } from '../errors/format.js';
import { groupError } from '../errors/grouping.js';

/** How deep the cause chain is searched for what failed (a network error under discord.js's own). */
const MAX_CAUSE_DEPTH = 6;

/**
 * The `LoginError` for a failed `discord.login()`: what failed in words a developer can act on (the network,
 * the token, the intents), with discord.js's error as its cause.
 */
export function loginError(error: unknown): LoginError {
  return new LoginError(reasonOf(error), { cause: error });
}

function reasonOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: unknown }).code;
  if (code === DiscordjsErrorCodes.TokenInvalid)
    return 'Discord refused the bot token (401 Unauthorized). Check DISCORD_TOKEN, or the token option, against the Developer Portal';
  // @discordjs/ws closes with 4014 and throws a plain Error saying so.
  if (/disallowed intents/i.test(error.message))
    return (
      'Discord refused the gateway intents (close code 4014). Enable the privileged intents the bot asks for ' +
      '(Message Content, Server Members, Presence) in the Developer Portal, or stop asking for them'
    );
  const { failure } = groupError('login', error).tags;
  const innermost = innermostOf(error);
  const what = `${errorType(innermost)}: ${innermost.message}`;
  if (failure === 'network') return `Discord could not be reached (${what}). Check the network, or the discord.rest options`;
  if (failure === 'discord_server_error') return `Discord failed to answer (${what}). Try again in a while`;
  return what;
}

function innermostOf(error: Error): Error {
  let current = error;
  for (let depth = 0; depth < MAX_CAUSE_DEPTH && current.cause instanceof Error; depth++) current = current.cause;
  return current;
}
