import { createHmac } from 'node:crypto';
import { signatureHeader } from './webhook-signature';

describe('Tally-Signature', () => {
  it('is t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">', () => {
    const body = '{"id":"alrt_1","message":"acct_1: 50% spent"}';
    const header = signatureHeader('whsec_test', body, new Date('2026-11-20T10:00:00.999Z'));
    const expected = createHmac('sha256', 'whsec_test').update(`1795168800.${body}`).digest('hex');
    expect(header).toBe(`t=1795168800,v1=${expected}`);
    expect(expected).toMatch(/^[0-9a-f]{64}$/);
  });

  it('changes with the body, the time and the secret', () => {
    const at = new Date('2026-11-20T10:00:00Z');
    const base = signatureHeader('whsec_a', '{}', at);
    expect(signatureHeader('whsec_a', '{ }', at)).not.toBe(base);
    expect(signatureHeader('whsec_b', '{}', at)).not.toBe(base);
    expect(signatureHeader('whsec_a', '{}', new Date(at.getTime() + 1000))).not.toBe(base);
  });
});
