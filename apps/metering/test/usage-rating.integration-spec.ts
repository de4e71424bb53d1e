import type { DeadLetterRecord, UsageRated } from '@tally/budget-domain';
import { eventually, usageEvent } from '@tally/testing';
import { MeteringHarness } from './metering.harness';

describe('metering on the real broker and database', () => {
  const harness = new MeteringHarness();

  beforeAll(() => harness.start());
  afterAll(() => harness.stop());

  it('rates a usage event into exactly one usage.rated record with exact amounts', async () => {
    const event = usageEvent({ subject: 'acct_rate', data: { model: 'gpt-4o-mini', input_tokens: 1000, output_tokens: 500 } });
    await harness.produce([event], 'acct_rate');

    const [rated] = (await harness.rated.waitForCount<UsageRated>(1)).filter((r) => r.id === event.id);
    expect(rated).toMatchObject({
      id: event.id,
      source: 'gateway-test',
      account_id: 'acct_rate',
      api_key_id: 'key_test',
      service: 'llm',
      provider: 'openai',
      model: 'gpt-4o-mini',
      currency: 'USD',
      confidence: 1,
      reservation_id: null,
    });
    // gpt-4o-mini: 0.15 USD per 1M input tokens, 0.60 per 1M output tokens.
    expect(rated!.breakdown.input).toBe('0.000150');
    expect(rated!.breakdown.output).toBe('0.000300');
    expect(rated!.cost).toBe('0.000450');
    expect(harness.rated.messages.find((m) => m.key === 'acct_rate')).toBeDefined();
  });

  it('counts a repeated event once, in the same batch or later', async () => {
    const event = usageEvent({ subject: 'acct_dupe' });
    await harness.produce([event, event], 'acct_dupe');
    await harness.produce([event], 'acct_dupe');
    const marker = usageEvent({ subject: 'acct_dupe' });
    await harness.produce([marker], 'acct_dupe');

    await waitUntilRated(harness, marker.id);
    expect(harness.rated.json<UsageRated>().filter((r) => r.id === event.id)).toHaveLength(1);
  });

  it('dead-letters an invalid record with a reason and keeps rating the partition behind it', async () => {
    const next = usageEvent({ subject: 'acct_poison' });
    await harness.produceRaw('{ not json', 'acct_poison');
    await harness.produce([usageEvent({ subject: 'acct_poison', data: { input_tokens: -5 } })], 'acct_poison');
    await harness.produce([next], 'acct_poison');

    await waitUntilRated(harness, next.id);
    const deadLetters = (await harness.deadLetters.waitForCount<DeadLetterRecord>(2)).filter((d) => d.key === 'acct_poison');
    expect(deadLetters.map((d) => d.reason)).toEqual(['invalid_json', 'negative_quantity']);
    expect(Buffer.from(deadLetters[0]!.value!, 'base64').toString('utf8')).toBe('{ not json');
    expect(deadLetters[0]).toMatchObject({
      source_topic: harness.topic('usage.events'),
      service: 'metering',
    });
    expect(deadLetters[1]!.error).toContain('input_tokens');
  });
});

async function waitUntilRated(harness: MeteringHarness, id: string): Promise<void> {
  await eventually(() => {
    if (!harness.rated.json<UsageRated>().some((r) => r.id === id)) throw new Error(`${id} not rated yet`);
  });
}
