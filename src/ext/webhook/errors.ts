import { LanternError } from '../../errors/lantern-error.js';

/** The webhook given to `lantern/ext/webhook` (`url`, or `id` and `token`) cannot be a Discord webhook. */
export class WebhookUrlError extends LanternError<'LANTERN_ERR_WEBHOOK_URL'> {
  constructor(problem: string) {
    // Neither the URL nor the token is ever quoted: whoever holds the token can post as the webhook.
    super(
      'LANTERN_ERR_WEBHOOK_URL',
      `The error webhook ${problem}; copy its URL from the channel's settings (Integrations, Webhooks, Copy Webhook URL), ` +
        'shaped like https://discord.com/api/webhooks/<id>/<token>',
    );
  }
}

/** An option of `lantern/ext/webhook` no reporter could run with. */
export class WebhookOptionsError extends LanternError<'LANTERN_ERR_WEBHOOK_OPTIONS'> {
  constructor(option: string, problem: string) {
    super('LANTERN_ERR_WEBHOOK_OPTIONS', `lantern/ext/webhook option ${option}: ${problem}`);
  }
}
