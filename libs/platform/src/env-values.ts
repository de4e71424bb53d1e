/**
 * Readers of one environment variable each, shared by every service's configuration: a value a
 * service cannot use as meant throws an error naming the variable (ADR 0146), and an unset or
 * empty variable takes its default.
 */

/** Options of `wholeNumber`: the smallest and largest value that mean something. */
export interface WholeNumberRange {
  readonly min: number;
  readonly max?: number;
  /** What the number counts, for the error (`ms`, `days`). */
  readonly unit?: string;
}

/**
 * A whole number written in decimal digits, from `min` to `max` (by default the largest integer
 * a number holds exactly). Number() alone takes `0x10`, `1e3`, `Infinity` and rounds
 * `99999999999999999999`.
 */
export function wholeNumber(
  env: NodeJS.ProcessEnv,
  name: string,
  fallback: number,
  range: WholeNumberRange,
): number {
  const text = env[name];
  if (text === undefined || text.trim() === '') return fallback;
  const max = range.max ?? Number.MAX_SAFE_INTEGER;
  const value = Number(text.trim());
  if (!/^\d+$/.test(text.trim()) || value < range.min || value > max) {
    throw new Error(`${name} must be ${describeRange(range)}, got "${text}"`);
  }
  return value;
}

/** A century: more days than any retention means (and than a date near now can step back). */
export const MAX_RETENTION_DAYS = 36_500;

/** Days rows are kept before a round deletes them: 1 to a century. */
export function retentionDays(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  return wholeNumber(env, name, fallback, { min: 1, max: MAX_RETENTION_DAYS, unit: 'days' });
}

function describeRange({ min, max, unit }: WholeNumberRange): string {
  const bounds =
    min === 1
      ? `a positive integer${max === undefined ? '' : ` up to ${max}`}`
      : max === undefined
        ? `an integer >= ${min}`
        : `an integer from ${min} to ${max}`;
  return unit ? `${bounds} (${unit})` : bounds;
}

const ON = ['1', 'true', 'yes', 'on'];
const OFF = ['0', 'false', 'no', 'off'];

/**
 * A switch: 1/true/yes/on or 0/false/no/off, any case. Another word is refused, not read as
 * off: `ALERTING_BLOCK_PRIVATE_URLS=enabled` must not leave the protection off in silence.
 */
export function switchFromEnv(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const value = (env[name] ?? '').trim().toLowerCase();
  if (value === '') return fallback;
  if (ON.includes(value)) return true;
  if (OFF.includes(value)) return false;
  throw new Error(`${name} must be one of ${[...ON, ...OFF].join(', ')}, got "${env[name]}"`);
}

/**
 * An absolute URL of one of `schemes` (without the colon), else an error naming the variable;
 * `localhost:3000/x` parses as a URL of scheme `localhost:`. The URL may hold a password, so
 * the error shows at most its scheme.
 */
export function urlFromEnv(name: string, text: string, schemes: readonly string[]): URL {
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {
    url = undefined;
  }
  if (!url || !schemes.includes(url.protocol.slice(0, -1)) || url.hostname === '') {
    const like = schemes.map((scheme) => `${scheme}://`).join(' or ');
    const got = /^([a-z][a-z0-9+.-]*):\/\//i.exec(text)?.[1];
    throw new Error(
      `${name} must be a ${like} URL with a host, got ${got ? `a ${got}: URL` : 'text that is not one'}`,
    );
  }
  return url;
}
