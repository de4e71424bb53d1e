import { z } from 'zod';
import { DEAD_LETTER_REASONS, parseWith } from './parse-result';
import type { ParseResult } from './parse-result';
import { isoTimestamp, schemaVersion, storableText } from './wire';

/**
 * A record a service could not use (DESIGN 3.1b): the original bytes and why. Two fields go
 * beyond 3.1b, so that any record can be dead-lettered: `key_base64` for a key that is not
 * storable text, and `truncated` for a record larger than the dead-letter topic takes.
 */
export const deadLetterSchema = z.object({
  schema_version: schemaVersion,
  source_topic: z.string().min(1).max(512),
  partition: z.number().int().nonnegative(),
  offset: z.string().regex(/^\d{1,20}$/),
  /**
   * The original key as text: null when there was none, or when it is not UTF-8 text without
   * NUL of at most 1 KiB (a Confluent Avro or Protobuf key starts with a 0x00 byte, which no
   * PostgreSQL text column stores); `key_base64` then holds its bytes.
   */
  key: z.string().nullable(),
  /** The original key bytes, base64, when `key` cannot hold them; otherwise null. */
  key_base64: z.string().nullable(),
  /** The original bytes, base64. */
  value: z.string().nullable(),
  /** True when `value` or `key_base64` hold only the first bytes of the original. */
  truncated: z.boolean(),
  reason: z.enum(DEAD_LETTER_REASONS),
  /** Field path and message; storable even from a writer that did not make it so. */
  error: z.string().transform(storableText),
  service: z.string().min(1).max(256),
  at: isoTimestamp,
});

export type DeadLetterRecord = z.infer<typeof deadLetterSchema>;

export function parseDeadLetter(raw: Buffer | string | null): ParseResult<DeadLetterRecord> {
  return parseWith(deadLetterSchema, raw);
}
