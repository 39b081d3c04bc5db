import type { Config } from '../config/env.js';
import { OfflineLlm } from './offline.js';
import type { LlmClient } from './types.js';

/** The narrator for a session: Grok (or any OpenAI-compatible endpoint), or the offline demo. */
export async function createLlm(config: Config, options: { offline: boolean; offlineWordDelayMs?: number }): Promise<LlmClient> {
  if (options.offline || !config.llm.apiKey) return new OfflineLlm(options.offlineWordDelayMs);
  const { OpenAiLlm } = await import('./openai-client.js');
  return new OpenAiLlm({ apiKey: config.llm.apiKey, baseUrl: config.llm.baseUrl, model: config.llm.narratorModel, timeoutS: config.llm.timeoutS, maxRetries: config.llm.maxRetries });
}
