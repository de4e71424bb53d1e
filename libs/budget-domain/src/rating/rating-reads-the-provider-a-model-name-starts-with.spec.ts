import { defaultCatalog } from './default-catalog';
import { rateUsage } from './rate-usage';
import { ratedEvent } from './rating.fixtures';

const catalog = defaultCatalog();
const call = (data: Partial<Parameters<typeof ratedEvent>[0]>) =>
  rateUsage(ratedEvent({ input_tokens: 1000, output_tokens: 500, ...data }), catalog);

describe('rating reads the provider a model name starts with, as gateways write it', () => {
  it('azure/o1 without a provider: azure, 0.045000 (not openai’s fallback at 0.002500)', () => {
    // o1 on Azure: 15/M in, 60/M out.
    expect(call({ model: 'azure/o1' })).toMatchObject({
      provider: 'azure',
      cost: '0.045000',
      confidence: 1,
    });
  });

  it('azure/gpt-4o borrows openai’s gpt-4o price, as with provider "azure"', () => {
    expect(call({ model: 'azure/gpt-4o' })).toMatchObject({
      provider: 'azure',
      cost: '0.007500',
      confidence: 1,
    });
    expect(call({ model: 'azure/gpt-4o' }).cost).toBe(
      call({ provider: 'azure', model: 'gpt-4o' }).cost,
    );
  });

  it('bedrock/… and groq/… name their providers too', () => {
    expect(call({ model: 'bedrock/mistral.mistral-large-2402-v1:0' })).toMatchObject({
      provider: 'aws',
      cost: '0.010000',
      confidence: 1,
    });
    expect(
      call({
        service: 'stt',
        model: 'groq/whisper-large-v3',
        input_tokens: 0,
        output_tokens: 0,
        audio_seconds: '60',
      }),
    ).toMatchObject({ provider: 'groq', confidence: 1 });
  });

  it('a prefix that is no provider of the catalog leaves the model’s family to decide', () => {
    expect(call({ model: 'ollama/llama3' })).toMatchObject({ provider: 'local', cost: '0.000000' });
    expect(call({ model: 'openrouter/anthropic/claude-3.5-sonnet' })).toMatchObject({
      provider: 'openrouter',
      confidence: 1,
    });
  });
});
