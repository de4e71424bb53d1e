import { Decimal } from 'decimal.js';
import { presentBooksAmount } from '@tally/budget-domain';
import type { AlertFired } from '@tally/budget-domain';

/** A Slack-compatible incoming-webhook body (DESIGN 5: `{ text, blocks }`) for an alert. */
export function slackMessage(alert: AlertFired): { text: string; blocks: unknown[] } {
  const icon = alert.state === 'resolved' ? ':white_check_mark:' : ':rotating_light:';
  const details = [
    `account *${alert.account_id}*`,
    ...(alert.api_key_id ? [`key *${alert.api_key_id}*`] : []),
    `kind ${alert.kind}`,
    `level ${alert.level}`,
    `${alert.percent}% spent`,
    // A failed auto top-up's amount is in a paid currency the alert does not carry: its message names it.
    ...(alert.amount !== undefined && alert.kind !== 'auto_topup_failed'
      ? [`amount ${presentBooksAmount(new Decimal(alert.amount))}`]
      : []),
    `alert ${alert.id}`,
  ].join(' · ');
  return {
    text: alert.message,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: `${icon} ${escapeMrkdwn(alert.message)}` } },
      { type: 'context', elements: [{ type: 'mrkdwn', text: details }] },
    ],
  };
}

/** Slack treats &, < and > as markup. */
function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
