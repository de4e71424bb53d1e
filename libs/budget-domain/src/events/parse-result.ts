import type { z } from 'zod';

/** Why a record went to the dead-letter topic (DESIGN 3.1b). */
export const DEAD_LETTER_REASONS = [
  'invalid_json',
  'schema_violation',
  'negative_quantity',
  'quantity_too_large',
  'unknown_service',
  'time_in_future',
  'time_too_old',
] as const;
export type DeadLetterReason = (typeof DEAD_LETTER_REASONS)[number];

export type ParseResult<T> =
  { ok: true; value: T } | { ok: false; reason: DeadLetterReason; error: string };

export function rejected(
  reason: DeadLetterReason,
  error: string,
): { ok: false; reason: DeadLetterReason; error: string } {
  return { ok: false, reason, error };
}

/** Bytes or text to a JSON value, or invalid_json. */
export function parseJson(raw: Buffer | string | null | undefined): ParseResult<unknown> {
  if (raw === null || raw === undefined) return rejected('invalid_json', 'empty record');
  const text = typeof raw === 'string' ? raw : raw.toString('utf8');
  if (text.trim() === '') return rejected('invalid_json', 'empty record');
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    return rejected('invalid_json', error instanceof Error ? error.message : 'not JSON');
  }
}

/** "data.input_tokens: Invalid input: expected number, received string" */
export function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid';
  const path = issue.path.map(String).join('.');
  return path ? `${path}: ${issue.message}` : issue.message;
}

/**
 * Parses JSON with a schema: invalid_json or schema_violation (with the field path). `read`, a
 * hand-written check of the schema's common case, answers first on a hot path: what it returns
 * must be what the schema would, and anything it leaves (undefined) the schema decides.
 */
export function parseWith<T>(
  schema: z.ZodType<T>,
  raw: Buffer | string | null | undefined,
  read?: (value: unknown) => T | undefined,
): ParseResult<T> {
  const json = parseJson(raw);
  if (!json.ok) return json;
  const fast = read?.(json.value);
  if (fast !== undefined) return { ok: true, value: fast };
  const result = schema.safeParse(json.value);
  return result.success
    ? { ok: true, value: result.data }
    : rejected('schema_violation', describeIssue(result.error));
}
