import { createHash } from 'node:crypto';
import fc from 'fast-check';

// kafkajs' record codec, produce request and key hash, which patches/kafkajs+2.2.4.patch rewrites
// for speed (ADR 0047): these tests hold the patched code to the wire format, to Kafka's own
// partitioning and to the bytes kafkajs 2.2.4 itself wrote.
interface Long {
  readonly value: bigint;
  toString(): string;
}
interface Encoder {
  readonly buffer: Buffer;
  writeVarInt(value: number): Encoder;
  writeVarLong(value: number | Long): Encoder;
}
interface Decoder {
  readonly offset: number;
  readVarLong(): Long;
  readSmallVarLong(): number | Long;
}
interface DecodedRecord {
  readonly offset: string;
  readonly timestamp: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: Record<string, Buffer | Buffer[]>;
}
interface RecordInput {
  readonly key: string | Buffer | null;
  readonly value: string | Buffer | null;
  readonly headers: Record<string, string | string[]>;
  readonly timestampDelta: number;
}

const kafkajs = (path: string): unknown => require(`kafkajs/src/${path}`);
const Encoder = kafkajs('protocol/encoder') as {
  new (): Encoder;
  sizeOfVarLong(value: number | Long): number;
};
const Decoder = kafkajs('protocol/decoder') as { new (buffer: Buffer): Decoder };
const Long = kafkajs('utils/long') as { fromValue(value: bigint | string | number): Long };
const crc32C = kafkajs('protocol/recordBatch/crc32C/crc32C') as (buffer: Buffer) => number;
const encodeRecord = kafkajs('protocol/recordBatch/record/v0') as (
  record: RecordInput & { offsetDelta: number },
) => Encoder;
const { RecordBatch } = kafkajs('protocol/recordBatch/v0') as {
  RecordBatch(batch: Record<string, unknown>): Promise<Encoder>;
};
const produceRequest = kafkajs('protocol/requests/produce/v3/request') as (
  request: Record<string, unknown>,
) => { encode(): Promise<Encoder> };
const murmur2 = kafkajs('producer/partitioners/default/murmur2') as (
  key: string | Buffer,
) => number;
const decodeRecordBatch = kafkajs('protocol/recordBatch/v0/decoder') as (
  decoder: Decoder,
) => Promise<{ records: DecodedRecord[] }>;

/** CRC-32C one bit at a time, from the Castagnoli polynomial (reflected). */
function referenceCrc32C(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ 0x82f63b78 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

/** A signed 64-bit integer as Kafka writes it: zig-zag, then LEB128. */
function referenceVarLong(value: bigint): Buffer {
  let zigZag = BigInt.asUintN(64, (value << 1n) ^ (value >> 63n));
  const bytes: number[] = [];
  while (zigZag >= 0x80n) {
    bytes.push(Number(zigZag & 0x7fn) | 0x80);
    zigZag >>= 7n;
  }
  bytes.push(Number(zigZag));
  return Buffer.from(bytes);
}

const FIRST_TIMESTAMP = 1_796_316_131_388n;
const big = Buffer.alloc(100_000);
for (let i = 0; i < big.length; i++) big[i] = (i * 31 + 7) & 0xff;

/** Records that take every path: null key and value, headers, 31-bit edges, a large value. */
const RECORDS: RecordInput[] = [
  {
    key: 'acct_1',
    value: JSON.stringify({ id: 'evt_1', cost: '0.000123000000', pad: 'x'.repeat(560) }),
    headers: {},
    timestampDelta: 0,
  },
  {
    key: null,
    value: 'é漢字🙂',
    headers: { 'content-type': 'application/json' },
    timestampDelta: 5,
  },
  { key: 'acct_2', value: null, headers: { multi: ['a', 'b'] }, timestampDelta: -3 },
  { key: Buffer.from([0, 1, 2]), value: big, headers: {}, timestampDelta: 2 ** 31 },
  { key: 'k', value: 'v', headers: {}, timestampDelta: 2 ** 30 - 1 },
  { key: 'k', value: 'v', headers: {}, timestampDelta: -(2 ** 30) },
  { key: 'k', value: 'v', headers: {}, timestampDelta: -(2 ** 30) - 1 },
  { key: 'k', value: 'v', headers: {}, timestampDelta: 2 ** 30 },
];

async function encodeBatch(firstOffset: string): Promise<Buffer> {
  const records = RECORDS.map((record, offsetDelta) => encodeRecord({ ...record, offsetDelta }));
  const batch = await RecordBatch({
    records,
    firstOffset: Long.fromValue(firstOffset),
    firstTimestamp: Number(FIRST_TIMESTAMP),
    maxTimestamp: Number(FIRST_TIMESTAMP) + 5,
    producerId: Long.fromValue(4711),
    producerEpoch: 3,
    firstSequence: 17,
    transactional: true,
    lastOffsetDelta: records.length - 1,
  });
  return batch.buffer;
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** A partition's messages as the outbox relay hands them over, each with its own timestamp. */
function produced(count: number, partition: number) {
  return Array.from({ length: count }, (_, i) => ({
    key: i % 3 === 0 ? null : `acct_${partition}_${i}`,
    value: i % 5 === 4 ? null : JSON.stringify({ i, pad: 'é'.repeat(i) }),
    headers: i % 2 ? { 'content-type': 'application/json', multi: ['a', 'b'] } : undefined,
    timestamp: String(Number(FIRST_TIMESTAMP) + ((i * 37) % 11)),
  }));
}

describe("kafkajs' record codec, as patched", () => {
  it('checksums with CRC-32C, whatever the length and alignment', () => {
    expect(crc32C(Buffer.from('123456789'))).toBe(0xe3069283);
    expect(crc32C(Buffer.alloc(0))).toBe(0);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat(7), (bytes, skip) => {
        const buffer = Buffer.from(bytes).subarray(Math.min(skip, bytes.length));
        expect(crc32C(buffer)).toBe(referenceCrc32C(buffer));
      }),
      { numRuns: 3_000 },
    );
  });

  it('writes varints and varlongs as zig-zag LEB128, and reads them back', () => {
    const varLong = fc.oneof(
      fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
      fc.constantFrom(0, -1, 2 ** 30 - 1, -(2 ** 30), 2 ** 30, -(2 ** 30) - 1, 2 ** 53 - 1),
      fc.maxSafeInteger(),
      fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
    );
    fc.assert(
      fc.property(varLong, (value) => {
        const exact = BigInt(value);
        // kafkajs takes numbers, and Longs for what a number cannot hold.
        const input = typeof value === 'bigint' ? Long.fromValue(value) : value;
        const written = new Encoder().writeVarLong(input).buffer;
        expect(written).toEqual(referenceVarLong(exact));
        expect(Encoder.sizeOfVarLong(input)).toBe(written.length);
        expect(new Decoder(written).readVarLong().value).toBe(exact);
        const decoder = new Decoder(written);
        const small = decoder.readSmallVarLong();
        expect(typeof small === 'number' ? BigInt(small) : small.value).toBe(exact);
        expect(decoder.offset).toBe(written.length);
      }),
      { numRuns: 5_000 },
    );
    fc.assert(
      fc.property(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), (value) => {
        expect(new Encoder().writeVarInt(value).buffer).toEqual(referenceVarLong(BigInt(value)));
      }),
    );
  });

  it('encodes a record batch byte for byte as kafkajs 2.2.4 did', async () => {
    // The hashes of these batches as the unpatched kafkajs 2.2.4 encodes them.
    expect(sha256(await encodeBatch('0'))).toBe(
      'f306ead86ba08819fd13b105b5a30d3ab9f48e76efd105b4fe1cd04f2f92d587',
    );
    expect(sha256(await encodeBatch('9007199254740993'))).toBe(
      '3c33a07da42694861f8d2c37e84a93892635405ef63d105031e672d0b300f486',
    );
  });

  it('encodes a produce request byte for byte as kafkajs 2.2.4 did', async () => {
    const request = produceRequest({
      acks: -1,
      timeout: 30_000,
      transactionalId: 'tx',
      producerId: 4711,
      producerEpoch: 3,
      topicData: [
        {
          topic: 'usage.rated',
          partitions: [
            { partition: 0, firstSequence: 5, messages: produced(7, 0) },
            { partition: 3, firstSequence: 0, messages: produced(12, 3) },
          ],
        },
        {
          topic: 'dead',
          partitions: [{ partition: 1, firstSequence: 2, messages: produced(1, 1) }],
        },
      ],
    });
    // The hash of this request as the unpatched kafkajs 2.2.4 encodes it.
    expect(sha256((await request.encode()).buffer)).toBe(
      '772950bc34ee52e735addfcb659e5ab4ec79004bca9cc7e7e99168239388d325',
    );
  });

  it("hashes keys as Kafka's Java client does, so a key keeps its partition", () => {
    // Kafka's UtilsTest.testMurmur2 cases.
    expect(
      ['21', 'foobar', 'a-little-bit-long-string', 'a-little-bit-longer-string', 'abc'].map(
        murmur2,
      ),
    ).toEqual([-973932308, -790332482, -985981536, -1486304829, 479470107]);
    expect(murmur2('lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8')).toBe(-58897971);
    // 20,000 keys of 0 to 96 random bytes (every length modulo 4, every byte value); the hash of
    // their hashes as the unpatched kafkajs 2.2.4 computed them.
    let seed = 0x2545f491;
    const nextByte = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 8) & 0xff;
    const hashes = Buffer.alloc(4 * 20_000);
    for (let i = 0; i < 20_000; i++) {
      const key = Buffer.alloc(i % 97);
      for (let j = 0; j < key.length; j++) key[j] = nextByte();
      hashes.writeInt32BE(murmur2(key), 4 * i);
    }
    expect(sha256(hashes)).toBe('f9521be1f72487c4f3d51c8038ba9ed17630bcfaf5be9a48a78cfb639460d8ba');
  });

  it.each(['0', '123456789012345', '9007199254740993'])(
    'decodes exact offsets and timestamps after a first offset of %s',
    async (firstOffset) => {
      const { records } = await decodeRecordBatch(new Decoder(await encodeBatch(firstOffset)));
      expect(records.map((record) => record.offset)).toEqual(
        RECORDS.map((_, index) => String(BigInt(firstOffset) + BigInt(index))),
      );
      expect(records.map((record) => record.timestamp)).toEqual(
        RECORDS.map(({ timestampDelta }) => String(FIRST_TIMESTAMP + BigInt(timestampDelta))),
      );
      expect(records.map((record) => record.key?.toString('latin1') ?? null)).toEqual(
        RECORDS.map(({ key }) => (key === null ? null : Buffer.from(key).toString('latin1'))),
      );
      expect(records[3]?.value?.equals(big)).toBe(true);
      expect(records[1]?.value?.toString()).toBe('é漢字🙂');
      expect(records[2]?.value).toBeNull();
      expect(records[2]?.headers['multi']).toEqual([Buffer.from('a'), Buffer.from('b')]);
    },
  );
});
