import type { DeadLetterRecord } from '@tally/budget-domain';
import type { ConsumedMessage } from './batch.consumer';
import { DEAD_LETTER_MAX_BYTES, deadLetterMessage } from './dead-letter';

const at = new Date('2026-11-22T10:00:00Z');

function deadLetterOf(key: Buffer | null, value: Buffer | null, error = 'not JSON') {
  const message: ConsumedMessage = {
    topic: 'usage.events',
    partition: 1,
    offset: '42',
    key,
    value,
    timestamp: '0',
  };
  const outbox = deadLetterMessage(
    'usage.dead-letter',
    message,
    { reason: 'invalid_json', error },
    'metering',
    at,
  );
  return { outbox, record: JSON.parse(outbox.value) as DeadLetterRecord };
}

describe('a dead letter of any record can be stored and published', () => {
  it('carries the record, its place, the reason and the schema version (DESIGN 3, 3.1b)', () => {
    const { record } = deadLetterOf(Buffer.from('acct_1'), Buffer.from('{"id":'));
    expect(record).toEqual({
      schema_version: 1,
      source_topic: 'usage.events',
      partition: 1,
      offset: '42',
      key: 'acct_1',
      key_base64: null,
      value: Buffer.from('{"id":').toString('base64'),
      truncated: false,
      reason: 'invalid_json',
      error: 'not JSON',
      service: 'metering',
      at: '2026-11-22T10:00:00.000Z',
    });
  });

  it("makes the error storable text: JSON.parse's message quotes the refused text, NUL included", () => {
    let error = '';
    try {
      JSON.parse('a\u0000\ud800');
    } catch (thrown) {
      error = (thrown as Error).message;
    }
    expect(error).toContain('\u0000');
    const { record } = deadLetterOf(null, Buffer.from('a\u0000\ud800'), error);
    expect(record.error).toBe(error.replaceAll('\u0000', '\uFFFD').replaceAll('\ud800', '\uFFFD'));
    expect(record.error).not.toContain('\u0000');
    expect(record.error).not.toMatch(/\p{Cs}/u);
  });

  it('keeps a text key as the key of the record and of the dead letter', () => {
    const { outbox, record } = deadLetterOf(Buffer.from('acct_1 ü'), Buffer.from('x'));
    expect(outbox.key).toBe('acct_1 ü');
    expect(record).toMatchObject({
      key: 'acct_1 ü',
      key_base64: null,
      value: 'eA==',
      truncated: false,
    });
  });

  it.each([
    ['a Confluent Avro key (a 0x00 magic byte)', Buffer.from([0, 1])],
    ['a NUL inside text', Buffer.from('acct\u0000x')],
    ['bytes that are not UTF-8', Buffer.from([0xc3, 0x28])],
  ])('keeps %s in base64 only, and keys the dead letter by that base64', (_case, key) => {
    const { outbox, record } = deadLetterOf(key, Buffer.from('x'));
    expect(record).toMatchObject({
      key: null,
      key_base64: key.toString('base64'),
      truncated: false,
    });
    expect(outbox.key).toBe(key.toString('base64'));
    expect(outbox.key).not.toContain('\u0000');
  });

  it('has no key when the record had none', () => {
    const { outbox, record } = deadLetterOf(null, null);
    expect(outbox.key).toBeNull();
    expect(record).toMatchObject({ key: null, key_base64: null, value: null, truncated: false });
  });

  it('cuts a key too long for an account id to its first KiB, and says so', () => {
    const key = Buffer.alloc(5000, 'k');
    const { outbox, record } = deadLetterOf(key, Buffer.from('x'));
    expect(record).toMatchObject({
      key: null,
      key_base64: key.subarray(0, 1024).toString('base64'),
      truncated: true,
    });
    expect(outbox.key).toBe(record.key_base64);
  });

  it('keeps a record near the broker default whole', () => {
    const value = Buffer.alloc(1024 * 1024, 'x');
    const { record } = deadLetterOf(Buffer.from('acct_1'), value);
    expect(Buffer.from(record.value!, 'base64').equals(value)).toBe(true);
    expect(record.truncated).toBe(false);
  });

  it('cuts a record too large for the dead-letter topic to its first bytes, and says so', () => {
    const value = Buffer.alloc(4 * 1024 * 1024, 'x');
    const { outbox, record } = deadLetterOf(
      Buffer.alloc(5000, 'k'),
      value,
      '\u0001'.repeat(100_000),
    );
    const kept = Buffer.from(record.value!, 'base64');
    expect(record.truncated).toBe(true);
    expect(kept.length).toBeGreaterThan(3 * 1000 * 1000);
    expect(kept.equals(value.subarray(0, kept.length))).toBe(true);
    expect(record.error).toHaveLength(1000);
    // What Kafka counts against max.message.bytes: key and value, plus the record batch's own bytes.
    expect(Buffer.byteLength(outbox.value) + Buffer.byteLength(outbox.key!) + 1024).toBeLessThan(
      DEAD_LETTER_MAX_BYTES,
    );
  });
});
