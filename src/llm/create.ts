import type { Config } from '../config/env.js';
import { DeferredLlm } from './deferred.js';
import { OfflineLlm } from './offline.js';
import type { LlmClient } from './types.js';

/** The narrator for a session: Grok (or any OpenAI-compatible endpoint), or the offline demo. */
export function createLlm(config: Config, options: { offline: boolean; offlineWordDelayMs?: number }): LlmClient {
  if (options.offline || !config.llm.apiKey) return new OfflineLlm(options.offlineWordDelayMs);
  const { apiKey, baseUrl, narratorModel, timeoutS, maxRetries } = config.llm;
  return new DeferredLlm(narratorModel, async () => {
    const { OpenAiLlm } = await import('./openai-client.js');
    return new OpenAiLlm({ apiKey, baseUrl, model: narratorModel, timeoutS, maxRetries });
  });
}
