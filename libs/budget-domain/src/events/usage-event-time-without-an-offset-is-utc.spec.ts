import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

/**
 * Parses one event in a fresh Node process whose clock is in `timeZone`: a test's own process
 * keeps the zone it started with.
 */
function parsedIn(timeZone: string, time: string): unknown {
  const script = `
    const { parseUsageEvent } = require(${JSON.stringify(join(__dirname, 'usage-event.ts'))});
    const { usageEventText } = require(${JSON.stringify(join(__dirname, 'usage-event.fixtures.ts'))});
    const raw = usageEventText(
      { service: 'llm', model: 'gpt-4o-mini', input_tokens: 1, output_tokens: 1 },
      { time: ${JSON.stringify(time)} },
    );
    const result = parseUsageEvent(raw, { now: new Date('2026-11-22T10:00:00Z') });
    process.stdout.write(JSON.stringify(result.ok ? result.value.time : result.reason));
  `;
  const output = execFileSync(process.execPath, ['-r', '@swc-node/register', '-e', script], {
    env: { ...process.env, TZ: timeZone },
    encoding: 'utf8',
  });
  return JSON.parse(output);
}

describe('a usage event time without an offset is UTC, whatever zone the host is in', () => {
  it.each(['UTC', 'America/New_York', 'Europe/Zurich', 'Asia/Tokyo'])(
    'in %s, 2026-11-22T09:30:00 is 09:30Z',
    (timeZone) => {
      // PostgreSQL's UTC sessions read the same text as 09:30Z; New York read it as 14:30Z
      // (time_in_future) and Zurich as 08:30Z.
      expect(parsedIn(timeZone, '2026-11-22T09:30:00')).toBe('2026-11-22T09:30:00.000Z');
      expect(parsedIn(timeZone, '2026-11-22 09:30')).toBe('2026-11-22T09:30:00.000Z');
    },
  );

  it.each(['America/New_York', 'Asia/Tokyo'])('in %s, an offset still counts', (timeZone) => {
    expect(parsedIn(timeZone, '2026-11-22T10:30:00+01:00')).toBe('2026-11-22T09:30:00.000Z');
  });
});
