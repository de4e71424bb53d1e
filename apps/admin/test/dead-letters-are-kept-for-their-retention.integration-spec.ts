import { eventually } from '@tally/testing';
import { DeadLettersService } from '../src/dead-letters/dead-letters.service';
import { AdminHarness } from './admin.harness';

const DAY_MS = 86_400_000;
const daysAgo = (days: number) => new Date(Date.now() - days * DAY_MS).toISOString();

/**
 * Admin's copy of each dead letter (up to 16 KiB of its value) is for the people who fix its
 * cause; past ADMIN_DEAD_LETTER_RETENTION_DAYS it is deleted (ADR 0137), so a producer that
 * sends garbage for a while does not grow admin's database for ever.
 */
describe('dead letters are listed for their retention, then deleted (ADR 0137)', () => {
  const harness = new AdminHarness({ deadLetterRetentionDays: 30 }, []);
  const deadLetter = (offset: number, at: string) => ({
    schema_version: 1,
    source_topic: 'usage.events',
    partition: 0,
    offset: String(offset),
    key: 'acct_dl_kept',
    key_base64: null,
    value: 'eyBub3QganNvbg==',
    truncated: false,
    reason: 'invalid_json',
    error: `error of ${offset}`,
    service: 'metering',
    at,
  });
  const listedOffsets = async () => {
    const answer = await harness.call<{ items: Array<{ offset: string }> }>(
      'GET',
      '/v1/dead-letters?service=metering&limit=100',
    );
    expect(answer.status).toBe(200);
    return answer.body.items.map((item) => item.offset);
  };

  beforeAll(() => harness.start());
  afterAll(() => harness.stop());

  it('deletes the 3 dead letters older than 30 days and keeps the 2 younger', async () => {
    await harness.admin.kafka.produceJson(harness.topic('usage.dead-letter'), 'acct_dl_kept', [
      deadLetter(1, daysAgo(40)),
      deadLetter(2, daysAgo(35)),
      deadLetter(3, daysAgo(30.5)),
      deadLetter(4, daysAgo(29.5)),
      deadLetter(5, daysAgo(1)),
    ]);
    await eventually(async () => expect(await listedOffsets()).toHaveLength(5));

    expect(await harness.admin.app.get(DeadLettersService).forgetOld()).toBe(3);

    expect(await listedOffsets()).toEqual(['5', '4']);
  });
});
