import { Decimal } from 'decimal.js';
import { calcPrice, findProvider } from '@pydantic/genai-prices';
import type { MatchLogic, ModelInfo, Provider, Usage } from '@pydantic/genai-prices';
import type { UsageData } from '../events/usage-event';
import { defaultCatalog } from './default-catalog';
import { GENAI_PRICES_PROVIDERS } from './genai-prices.catalog';
import { rateUsage } from './rate-usage';
import { ratedEvent } from './rating.fixtures';

/**
 * Every model of every imported provider, rated by Tally and by the data set's own calcPrice
 * (floats) on a fixed set of usage shapes: the costs agree within 1e-9 relative. When the
 * @pydantic/genai-prices package is upgraded, this spec names every pair that changed.
 */

type Shape = { readonly name: string; readonly data: Partial<UsageData> };

const SHAPES: readonly Shape[] = [
  { name: 'plain', data: { input_tokens: 100_000, output_tokens: 50_000 } },
  { name: 'long-context', data: { input_tokens: 300_000, output_tokens: 20_000 } },
  {
    name: 'cache read',
    data: { input_tokens: 100_000, cached_input_tokens: 60_000, output_tokens: 10_000 },
  },
  {
    name: 'cache write',
    data: {
      input_tokens: 100_000,
      cached_input_tokens: 20_000,
      cache_write_tokens: 30_000,
      output_tokens: 10_000,
    },
  },
  {
    name: 'audio',
    data: {
      input_tokens: 100_000,
      input_audio_tokens: 60_000,
      output_tokens: 50_000,
      output_audio_tokens: 20_000,
    },
  },
  // 10,000 of the cache writes are audio tokens: they are charged once.
  {
    name: 'audio cache write',
    data: {
      input_tokens: 100_000,
      cache_write_tokens: 30_000,
      input_audio_tokens: 80_000,
      output_tokens: 10_000,
    },
  },
  // A call that used nothing but itself: only a per-request fee is due.
  { name: 'per-request', data: {} },
  { name: 'speech', data: { service: 'stt', audio_seconds: '754.5' } },
  { name: 'short speech', data: { service: 'stt', audio_seconds: '5' } },
];

/** Shapes rated again at the instants around each price change of a versioned model. */
const VERSIONED_SHAPES = new Set(['plain', 'cache read']);

const NOW = new Date('2026-11-22T12:00:00.000Z');
const DAY_MS = 86_400_000;

/**
 * Pairs whose difference is understood, by `provider/model shape @instant`. Empty: every
 * imported model agrees on every shape.
 */
const ACCEPTED_DIFFERENCES: Readonly<Record<string, string>> = {};

/** Tally's cost is a sum of parts rounded to 12 decimals; the rounding is not a difference. */
const RELATIVE_TOLERANCE = new Decimal('1e-9');
const PARTS_ROUNDING = new Decimal('5e-13').times(9);

/** The instants at which a model's price variants can be told apart. */
function instantsOf(model: ModelInfo): Date[] {
  if (!Array.isArray(model.prices)) return [NOW];
  const days = new Set<number>([NOW.getTime() - (NOW.getTime() % DAY_MS)]);
  const times = new Set<number>([0, 12 * 3_600_000, DAY_MS - 1000]);
  for (const variant of model.prices) {
    const constraint = variant.constraint;
    if (constraint?.type === 'start_date') {
      const start = Date.parse(`${constraint.start_date}T00:00:00Z`);
      days.add(start - DAY_MS);
      days.add(start);
    } else if (constraint?.type === 'time_of_date') {
      for (const time of [constraint.start_time, constraint.end_time]) {
        const ms = Date.parse(`1970-01-01T${time.slice(0, 8)}Z`);
        times.add(ms);
        times.add((ms - 1000 + DAY_MS) % DAY_MS);
      }
    }
  }
  const instants: Date[] = [];
  for (const day of days) for (const time of times) instants.push(new Date(day + time));
  return instants;
}

function providerOf(providerId: string): Provider {
  const provider = findProvider({ providerId });
  if (!provider) throw new Error(`the data set has no provider ${providerId}`);
  return provider;
}

/** Literal names in a model's match rule: a model whose id does not match is reached by one. */
function literalsOf(logic: MatchLogic): string[] {
  if ('or' in logic) return logic.or.flatMap(literalsOf);
  if ('and' in logic) return logic.and.flatMap(literalsOf);
  if ('regex' in logic) return [];
  return [Object.values(logic)[0] as string];
}

/** A name the data set resolves to this model (its id, else a literal of its match rule). */
function nameOf(providerId: string, model: ModelInfo): string | undefined {
  return [model.id, ...literalsOf(model.match)].find(
    (name) =>
      calcPrice({ input_tokens: 1 }, name, { providerId, timestamp: NOW })?.model.id === model.id,
  );
}

/** The same call as the data set's arithmetic takes it. */
function referenceUsage(data: Partial<UsageData>): Usage {
  const seconds = Number(data.audio_seconds ?? 0);
  return {
    input_tokens: data.input_tokens ?? 0,
    output_tokens: data.output_tokens ?? 0,
    cache_read_tokens: data.cached_input_tokens ?? 0,
    cache_write_tokens: data.cache_write_tokens ?? 0,
    input_audio_tokens: data.input_audio_tokens ?? 0,
    output_audio_tokens: data.output_audio_tokens ?? 0,
    audio_seconds: seconds,
    input_audio_seconds: seconds,
  };
}

interface Pair {
  readonly name: string;
  readonly tally: string;
  readonly reference: string;
  readonly agrees: boolean;
}

/** A model named as an event would name it, under a provider: its own or one borrowing it. */
interface Case {
  readonly providerId: string;
  readonly model: ModelInfo;
  readonly name: string;
}

/**
 * Every model of every imported provider, and every model a provider borrows the prices of
 * (azure those of openai, anthropic, deepseek, x-ai and moonshotai; google those of anthropic).
 */
function casesOf(): { cases: Case[]; unreached: string[] } {
  const cases: Case[] = [];
  const unreached: string[] = [];
  const imported = new Set<string>(GENAI_PRICES_PROVIDERS);
  for (const providerId of GENAI_PRICES_PROVIDERS) {
    const provider = providerOf(providerId);
    const lenders = (provider.fallback_model_providers ?? []).filter((id) => imported.has(id));
    for (const source of [providerId, ...lenders]) {
      for (const model of providerOf(source).models) {
        const name = nameOf(source, model);
        if (name === undefined) unreached.push(`${source}/${model.id}`);
        else if (source === providerId || calcPrice({}, name, { providerId, timestamp: NOW }))
          cases.push({ providerId, model, name });
        else unreached.push(`${providerId} borrowing ${source}/${model.id}`);
      }
    }
  }
  return { cases, unreached };
}

function comparePairs(cases: readonly Case[]): { pairs: Pair[]; roundingOnly: number } {
  const catalog = defaultCatalog();
  const pairs: Pair[] = [];
  let roundingOnly = 0;
  for (const { providerId, model, name: modelName } of cases) {
    for (const at of instantsOf(model)) {
      for (const shape of SHAPES) {
        if (at !== NOW && !VERSIONED_SHAPES.has(shape.name)) continue;
        const name = `${providerId}/${modelName} ${shape.name} @${at.toISOString()}`;
        const reference = calcPrice(referenceUsage(shape.data), modelName, {
          providerId,
          timestamp: at,
        });
        if (!reference) throw new Error(`calcPrice does not price ${name}`);
        const rated = rateUsage(
          ratedEvent({ provider: providerId, model: modelName, ...shape.data }, at.toISOString()),
          catalog,
        );
        const expected = new Decimal(reference.total_price);
        const difference = new Decimal(rated.cost).minus(expected).abs();
        const relative = difference.lessThanOrEqualTo(expected.times(RELATIVE_TOLERANCE));
        const agrees =
          (relative || difference.lessThanOrEqualTo(PARTS_ROUNDING)) &&
          rated.confidence === 1 &&
          rated.price_version.includes(`/${reference.model.id}@`);
        if (agrees && !relative) roundingOnly += 1;
        pairs.push({
          name,
          tally: `${rated.cost} (${rated.price_version}, confidence ${rated.confidence})`,
          reference: `${reference.total_price} (${reference.provider.id}/${reference.model.id})`,
          agrees,
        });
      }
    }
  }
  return { pairs, roundingOnly };
}

describe('rating agrees with the data set’s own calcPrice on every imported model', () => {
  const { cases, unreached } = casesOf();
  const { pairs, roundingOnly } = comparePairs(cases);
  const differing = pairs.filter((pair) => !pair.agrees);

  it('prices every pair as calcPrice does, within 1e-9 relative, except the accepted differences', () => {
    process.stdout.write(
      `genai-prices parity: ${pairs.length} pairs compared, ${pairs.length - differing.length} equal` +
        ` (${roundingOnly} only within the 12-decimal rounding of the parts),` +
        ` ${differing.length} differing (${Object.keys(ACCEPTED_DIFFERENCES).length} accepted);` +
        ` ${cases.length} models (${unreached.length} no name reaches)\n`,
    );
    expect(pairs.length).toBeGreaterThan(9_000);
    const unexplained = differing
      .filter((pair) => !(pair.name in ACCEPTED_DIFFERENCES))
      .map((pair) => `${pair.name}: Tally ${pair.tally} vs calcPrice ${pair.reference}`);
    expect(unexplained).toEqual([]);
  });

  it('lists only differences that still exist', () => {
    const names = new Set(differing.map((pair) => pair.name));
    expect(Object.keys(ACCEPTED_DIFFERENCES).filter((name) => !names.has(name))).toEqual([]);
  });

  it('reaches every model by its id or a name its match rule names, also where it is borrowed', () => {
    expect(unreached).toEqual([]);
  });
});
