import { z } from 'zod';
import { DEAD_LETTER_REASONS, parseWith } from './parse-result';
import type { ParseResult } from './parse-result';
import { isoTimestamp, plainText, schemaVersion, storableText } from './wire';

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
/** Kafka's offsets are 64-bit, as the bigint a reader stores one in. */
const MAX_OFFSET = 2n ** 63n - 1n;

/**
 * A record a service could not use (DESIGN 3.1b): the original bytes and why. Two fields go
 * beyond 3.1b, so that any record can be dead-lettered: `key_base64` for a key that is not
 * storable text, and `truncated` for a record larger than the dead-letter topic takes.
 */
export const deadLetterSchema = z.object({
  schema_version: schemaVersion,
  /** A Kafka topic name. */
  source_topic: z.string().regex(/^[A-Za-z0-9._-]{1,249}$/, 'must be a Kafka topic name'),
  partition: z
    .number()
    .int()
    .nonnegative()
    .max(2 ** 31 - 1),
  offset: z
    .string()
    // abort: BigInt would throw on what is not digits.
    .regex(/^\d{1,19}$/, { message: 'must be a Kafka offset', abort: true })
    .refine((offset) => BigInt(offset) <= MAX_OFFSET, { message: 'must be a Kafka offset' }),
  /**
   * The original key as text: null when there was none, or when it is not UTF-8 text without
   * NUL of at most 1 KiB (a Confluent Avro or Protobuf key starts with a 0x00 byte, which no
   * PostgreSQL text column stores); `key_base64` then holds its bytes.
   */
  key: z
    .string()
    .max(1024)
    .refine((key) => !key.includes('\u0000'), { message: 'must not contain NUL' })
    .nullable(),
  /** The original key bytes, base64, when `key` cannot hold them; otherwise null. */
  key_base64: z.string().regex(BASE64, 'must be base64').nullable(),
  /** The original bytes, base64. */
  value: z.string().regex(BASE64, 'must be base64').nullable(),
  /** True when `value` or `key_base64` hold only the first bytes of the original. */
  truncated: z.boolean(),
  reason: z.enum(DEAD_LETTER_REASONS),
  /** Field path and message; storable even from a writer that did not make it so. */
  error: z.string().transform(storableText),
  service: plainText(256),
  at: isoTimestamp,
});

export type DeadLetterRecord = z.infer<typeof deadLetterSchema>;

export function parseDeadLetter(raw: Buffer | string | null): ParseResult<DeadLetterRecord> {
  return parseWith(deadLetterSchema, raw);
}
