import { defaultCatalog } from './default-catalog';
import { rateUsage } from './rate-usage';
import { ratedEvent } from './rating.fixtures';

const catalog = defaultCatalog();
const speech = (provider: string, model: string, seconds: string) =>
  rateUsage(ratedEvent({ service: 'stt', provider, model, audio_seconds: seconds }), catalog);

describe('rating bills a minimum audio duration where the price data has one', () => {
  it('groq whisper-large-v3, 5 s: billed as 10 s, 0.000308333333, not 0.000154166667', () => {
    const rated = speech('groq', 'whisper-large-v3', '5');
    expect(rated.cost).toBe('0.000308333333');
    expect(rated.breakdown.audio).toBe('0.000308333333');
    expect(rated.quantities.audio_seconds).toBe('5');
  });

  it('applies to the turbo model, not to longer audio, silence or other providers', () => {
    expect(speech('groq', 'whisper-large-v3-turbo', '0.5').cost).toBe('0.000111111111');
    expect(speech('groq', 'whisper-large-v3', '36').cost).toBe('0.001110');
    expect(speech('groq', 'whisper-large-v3', '0').cost).toBe('0.000000');
    expect(speech('openai', 'whisper-1', '5').cost).toBe('0.000500');
  });
});
