import { Kafka, logLevel } from 'kafkajs';
import { Topics } from '@tally/budget-domain';
import type { DeadLetterRecord, UsageRated } from '@tally/budget-domain';
import { ensureTopics } from '@tally/messaging';
import { eventually, isolate, usageEvent } from '@tally/testing';
import { MeteringHarness } from './metering.harness';

/**
 * Small, malicious or buggy records that once wedged metering: each is followed by a valid
 * event on the same key (so the same partition), which must still be rated, exactly.
 */
describe('bad input is dead-lettered and never stops the partition', () => {
  const isolation = isolate();
  const harness = new MeteringHarness(isolation);

  beforeAll(async () => {
    // A producer's usage.events may take records larger than the broker's 1 MB default;
    // metering leaves an existing topic as it is.
    const kafka = new Kafka({ brokers: isolation.kafkaBrokers, logLevel: logLevel.NOTHING });
    const usageEvents = harness.topic(Topics.UsageEvents);
    await ensureTopics(kafka, [usageEvents], 3, {
      [usageEvents]: { 'max.message.bytes': String(8 * 1024 * 1024) },
    });
    await harness.start();
  });
  afterAll(() => harness.stop());

  it('refuses audio seconds in exponent form ("1e-2000000", two million digits written out)', async () => {
    const account = 'acct_exponent';
    const bad = usageEvent({
      subject: account,
      data: {
        service: 'stt',
        model: 'whisper-1',
        input_tokens: 0,
        output_tokens: 0,
        audio_seconds: '1e-2000000',
      },
    });
    await harness.produce([bad], account);
    const valid = await produceValidAfter(account);

    expect(await ratedCost(valid.id)).toBe('0.000450');
    expect(await deadLettersFor((d) => d.key === account)).toEqual([
      expect.objectContaining({
        reason: 'schema_violation',
        error:
          'data.audio_seconds: "1e-2000000" is not a decimal number like "12.5" with at most 12 decimals',
        value: Buffer.from(JSON.stringify(bad)).toString('base64'),
      }),
    ]);
  });

  it('refuses a NUL in the subject, which no PostgreSQL text column stores', async () => {
    const account = 'acct_nul';
    await harness.produce([usageEvent({ subject: 'acct\u0000x' })], account);
    const valid = await produceValidAfter(account);

    expect(await ratedCost(valid.id)).toBe('0.000450');
    expect(await deadLettersFor((d) => d.key === account)).toEqual([
      expect.objectContaining({
        reason: 'schema_violation',
        error: 'subject: must not contain control characters or unpaired surrogates',
      }),
    ]);
  });

  it('dead-letters a record whose key is not text (a 0x00 byte, as Confluent Avro keys have)', async () => {
    const key = Buffer.from([0, 1]);
    await harness.produceRaw('x', key);
    const valid = usageEvent({ subject: 'acct_binary_key' });
    await harness.produceRaw(JSON.stringify(valid), key);

    expect(await ratedCost(valid.id)).toBe('0.000450');
    const [deadLetter] = await deadLettersFor((d) => d.key_base64 === 'AAE=');
    expect(deadLetter).toMatchObject({
      key: null,
      key_base64: 'AAE=',
      value: 'eA==',
      truncated: false,
      reason: 'invalid_json',
    });
    expect(harness.deadLetters.messages.filter((m) => m.key === 'AAE=')).toHaveLength(1);
  });

  it('cuts a 3 MiB invalid record to what the dead-letter topic takes, and says so', async () => {
    const account = 'acct_oversized';
    const bytes = Buffer.alloc(3 * 1024 * 1024, 'x');
    await harness.produceRaw(bytes, account);
    const valid = await produceValidAfter(account);

    expect(await ratedCost(valid.id)).toBe('0.000450');
    const [deadLetter] = await deadLettersFor((d) => d.key === account);
    expect(deadLetter).toMatchObject({ reason: 'invalid_json', truncated: true });
    const kept = Buffer.from(deadLetter!.value!, 'base64');
    expect(kept.length).toBeGreaterThan(3 * 1000 * 1000);
    expect(kept.equals(bytes.subarray(0, kept.length))).toBe(true);
  });

  async function produceValidAfter(account: string) {
    const valid = usageEvent({ subject: account });
    await harness.produce([valid], account);
    return valid;
  }

  /** The rated event's cost, once it is on usage.rated. */
  async function ratedCost(id: string): Promise<string> {
    return eventually(() => {
      const rated = harness.rated.json<UsageRated>().find((r) => r.id === id);
      if (!rated) throw new Error(`${id} not rated yet`);
      return rated.cost;
    });
  }

  /** The dead letters that match, once there is one; exactly one is expected. */
  async function deadLettersFor(
    match: (record: DeadLetterRecord) => boolean,
  ): Promise<DeadLetterRecord[]> {
    return eventually(() => {
      const found = harness.deadLetters.json<DeadLetterRecord>().filter(match);
      expect(found).toHaveLength(1);
      return found;
    });
  }
});
