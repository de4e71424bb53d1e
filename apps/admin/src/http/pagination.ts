import { z } from 'zod';
import { ValidationException, ValidationExceptionCode } from './validation.exception';

/**
 * A whole number in the query, written in decimal digits, from `min` to `max`. Number() would
 * also read "0x10" as 16, "1e1" as 10 and " +5" as 5: bad query values are 422 (DESIGN 5).
 */
export function wholeNumberQuery(name: string, min: number, max: number, fallback: number) {
  return z
    .string()
    .regex(/^\d{1,15}$/, `${name} must be a whole number in decimal digits`)
    .transform(Number)
    .pipe(
      z
        .number()
        .min(min, `${name} must be at least ${min}`)
        .max(max, `${name} must be at most ${max}`),
    )
    .default(fallback)
    .describe(`${min} to ${max}, default ${fallback}`);
}

/**
 * `limit` of a list: 1 to `max`, default 50; anything else is refused, never clamped. A list
 * another service answers takes what that service takes.
 */
export const limitQueryUpTo = (max: number) => wholeNumberQuery('limit', 1, max, 50);

/** `limit` of admin's own lists: 1–500. */
export const limitQuery = limitQueryUpTo(500);

/**
 * The query of a list answered whole in one page (`next_cursor` always null): it takes no
 * fields, so any sent is refused (ADR 0036) rather than read as a filter it does not apply.
 */
export const wholeListQuery = z.object({}).strict();
export type WholeListQuery = z.infer<typeof wholeListQuery>;

/** An opaque cursor: base64url of the JSON position after the last item of the previous page. */
export const cursorQuery = z.string().min(1).max(512).optional();

export function encodeCursor(position: unknown): string {
  return Buffer.from(JSON.stringify(position), 'utf8').toString('base64url');
}

/**
 * The position after which a page starts: none without a cursor; a cursor this API did not
 * make is refused (422), never read as the first page.
 */
export function positionAfter<T>(cursor: string | undefined, shape: z.ZodType<T>): T | undefined {
  if (cursor === undefined) return undefined;
  const position = decodeCursor(cursor, shape);
  if (position === undefined) {
    throw new ValidationException(
      ValidationExceptionCode.VALIDATION_FAILED,
      'cursor: not a cursor of this list',
    );
  }
  return position;
}

/** The position a cursor names, or undefined when it is not one this API made. */
export function decodeCursor<T>(cursor: string, shape: z.ZodType<T>): T | undefined {
  try {
    const parsed = shape.safeParse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
    // PostgreSQL text cannot hold NUL: no cursor of ours has one, and the query would fail (500).
    if (!parsed.success || JSON.stringify(parsed.data).includes('\\u0000')) return undefined;
    return parsed.data;
  } catch {
    return undefined;
  }
}

/** A list answer (DESIGN 5): a page of items and the cursor of the next, or null at the end. */
export interface Page<T> {
  readonly items: T[];
  readonly next_cursor: string | null;
}

/** Cuts the extra row a store read past the page: its presence says there is a next page. */
export function pageOf<R, T>(
  rows: R[],
  limit: number,
  present: (row: R) => T,
  positionOf: (row: R) => unknown,
): Page<T> {
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    items: page.map(present),
    next_cursor: rows.length > limit && last !== undefined ? encodeCursor(positionOf(last)) : null,
  };
}
