import { SnowflakeUtil } from 'discord.js';
import { command } from '../../src/index.js';
import type { CommandDefinition } from '../../src/index.js';

/**
 * Four commands that each fail one way, with an id or a number that differs every time in the message or in the
 * URL Discord refused: what a bot's errors look like in production. Each is one error to a tracker, so each must
 * be one error to the log's repeat counter. Shared by the tests and the measuring script in bench/.
 */
export function varyingErrorCommands(): CommandDefinition[] {
  let requests = 0;
  return [
    command({
      name: 'profile',
      description: 'A profile lookup that fails naming the user and the request',
      run: (ctx) => {
        throw new Error(`no profile for user ${ctx.user.id} (request ${String(++requests)})`);
      },
    }),
    command({
      name: 'order',
      description: 'An order lookup that fails naming the order',
      run: () => {
        throw new RangeError(`order #${String(100_000 + ++requests)} does not exist`);
      },
    }),
    command({
      name: 'message',
      description: 'Fetches a message that does not exist: Discord answers 10008 for a URL with its id',
      run: async (ctx) => {
        await ctx.interaction.channel?.messages.fetch(SnowflakeUtil.generate().toString());
      },
    }),
    command({
      name: 'member',
      description: 'Fetches a member who is not in the guild: Discord answers 10007 for a URL with their id',
      run: async (ctx) => {
        await ctx.interaction.guild?.members.fetch({ user: SnowflakeUtil.generate().toString(), force: true });
      },
    }),
  ];
}

export const VARYING_ERROR_SOURCES = ['/profile', '/order', '/message', '/member'] as const;
