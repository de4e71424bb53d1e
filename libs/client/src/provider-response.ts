import { extractUsage, findProvider } from '@pydantic/genai-prices';
import type { UsageInput, UsageServiceKind } from './usage-event.factory';

export class UnrecognisedResponseError extends Error {
  readonly code = 'UNRECOGNISED_RESPONSE';
}

export type ResponseContext = Omit<
  UsageInput,
  | 'model'
  | 'provider'
  | 'service'
  | 'inputTokens'
  | 'outputTokens'
  | 'cachedInputTokens'
  | 'cacheWriteTokens'
  | 'inputAudioTokens'
  | 'outputAudioTokens'
> & {
  readonly model?: string;
  readonly service?: UsageServiceKind;
  /** The provider API's flavour when it has several (OpenAI: chat, responses, embeddings, …). */
  readonly apiFlavor?: string;
};

/**
 * Reads token usage out of a provider's raw response body (OpenAI, Anthropic, Google, …)
 * with @pydantic/genai-prices' extractors. Their `input_tokens` is the whole prompt, cache
 * reads and writes included, which is what Tally's usage event expects; their audio tokens
 * are parts of input and output tokens, as Tally's are.
 */
export function usageFromProviderResponse(
  provider: string,
  responseBody: unknown,
  context: ResponseContext,
): UsageInput {
  const known = findProvider({ providerId: provider });
  if (!known) throw new UnrecognisedResponseError(`no usage extractor for provider "${provider}"`);
  const flavor = context.apiFlavor ?? known.extractors?.[0]?.api_flavor;
  let extracted: ReturnType<typeof extractUsage>;
  try {
    extracted = extractUsage(known, responseBody, flavor);
  } catch (error) {
    throw new UnrecognisedResponseError(
      `no usage in the ${provider} response: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  const model = context.model ?? extracted.model;
  if (!model)
    throw new UnrecognisedResponseError(`the ${provider} response names no model; pass one`);
  const { apiFlavor: _flavor, ...rest } = context;
  const usage = extracted.usage as Record<string, number | undefined>;
  return {
    ...rest,
    service: context.service ?? (flavor === 'embeddings' ? 'embedding' : 'llm'),
    provider: known.id,
    model,
    inputTokens: usage['input_tokens'] ?? 0,
    outputTokens: usage['output_tokens'] ?? 0,
    cachedInputTokens: usage['cache_read_tokens'] ?? 0,
    cacheWriteTokens: usage['cache_write_tokens'] ?? 0,
    inputAudioTokens: usage['input_audio_tokens'] ?? 0,
    outputAudioTokens: usage['output_audio_tokens'] ?? 0,
  };
}
