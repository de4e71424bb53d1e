/** A usage event on the wire (JSON text) for parser tests: a valid envelope around `data`. */
export function usageEventText(
  data: Record<string, unknown>,
  envelope: Record<string, unknown> = {},
): string {
  return JSON.stringify({
    specversion: '1.0',
    id: 'req_1',
    source: 'gateway-eu-1',
    type: 'ai.usage',
    subject: 'acct_42',
    time: '2026-11-22T09:59:00Z',
    ...envelope,
    data,
  });
}
