import type { ChatMessage } from '../llm/types.js';
import type { MessageRecord, ScenarioRecord, StoryState, TimelineEvent } from '../store/types.js';
import { estimateTokens, keepLastTokens, truncateToTokens } from '../llm/tokens.js';

/** Token budgets: the prompt's size is bounded whatever the story's length. */
export interface PromptBudget {
  rules: number;
  scenario: number;
  state: number;
  synopsis: number;
  timeline: number;
  characters: number;
  /** The last messages of the branch, newest kept first. */
  history: number;
  action: number;
  /** At most this many last messages (six exchanges): older turns live on in the synopsis. */
  historyMessages: number;
  /** At most this many recent timeline events. */
  timelineEvents: number;
}

/**
 * About 8,000 tokens at most. The counts cap the parts that would otherwise keep growing for
 * dozens of turns, so the prompt's size is flat once a story is a few turns old.
 */
export const DEFAULT_BUDGET: PromptBudget = {
  rules: 1200,
  scenario: 1600,
  state: 500,
  synopsis: 700,
  timeline: 400,
  characters: 600,
  history: 3000,
  action: 500,
  historyMessages: 12,
  timelineEvents: 8,
};

export interface PromptSection {
  name: string;
  text: string;
  tokens: number;
}

export interface AssembledPrompt {
  messages: ChatMessage[];
  sections: PromptSection[];
  totalTokens: number;
}

export interface PromptInput {
  rules: string;
  scenario: ScenarioRecord;
  state: StoryState;
  /** Recent timeline events of the branch, oldest first. */
  timeline: TimelineEvent[];
  /** The last messages of the branch, oldest first. */
  history: MessageRecord[];
  /** What the player does now, or the instruction for an opening or a continuation. */
  action: string;
}

function scenarioText(s: ScenarioRecord): string {
  return [
    `Title: ${s.name}`,
    `Description: ${s.description}`,
    `Setting: ${s.setting}`,
    `The player character: ${s.player_name}, ${s.role}`,
    `The story begins at: ${s.initial_location}`,
    `How to run this story: ${s.dungeon_master_behaviour}`,
  ].join('\n');
}

function stateText(state: StoryState): string {
  return [
    state.location && `Location: ${state.location}`,
    state.world_state && `World: ${state.world_state}`,
    state.last_scene && `Last scene: ${state.last_scene}`,
  ]
    .filter(Boolean)
    .join('\n');
}

function timelineText(events: TimelineEvent[], budget: number, maxEvents: number): string {
  const lines: string[] = [];
  let used = 0;
  for (const event of events.slice(-maxEvents).reverse()) {
    const line = `- ${event.title}: ${event.description}${event.characters.length ? ` (${event.characters.join(', ')})` : ''}`;
    used += estimateTokens(line) + 1;
    if (used > budget) break;
    lines.unshift(line);
  }
  return lines.join('\n');
}

function charactersText(characters: Record<string, string>, budget: number): string {
  return truncateToTokens(
    Object.entries(characters)
      .map(([name, summary]) => `- ${name}: ${summary}`)
      .join('\n'),
    budget,
  );
}

/** The newest messages that fit the budget, oldest first. */
function historyWithin(history: MessageRecord[], budget: number, maxMessages: number): ChatMessage[] {
  const kept: ChatMessage[] = [];
  let used = 0;
  for (let i = history.length - 1; i >= Math.max(0, history.length - maxMessages); i--) {
    const message = history[i] as MessageRecord;
    const tokens = estimateTokens(message.content) + 4;
    if (used + tokens > budget) break;
    used += tokens;
    kept.unshift({ role: message.sender === 'player' ? 'user' : 'assistant', content: message.content });
  }
  return kept;
}

/**
 * The narrator's prompt: general rules, the scenario, the current state, the story so far,
 * recent events and characters in the system message; then the last messages of the branch;
 * then the action. Every part has a budget, so the cost of a turn does not grow with the story.
 */
export function assemblePrompt(input: PromptInput, budget: PromptBudget = DEFAULT_BUDGET): AssembledPrompt {
  const parts: Array<[string, string]> = [
    ['Rules', truncateToTokens(input.rules, budget.rules)],
    ['Scenario', truncateToTokens(scenarioText(input.scenario), budget.scenario)],
    ['Current state', truncateToTokens(stateText(input.state), budget.state)],
    ['Story so far', keepLastTokens(input.state.synopsis, budget.synopsis)],
    ['Recent events', timelineText(input.timeline, budget.timeline, budget.timelineEvents)],
    ['Characters', charactersText(input.state.characters, budget.characters)],
  ];
  const system = parts
    .filter(([, text]) => text.trim())
    .map(([name, text]) => `## ${name}\n${text}`)
    .join('\n\n');
  const history = historyWithin(input.history, budget.history, budget.historyMessages);
  const action = truncateToTokens(input.action, budget.action);
  const messages: ChatMessage[] = [{ role: 'system', content: system }, ...history, { role: 'user', content: action }];
  const sections: PromptSection[] = [
    ...parts.map(([name, text]) => ({ name, text, tokens: text.trim() ? estimateTokens(`## ${name}\n${text}`) : 0 })),
    {
      name: `Last messages (${history.length})`,
      text: history.map((m) => `${m.role}: ${m.content}`).join('\n\n'),
      tokens: history.reduce((n, m) => n + estimateTokens(m.content) + 4, 0),
    },
    { name: 'Action', text: action, tokens: estimateTokens(action) },
  ];
  return { messages, sections, totalTokens: sections.reduce((n, s) => n + s.tokens, 0) };
}
