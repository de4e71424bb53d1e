import { isPack, outboxRowsOf } from './outbox';
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
