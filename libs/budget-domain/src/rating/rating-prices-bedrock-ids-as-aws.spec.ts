import { defaultCatalog } from './default-catalog';
import { deriveProvider } from './provider';
import { rateUsage } from './rate-usage';
import { ratedEvent } from './rating.fixtures';

const catalog = defaultCatalog();
const call = (data: { model: string; provider?: string }) =>
  rateUsage(ratedEvent({ ...data, input_tokens: 1000, output_tokens: 500 }), catalog);

describe('rating prices Amazon Bedrock model ids as aws', () => {
  it('anthropic.claude-3-5-sonnet-20240620-v1:0 without a provider: aws, 0.010500 (not "unknown" at 0.002500)', () => {
    expect(call({ model: 'anthropic.claude-3-5-sonnet-20240620-v1:0' })).toMatchObject({
      provider: 'aws',
      cost: '0.010500',
      confidence: 1,
    });
  });

  it('provider "bedrock" (or "amazon", any case) is an alias of aws', () => {
    for (const provider of ['bedrock', 'Bedrock', 'amazon', 'aws']) {
      expect(call({ provider, model: 'anthropic.claude-3-5-sonnet-20240620-v1:0' })).toMatchObject({
        provider: 'aws',
        cost: '0.010500',
        confidence: 1,
      });
    }
  });

  it('derives aws for vendor.model ids, cross-region prefixes and ARNs only', () => {
    expect(deriveProvider('us.anthropic.claude-3-5-sonnet-20240620-v1:0')).toBe('aws');
    expect(deriveProvider('meta.llama3-1-70b-instruct-v1:0')).toBe('aws');
    expect(deriveProvider('mistral.mistral-large-2402-v1:0')).toBe('aws');
    expect(
      deriveProvider(
        'arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-5-sonnet-20240620-v1:0',
      ),
    ).toBe('aws');
    expect(deriveProvider('mistral-large-latest')).toBe('mistral');
    expect(deriveProvider('gpt-4.1')).toBe('openai');
  });

  it('a cross-region inference profile costs the model’s price', () => {
    expect(call({ model: 'us.anthropic.claude-3-5-sonnet-20240620-v1:0' }).cost).toBe('0.010500');
  });

  it('an alias the data does not know stays as sent and gets the fallback', () => {
    expect(call({ provider: 'Acme-Cloud', model: 'gpt-4o' })).toMatchObject({
      provider: 'acme-cloud',
      confidence: 0.5,
    });
  });
});
