/**
 * Amazon Bedrock model ids: `<vendor>.<model>`, optionally behind a cross-region inference
 * prefix ("us.", "global.", …), e.g. "anthropic.claude-3-5-sonnet-20240620-v1:0".
 */
const BEDROCK_MODEL_ID =
  /^(?:(?:us|us-gov|eu|apac|au|ca|jp|in|global)\.)?(?:ai21|amazon|anthropic|cohere|deepseek|google|meta|minimax|mistral|moonshot|moonshotai|nvidia|openai|qwen|stability|twelvelabs|writer)\.[a-z0-9]/;

/**
 * The provider of a model named without one. Router and local prefixes win
 * ("openrouter/anthropic/claude-3.5-sonnet" -> openrouter, "ollama/llama3" -> local), then
 * Bedrock ids (aws), then well-known model families; anything else is "unknown" (rated with
 * the fallback price).
 */
export function deriveProvider(model: string): string {
  const name = model.trim().toLowerCase();
  if (name.startsWith('arn:aws:bedrock:')) return 'aws';
  const prefix = name.includes('/') ? name.slice(0, name.indexOf('/')) : '';
  if (prefix === 'openrouter') return 'openrouter';
  if (prefix === 'ollama' || prefix === 'local' || prefix === 'vllm' || prefix === 'lmstudio')
    return 'local';
  const bare = prefix ? name.slice(prefix.length + 1) : name;
  if (!prefix && BEDROCK_MODEL_ID.test(name)) return 'aws';
  if (/^(gpt-|o\d|chatgpt-|text-embedding-|whisper|tts-|dall-e|davinci|babbage)/.test(bare))
    return 'openai';
  if (bare.startsWith('claude')) return 'anthropic';
  if (bare.startsWith('gemini') || bare.startsWith('gemma') || bare.startsWith('imagen'))
    return 'google';
  if (/^(mistral|mixtral|codestral|pixtral|ministral|magistral|devstral)/.test(bare))
    return 'mistral';
  if (bare.startsWith('command') || bare.startsWith('embed-')) return 'cohere';
  if (bare.startsWith('deepseek')) return 'deepseek';
  if (bare.startsWith('grok')) return 'x-ai';
  return prefix || 'unknown';
}
