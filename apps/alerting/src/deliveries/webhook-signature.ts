import { createHmac } from 'node:crypto';

/**
 * The Tally-Signature header (DESIGN 5): `t=<unix seconds>,v1=<hex HMAC-SHA256 of
 * "<t>.<raw body>">` with the channel's signing secret. Each attempt signs with its own time,
 * so a receiver can refuse old replays while a late retry still verifies.
 */
export function signatureHeader(secret: string, body: string, at: Date): string {
  const t = Math.floor(at.getTime() / 1000);
  const v1 = createHmac('sha256', secret).update(`${t}.${body}`, 'utf8').digest('hex');
  return `t=${t},v1=${v1}`;
}
