import type { Config } from '../../config/env.js';
import { GameEngine } from '../../game/engine.js';
import type { LlmClient } from '../../llm/types.js';
import type { Store } from '../../store/types.js';

/** The game engine with the configuration's narrator defaults, for the TUI and headless play alike. */
export function createEngine(config: Config, store: Store, llm: LlmClient): GameEngine {
  return new GameEngine({
    store,
    llm,
    narratorModel: config.llm.narratorModel,
    summaryModel: config.llm.summaryModel,
    narrationMaxTokens: config.llm.narrationMaxTokens,
    narratorTemperature: config.llm.narratorTemperature,
    worldInfoWindow: config.llm.worldInfoWindow,
  });
}
