import { defaultCatalog } from './default-catalog';
import { rateUsage } from './rate-usage';
import { ratedEvent } from './rating.fixtures';

const catalog = defaultCatalog();
// deepseek-v4-flash: 0.14/0.28 per M at first, 0.22/0.66 from 2026-08-17, 0.44/1.32 from
// 01:00 to 04:00 and 06:00 to 10:00 UTC. The data lists the windows after the start date.
const at = (time: string) =>
  rateUsage(
    ratedEvent(
      { provider: 'deepseek', model: 'deepseek-v4-flash', input_tokens: 1000, output_tokens: 500 },
      time,
    ),
    catalog,
  );

describe('a time-of-day price applies inside its window, over a newer start-date version', () => {
  it('deepseek-v4-flash at 02:00Z after the start date: 0.001100, not 0.000550', () => {
    const rated = at('2026-11-22T02:00:00.000Z');
    expect(rated.cost).toBe('0.001100');
    expect(rated.price_version).toBe(
      'genai-prices@0.1.8+local.5:deepseek/deepseek-v4-flash@1970-01-01[01:00:00Z-04:00:00Z]',
    );
  });

  it('outside the windows the start-date version applies, before it the first prices', () => {
    expect(at('2026-11-22T12:00:00.000Z')).toMatchObject({
      cost: '0.000550',
      price_version: 'genai-prices@0.1.8+local.5:deepseek/deepseek-v4-flash@2026-08-17',
    });
    expect(at('2026-08-16T12:00:00.000Z').cost).toBe('0.000280');
  });

  it('the window is [start, end): both windows, their edges, and before the start date too', () => {
    expect(at('2026-11-22T00:59:59.999Z').cost).toBe('0.000550');
    expect(at('2026-11-22T01:00:00.000Z').cost).toBe('0.001100');
    expect(at('2026-11-22T03:59:59.999Z').cost).toBe('0.001100');
    expect(at('2026-11-22T04:00:00.000Z').cost).toBe('0.000550');
    expect(at('2026-11-22T07:00:00.000Z').cost).toBe('0.001100');
    expect(at('2026-08-16T02:00:00.000Z').cost).toBe('0.001100');
  });
});
