import type { DeadLetterReason } from './parse-result';

/** A record a service could not use (DESIGN 3.1b): the original bytes and why. */
export interface DeadLetterRecord {
  source_topic: string;
  partition: number;
  offset: string;
  key: string | null;
  /** The original bytes, base64. */
  value: string | null;
  reason: DeadLetterReason;
  /** Field path and message. */
  error: string;
  service: string;
  at: string;
}
