import { button } from '../../components/component.js';
import type { Sink } from '../../extensions/sink.js';
import type { IssueAction } from './compose.js';
import type { IssueBook } from './issues.js';

/** How long "Mute for 24 h" mutes. */
export const MUTE_MS = 24 * 60 * 60_000;
const NO_MENTIONS = { parse: [] };
const REFUSAL = "Sorry, only this bot's owners can resolve or mute its issues.";

/**
 * The "Resolve" and "Mute for 24 h" buttons on the posts of new issues (on a webhook of the bot's own application,
 * the only kind whose messages can carry them), for the bot's owners: they set the issue's status in the reporter's
 * store. Their custom ids name the issue, so they work after a restart too.
 */
export function issueButtons(
  book: IssueBook,
  now: () => number,
): { sink: Sink; customId: (issueId: string, action: IssueAction) => string } {
  const definition = button({
    customId: 'lantern-webhook:{action}:{issue}',
    async run(ctx) {
      if (!ctx.bot.isOwner(ctx.user.id)) {
        await ctx.reply({ content: REFUSAL, ephemeral: true });
        return;
      }
      const { action, issue: issueId } = ctx.params;
      const title = book.get(issueId)?.title;
      const named = title ? `**${title}** (issue \`${issueId}\`)` : `issue \`${issueId}\``;
      const at = now();
      const change = { title, userId: ctx.user.id, at };
      if (action === 'resolve') {
        book.setStatus(issueId, { state: 'resolved', at }, change);
        await ctx.reply({
          content: `Resolved ${named}. If it happens again, it is posted again.`,
          ephemeral: true,
          allowedMentions: NO_MENTIONS,
        });
      } else if (action === 'mute') {
        const until = at + MUTE_MS;
        book.setStatus(issueId, { state: 'muted', until }, change);
        const content = `Muted ${named} until <t:${String(Math.floor(until / 1000))}:f>: digests leave it out until then.`;
        await ctx.reply({ content, ephemeral: true, allowedMentions: NO_MENTIONS });
      } else {
        await ctx.reply({ content: 'This button was not made by the error reporter.', ephemeral: true });
      }
    },
  });
  return {
    sink: { name: 'webhook buttons', setup: (bot) => bot.addComponent(definition) },
    customId: (issue, action) => definition.id({ action, issue }),
  };
}
