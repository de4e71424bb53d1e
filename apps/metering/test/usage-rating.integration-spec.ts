import type { UsageRated } from '@tally/budget-domain';
import { usageEvent } from '@tally/testing';
import { MeteringHarness } from './metering.harness';

describe('metering on the real broker and database', () => {
  const harness = new MeteringHarness();

  beforeAll(() => harness.start());
  afterAll(() => harness.stop());

  it('rates a usage event into exactly one usage.rated record with exact amounts', async () => {
    const event = usageEvent({
      subject: 'acct_rate',
      data: { model: 'gpt-4o-mini', input_tokens: 1000, output_tokens: 500 },
    });
    await harness.produce([event], 'acct_rate');

    const [rated] = (await harness.rated.waitForCount<UsageRated>(1)).filter(
      (r) => r.id === event.id,
    );
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

  it('rates audio tokens, per-request fees and borrowed prices as the price data says', async () => {
    const audio = usageEvent({
      subject: 'acct_parity',
      data: {
        provider: 'openai',
        model: 'gpt-4o-realtime-preview',
        input_tokens: 1000,
        input_audio_tokens: 600,
        output_tokens: 200,
      },
    });
    const sonar = usageEvent({
      subject: 'acct_parity',
      data: { provider: 'perplexity', model: 'sonar', input_tokens: 1000, output_tokens: 500 },
    });
    const azure = usageEvent({
      subject: 'acct_parity',
      data: { provider: 'azure', model: 'gpt-4o', input_tokens: 1000, output_tokens: 500 },
    });
    await harness.produce([audio, sonar, azure], 'acct_parity');

    await harness.waitUntilRated(azure.id);
    const byId = new Map(harness.rated.json<UsageRated>().map((rated) => [rated.id, rated]));
    expect(byId.get(audio.id)).toMatchObject({
      cost: '0.030000',
      quantities: { input_audio_tokens: 600, output_audio_tokens: 0 },
      breakdown: { input: '0.002000', audio: '0.024000', output: '0.004000' },
    });
    expect(byId.get(sonar.id)).toMatchObject({
      cost: '0.013500',
      breakdown: { requests: '0.012000' },
    });
    expect(byId.get(azure.id)).toMatchObject({
      provider: 'azure',
      cost: '0.007500',
      confidence: 1,
    });
  });

  it('counts a repeated event once, in the same batch or later', async () => {
    const event = usageEvent({ subject: 'acct_dupe' });
    await harness.produce([event, event], 'acct_dupe');
    await harness.produce([event], 'acct_dupe');
    const marker = usageEvent({ subject: 'acct_dupe' });
    await harness.produce([marker], 'acct_dupe');

    await harness.waitUntilRated(marker.id);
    expect(harness.rated.json<UsageRated>().filter((r) => r.id === event.id)).toHaveLength(1);
  });

  it('dead-letters a record near the broker size limit whole, and keeps publishing after it', async () => {
    // 900 kB of bytes that are not JSON: base64 makes the dead-letter record about 1.2 MB, more
    // than the broker's default 1 MB per record batch.
    const bytes = Buffer.alloc(900 * 1024, 'x');
    const next = usageEvent({ subject: 'acct_huge' });
    await harness.produceRaw(bytes, 'acct_huge');
    await harness.produce([next], 'acct_huge');

    await harness.waitUntilRated(next.id);
    const [deadLetter] = await harness.deadLettersOf('acct_huge', 1);
    expect(deadLetter).toMatchObject({ reason: 'invalid_json', service: 'metering' });
    expect(Buffer.from(deadLetter!.value!, 'base64').equals(bytes)).toBe(true);
  });

  it('dead-letters an invalid record with a reason and keeps rating the partition behind it', async () => {
    const next = usageEvent({ subject: 'acct_poison' });
    await harness.produceRaw('{ not json', 'acct_poison');
    await harness.produce(
      [usageEvent({ subject: 'acct_poison', data: { input_tokens: -5 } })],
      'acct_poison',
    );
    await harness.produce([next], 'acct_poison');

    await harness.waitUntilRated(next.id);
    const deadLetters = await harness.deadLettersOf('acct_poison', 2);
    expect(deadLetters.map((d) => d.reason)).toEqual(['invalid_json', 'negative_quantity']);
    expect(Buffer.from(deadLetters[0]!.value!, 'base64').toString('utf8')).toBe('{ not json');
    expect(deadLetters[0]).toMatchObject({
      source_topic: harness.topic('usage.events'),
      service: 'metering',
    });
    expect(deadLetters[1]!.error).toContain('input_tokens');
  });
});

describe('every rejection reason, produced by a real bad record', () => {
  const harness = new MeteringHarness();

  beforeAll(() => harness.start());
  afterAll(() => harness.stop());

  it('dead-letters each with its reason and still rates the valid event behind it on the same partition', async () => {
    const account = 'acct_reasons';
    const old = new Date(Date.now() - 40 * 24 * 3600 * 1000).toISOString();
    const future = new Date(Date.now() + 3600 * 1000).toISOString();
    const bad: Array<[string, string | null]> = [
      ['invalid_json', 'not json at all'],
      [
        'schema_violation',
        JSON.stringify(usageEvent({ subject: account, data: { input_tokens: 'many' } })),
      ],
      [
        'negative_quantity',
        JSON.stringify(usageEvent({ subject: account, data: { output_tokens: -1 } })),
      ],
      [
        'quantity_too_large',
        JSON.stringify(usageEvent({ subject: account, data: { input_tokens: 500_000_000 } })),
      ],
      [
        'unknown_service',
        JSON.stringify(usageEvent({ subject: account, data: { service: 'hologram' } })),
      ],
      ['time_in_future', JSON.stringify(usageEvent({ subject: account, time: future }))],
      ['time_too_old', JSON.stringify(usageEvent({ subject: account, time: old }))],
    ];
    for (const [, value] of bad) await harness.produceRaw(value, account);
    const valid = usageEvent({ subject: account });
    await harness.produce([valid], account);

    await harness.waitUntilRated(valid.id);
    const deadLetters = await harness.deadLettersOf(account, bad.length);
    expect(deadLetters.map((d) => d.reason)).toEqual(bad.map(([reason]) => reason));
    deadLetters.forEach((deadLetter, index) => {
      expect(Buffer.from(deadLetter.value!, 'base64').toString('utf8')).toBe(bad[index]![1]);
      expect(deadLetter.error).not.toBe('');
    });
    const partitions = new Set([
      ...harness.deadLetters.messages
        .filter((m) => m.key === account)
        .map((m) => JSON.parse(m.value!.toString()).partition as number),
    ]);
    expect(partitions.size).toBe(1);
  });
});

describe('duplicates across a metering restart', () => {
  const harness = new MeteringHarness();

  beforeAll(() => harness.start());
  afterAll(() => harness.stop());

  it('rates an event re-sent after a restart only once', async () => {
    const event = usageEvent({ subject: 'acct_restart' });
    await harness.produce([event], 'acct_restart');
    await harness.waitUntilRated(event.id);

    await harness.restart();
    await harness.produce([event], 'acct_restart');
    const marker = usageEvent({ subject: 'acct_restart' });
    await harness.produce([marker], 'acct_restart');
    await harness.waitUntilRated(marker.id);

    expect(harness.rated.json<UsageRated>().filter((r) => r.id === event.id)).toHaveLength(1);
  });
});
