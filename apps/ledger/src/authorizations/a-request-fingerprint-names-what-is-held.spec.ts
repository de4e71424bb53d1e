import { authorizationRequestSchema, requestFingerprint } from './authorization.dto';

const fingerprintOf = (body: Record<string, unknown>) =>
  requestFingerprint(authorizationRequestSchema.parse({ request_id: 'r1', ...body }));

describe('a request fingerprint names what a request asks to hold (ADR 0127)', () => {
  const estimate = {
    service: 'llm',
    model: 'gpt-4o-mini',
    input_tokens: 1000,
    max_output_tokens: 500,
  };

  it('is the same for one amount written otherwise, the default TTL named, any wait or request id', () => {
    const first = fingerprintOf({ estimated_cost: '2.00' });
    expect(fingerprintOf({ estimated_cost: '2' })).toBe(first);
    expect(fingerprintOf({ estimated_cost: '2.000000', ttl_seconds: 300 })).toBe(first);
    expect(fingerprintOf({ estimated_cost: '2.00', wait_ms: 5000, request_id: 'r2' })).toBe(first);
    expect(fingerprintOf(estimate)).toBe(fingerprintOf({ ...estimate, wait_ms: 10 }));
  });

  it('differs for another amount, TTL, estimate field or kind of request', () => {
    const seen = new Set(
      [
        { estimated_cost: '2.00' },
        { estimated_cost: '2.01' },
        { estimated_cost: '2.00', ttl_seconds: 60 },
        estimate,
        { ...estimate, max_output_tokens: 501 },
        { ...estimate, model: 'gpt-4o' },
        { ...estimate, provider: 'azure' },
        { ...estimate, power_level: 'precision' },
        { ...estimate, ttl_seconds: 60 },
      ].map(fingerprintOf),
    );
    expect(seen.size).toBe(9);
  });
});
