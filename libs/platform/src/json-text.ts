/** How deep a JSON body or command may nest unless a caller says otherwise. */
export const DEFAULT_JSON_MAX_DEPTH = 32;

export type JsonTextProblem = 'too_deep' | 'invalid_json' | 'forbidden_key';

/** JSON text refused by `parseJsonText`; the message completes "the body ..." / "the value ...". */
export class JsonTextError extends Error {
  constructor(
    readonly problem: JsonTextProblem,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The index of the bracket that opens level `maxDepth + 1`, or -1 when the text never nests
 * that deep. One pass, no recursion, and it stops there: a 520,000-level body is refused
 * after reading `maxDepth + 1` characters. Brackets inside strings do not count.
 */
export function nestingBeyond(text: string, maxDepth: number): number {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    if (inString) {
      if (code === 0x5c)
        i += 1; // backslash: skip the escaped character
      else if (code === 0x22) inString = false;
    } else if (code === 0x22) {
      inString = true;
    } else if (code === 0x5b || code === 0x7b) {
      depth += 1;
      if (depth > maxDepth) return i;
    } else if (code === 0x5d || code === 0x7d) {
      depth -= 1;
    }
  }
  return -1;
}

/**
 * JSON.parse behind a nesting limit, refusing `__proto__` keys and `constructor.prototype`
 * (prototype poisoning, as Fastify's own parser does). The reviver that checks them runs only
 * when the text could hold one, so ordinary bodies parse at JSON.parse speed.
 */
export function parseJsonText(text: string, maxDepth = DEFAULT_JSON_MAX_DEPTH): unknown {
  const tooDeepAt = nestingBeyond(text, maxDepth);
  if (tooDeepAt >= 0) {
    throw new JsonTextError(
      'too_deep',
      `nests deeper than ${maxDepth} levels (at character ${tooDeepAt})`,
    );
  }
  const mayPoison =
    text.includes('__proto__') || text.includes('constructor') || text.includes('\\u');
  try {
    return mayPoison ? JSON.parse(text, refusePrototypeKeys) : JSON.parse(text);
  } catch (error) {
    if (error instanceof JsonTextError) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    throw new JsonTextError('invalid_json', `is not valid JSON: ${reason.slice(0, 120)}`);
  }
}

function refusePrototypeKeys(key: string, value: unknown): unknown {
  if (key === '__proto__') {
    throw new JsonTextError('forbidden_key', 'holds a "__proto__" key');
  }
  if (
    key === 'constructor' &&
    typeof value === 'object' &&
    value !== null &&
    'prototype' in value
  ) {
    throw new JsonTextError('forbidden_key', 'holds a "constructor.prototype" key');
  }
  return value;
}
