import type { DeadLetterReason } from './parse-result';
import type { SCHEMA_VERSION } from './wire';

/**
 * A record a service could not use (DESIGN 3.1b): the original bytes and why. Two fields go
 * beyond 3.1b, so that any record can be dead-lettered: `key_base64` for a key that is not
 * storable text, and `truncated` for a record larger than the dead-letter topic takes.
 */
export interface DeadLetterRecord {
  schema_version: typeof SCHEMA_VERSION;
  source_topic: string;
  partition: number;
  offset: string;
  /**
   * The original key as text: null when there was none, or when it is not UTF-8 text without
   * NUL of at most 1 KiB (a Confluent Avro or Protobuf key starts with a 0x00 byte, which no
   * PostgreSQL text column stores); `key_base64` then holds its bytes.
   */
  key: string | null;
  /** The original key bytes, base64, when `key` cannot hold them; otherwise null. */
  key_base64: string | null;
  /** The original bytes, base64. */
  value: string | null;
  /** True when `value` or `key_base64` hold only the first bytes of the original. */
  truncated: boolean;
  reason: DeadLetterReason;
  /** Field path and message. */
  error: string;
  service: string;
  at: string;
}
