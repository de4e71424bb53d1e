import { deriveProvider } from './provider';

describe('provider derivation from model names', () => {
  it.each([
    ['openrouter/anthropic/claude-3.5-sonnet', 'openrouter'],
    ['ollama/llama3', 'local'],
    ['vllm/qwen2', 'local'],
    ['gpt-4o', 'openai'],
    ['o3-mini', 'openai'],
    ['text-embedding-3-small', 'openai'],
    ['whisper-1', 'openai'],
    ['claude-3-5-haiku', 'anthropic'],
    ['gemini-1.5-pro', 'google'],
    ['mistral-large', 'mistral'],
    ['codestral-latest', 'mistral'],
    ['command-r-plus', 'cohere'],
    ['deepseek-chat', 'deepseek'],
    ['grok-2', 'x-ai'],
    ['together/meta-llama-3', 'together'],
    ['some-model', 'unknown'],
  ])('%s -> %s', (model, provider) => {
    expect(deriveProvider(model)).toBe(provider);
  });
});
