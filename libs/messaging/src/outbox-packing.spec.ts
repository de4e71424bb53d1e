import { PACKED_TOPIC_PREFIX, isPack, outboxRowsOf } from './outbox';
import { messagesOf } from './outbox-head';
import type { OutboxRow } from './outbox-head';
import type { OutboxMessage } from './outbox';

const message = (topic: string, key: string | null, n: number, dedupe = false): OutboxMessage => ({
  topic,
  key,
  value: JSON.stringify({ n }),
  ...(dedupe ? { dedupe: { key: JSON.stringify(`id-${n}`), day: '2026-12-05' } } : {}),
});

/** Each row as topic and the n of its messages, in order. */
const shape = (rows: ReturnType<typeof outboxRowsOf>) =>
  rows.map((row) => {
    const [keys, values] = isPack(row) ? [row.keys, row.values] : [[row.key], [row.value]];
    return {
      topic: row.topic,
      keys,
      ns: values.map((value) => (JSON.parse(value) as { n: number }).n),
      dedupe: isPack(row) ? null : (row.dedupe?.key ?? null),
    };
  });

describe('outboxRowsOf', () => {
  it("packs a topic's messages into one row in publishing order, and each topic into its own", () => {
    const rows = outboxRowsOf(
      [
        message('a', 'k1', 0),
        message('b', 'k1', 1),
        message('a', 'k2', 2),
        message('a', null, 3),
        message('b', 'k2', 4),
      ],
      1024,
    );
    expect(shape(rows)).toEqual([
      { topic: 'a', keys: ['k1', 'k2', null], ns: [0, 2, 3], dedupe: null },
      { topic: 'b', keys: ['k1', 'k2'], ns: [1, 4], dedupe: null },
    ]);
  });

  it("writes a message with a dedupe key as a row of its own, after its topic's earlier messages and before its later ones", () => {
    const rows = outboxRowsOf(
      [
        message('a', 'k1', 0),
        message('b', 'k1', 1),
        message('a', 'k1', 2, true),
        message('a', 'k1', 3),
        message('b', 'k1', 4),
      ],
      1024,
    );
    expect(shape(rows)).toEqual([
      { topic: 'a', keys: ['k1'], ns: [0], dedupe: null },
      { topic: 'b', keys: ['k1', 'k1'], ns: [1, 4], dedupe: null },
      { topic: 'a', keys: ['k1'], ns: [2], dedupe: '"id-2"' },
      { topic: 'a', keys: ['k1'], ns: [3], dedupe: null },
    ]);
  });

  it('starts a new row when the next message would take a row past the byte cap', () => {
    // Each value, {"n":N}, is 7 bytes: three fit in 21, a fourth does not.
    const rows = outboxRowsOf(
      Array.from({ length: 7 }, (_, n) => message('a', 'k', n)),
      21,
    );
    expect(shape(rows).map((row) => row.ns)).toEqual([[0, 1, 2], [3, 4, 5], [6]]);
  });

  it('counts bytes, not characters', () => {
    const wide = (n: number): OutboxMessage => ({
      topic: 'a',
      key: 'k',
      value: `"${'é'.repeat(n)}"`,
    });
    // 2 + 2 × 4 = 10 bytes each (6 characters): two fit in 20, three do not.
    expect(shape(outboxRowsOf([wide(4), wide(4), wide(4)], 20)).map((row) => row.keys)).toEqual([
      ['k', 'k'],
      ['k'],
    ]);
  });

  it('writes a row per message without a cap, and a message alone as the row itself', () => {
    const messages = [message('a', 'k', 0), message('a', 'k', 1), message('b', 'k', 2)];
    expect(outboxRowsOf(messages, 0)).toEqual(messages);
    const [pack, alone] = outboxRowsOf(messages, 1024);
    expect(isPack(pack!)).toBe(true);
    expect(alone).toBe(messages[2]);
  });
});

describe('messagesOf', () => {
  const row = (topic: string, value: string, keys: Array<string | null> | null): OutboxRow => ({
    xid: '7',
    id: '42',
    topic,
    message_key: keys ? null : 'k0',
    value,
    packed_keys: keys,
  });

  it('reads a row of one message as it is', () => {
    expect(messagesOf(row('a', '{"n":0}', null))).toEqual([
      { topic: 'a', key: 'k0', value: '{"n":0}' },
    ]);
  });

  it("reads a packed row's messages in order, on the topic behind the prefix", () => {
    const values = ['{"n":0}', '{"n":"\u00e9"}', 'null'];
    expect(
      messagesOf(row(`${PACKED_TOPIC_PREFIX}a`, values.join('\u001d'), ['k1', null, 'k1'])),
    ).toEqual([
      { topic: 'a', key: 'k1', value: '{"n":0}' },
      { topic: 'a', key: null, value: '{"n":"\u00e9"}' },
      { topic: 'a', key: 'k1', value: 'null' },
    ]);
  });

  it('refuses a packed row whose values and keys differ in number, or whose topic lacks the prefix', () => {
    expect(() => messagesOf(row(`${PACKED_TOPIC_PREFIX}a`, '{"n":0}', ['k1', 'k2']))).toThrow(
      'outbox row 42 is corrupt: 1 values for 2 keys, topic packed:a',
    );
    expect(() => messagesOf(row('a', '{"n":0}\u001d{"n":1}', ['k1', 'k2']))).toThrow(
      'outbox row 42 is corrupt: 2 values for 2 keys, topic a',
    );
  });
});
