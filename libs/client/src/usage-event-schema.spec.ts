import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  IDENTIFIER_MAX_LENGTH,
  POWER_LEVELS,
  QUANTITY_LIMITS,
  USAGE_SERVICES,
} from '@tally/budget-domain';

interface Property {
  enum?: string[];
  maximum?: number;
  maxLength?: number;
  pattern?: string;
  oneOf?: Property[];
}

describe('the JSON Schema for producers in other languages', () => {
  const schema = JSON.parse(
    readFileSync(path.join(__dirname, '..', 'schema', 'usage-event.schema.json'), 'utf8'),
  ) as {
    required: string[];
    properties: Record<string, Property> & {
      data: { required: string[]; properties: Record<string, Property> };
    };
  };
  const data = schema.properties.data.properties;

  it('requires what Tally requires', () => {
    expect(schema.required).toEqual([
      'specversion',
      'id',
      'source',
      'type',
      'subject',
      'time',
      'data',
    ]);
    expect(schema.properties.data.required).toEqual(['service', 'model']);
  });

  it('lists the services and power levels Tally accepts', () => {
    expect(data['service']!.enum).toEqual([...USAGE_SERVICES]);
    expect(data['power_level']!.enum).toEqual([...POWER_LEVELS]);
  });

  it('has the same quantity limits as the validator (they cannot drift apart)', () => {
    for (const field of [
      'input_tokens',
      'output_tokens',
      'cached_input_tokens',
      'cache_write_tokens',
      'input_audio_tokens',
      'output_audio_tokens',
    ]) {
      expect(data[field]!.maximum).toBe(QUANTITY_LIMITS.tokens);
    }
    expect(data['characters']!.maximum).toBe(QUANTITY_LIMITS.characters);
    expect(data['images']!.maximum).toBe(QUANTITY_LIMITS.images);
    expect(data['audio_seconds']!.oneOf![0]!.maximum).toBe(QUANTITY_LIMITS.audio_seconds);
  });

  it('bounds identifiers as the validator does: length, and no control characters', () => {
    const identifiers = [
      ...['id', 'source', 'type', 'subject'].map((field) => schema.properties[field]!),
      ...['api_key_id', 'model', 'provider', 'reservation_id'].map((field) => data[field]!),
    ];
    for (const property of identifiers) {
      expect(property.maxLength).toBe(IDENTIFIER_MAX_LENGTH);
      expect(new RegExp(property.pattern!).test('acct\u0000x')).toBe(false);
    }
    expect(new RegExp(data['audio_seconds']!.oneOf![1]!.pattern!).test('1e-2000000')).toBe(false);
  });
});
