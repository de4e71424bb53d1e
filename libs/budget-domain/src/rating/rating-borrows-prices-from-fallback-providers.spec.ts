import { defaultCatalog } from './default-catalog';
import { rateUsage } from './rate-usage';
import { ratedEvent } from './rating.fixtures';

const catalog = defaultCatalog();

describe('rating borrows the prices of the providers the data names as fallbacks', () => {
  it('azure gpt-4o costs openai’s gpt-4o price at full confidence: 0.007500, not the 0.002500 fallback', () => {
    const rated = rateUsage(
      ratedEvent({ provider: 'azure', model: 'gpt-4o', input_tokens: 1000, output_tokens: 500 }),
      catalog,
    );
    expect(rated).toMatchObject({
      provider: 'azure',
      cost: '0.007500',
      confidence: 1,
      price_version: 'genai-prices@0.1.8+local.5:openai/gpt-4o@1970-01-01',
    });
  });

  it('azure borrows in the data’s order (openai, anthropic, deepseek, x-ai, moonshotai)', () => {
    const versionOf = (model: string) =>
      rateUsage(ratedEvent({ provider: 'azure', model, input_tokens: 1000 }), catalog)
        .price_version;
    expect(versionOf('claude-3-5-sonnet-20241022')).toContain(':anthropic/claude-3-5-sonnet@');
    expect(versionOf('deepseek-chat')).toContain(':deepseek/deepseek-chat@');
    expect(versionOf('grok-3')).toContain(':x-ai/');
    expect(versionOf('kimi-k2-0905-preview')).toContain(':moonshotai/');
  });

  it('a model of azure’s own is priced by azure, not by the provider it borrows from', () => {
    const rated = rateUsage(
      ratedEvent({ provider: 'azure', model: 'o1', input_tokens: 1000 }),
      catalog,
    );
    expect(rated.price_version).toContain(':azure/o1@');
  });

  it('google borrows anthropic’s prices for Claude on Vertex', () => {
    const rated = rateUsage(
      ratedEvent({
        provider: 'google',
        model: 'claude-3-5-sonnet-20241022',
        input_tokens: 1000,
        output_tokens: 500,
      }),
      catalog,
    );
    expect(rated).toMatchObject({ provider: 'google', cost: '0.010500', confidence: 1 });
  });

  it('a provider without fallbacks does not borrow', () => {
    const rated = rateUsage(
      ratedEvent({ provider: 'groq', model: 'gpt-4o', input_tokens: 1000, output_tokens: 500 }),
      catalog,
    );
    expect(rated).toMatchObject({ cost: '0.002500', confidence: 0.5 });
  });
});
