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
    ...(alert.amount !== undefined ? [`amount ${alert.amount}`] : []),
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
