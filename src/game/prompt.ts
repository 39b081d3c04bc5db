import type { ChatMessage } from '../llm/types.js';
import type { AuthorNote, MessageRecord, ScenarioRecord, StoryState, TimelineEvent, WorldInfoEntry } from '../store/types.js';
import { estimateTokens, keepLastTokens, truncateToTokens } from '../llm/tokens.js';
import { DEFAULT_WORLD_INFO_WINDOW, matchWorldInfo, type WorldInfoMatch } from './world-info.js';

/** Where the author's note goes when the game does not say: this many messages before the action. */
export const DEFAULT_NOTE_DEPTH = 3;

/** Token budgets: the prompt's size is bounded whatever the story's length. */
export interface PromptBudget {
  rules: number;
  scenario: number;
  /** The player's memory (its 4,000 characters fit whole). */
  memory: number;
  state: number;
  synopsis: number;
  timeline: number;
  characters: number;
  /** The world-info entries that fired, highest order first. */
  worldInfo: number;
  /** The last messages of the branch, newest kept first. */
  history: number;
  /** The author's note (its 1,000 characters fit whole). */
  note: number;
  action: number;
  /** At most this many last messages (six exchanges): older turns live on in the synopsis. */
  historyMessages: number;
  /** At most this many recent timeline events. */
  timelineEvents: number;
}

/**
 * About 10,900 tokens at most (budgetTotal). Memory and the note fit whole at their longest
 * (4,000 and 1,000 characters), and so do a few world-info entries of 2,000. The counts cap the parts that would otherwise keep
 * growing for dozens of turns, so the prompt's size is flat once a story is a few turns old.
 */
export const DEFAULT_BUDGET: PromptBudget = {
  rules: 1200,
  scenario: 1600,
  memory: 1100,
  state: 500,
  synopsis: 700,
  timeline: 400,
  characters: 600,
  worldInfo: 1000,
  history: 3000,
  note: 300,
  action: 500,
  historyMessages: 12,
  timelineEvents: 8,
};

/** The whole prompt's budget: the sum of its sections' budgets. */
export function budgetTotal(budget: PromptBudget): number {
  const { historyMessages: _messages, timelineEvents: _events, ...tokens } = budget;
  return Object.values(tokens).reduce((n, t) => n + t, 0);
}

export interface PromptSection {
  name: string;
  text: string;
  /** Estimated (about 4 characters a token). */
  tokens: number;
  /** The most tokens this section may take. */
  budget: number;
}

export interface AssembledPrompt {
  messages: ChatMessage[];
  sections: PromptSection[];
  /** Estimated, the sum of the sections'. */
  totalTokens: number;
  /** The sum of the sections' budgets: totalTokens never goes past it. */
  budgetTokens: number;
  /** Which world-info entries fired and why, which were dropped for the budget and which did not fire. */
  worldInfo: WorldInfoMatch;
  /** Where the author's note is: its index in `messages`, and how many messages of the history follow it; null without a note. */
  note: { index: number; after: number; depth: number } | null;
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
  /** The player's own words that world-info keys are looked for in (default: `action`; '' for an opening or a continuation). */
  keysAction?: string | undefined;
  /** The player's memory for this game. */
  memory?: string | undefined;
  /** The author's note: inserted `depth` messages before the action (DEFAULT_NOTE_DEPTH). */
  note?: AuthorNote | undefined;
  /** World-info entries: the scenario's and the game's own. */
  lore?: { scenario: WorldInfoEntry[]; game: WorldInfoEntry[] } | undefined;
  /** How many last messages world-info keys are looked for in (DEFAULT_WORLD_INFO_WINDOW). */
  loreWindow?: number | undefined;
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
    const role = message.sender === 'player' ? 'user' : 'assistant';
    const tokens = estimateTokens(message.content) + 4;
    if (used + tokens > budget) {
      // The newest message is what the player answers: one longer than the whole budget keeps its end.
      if (kept.length === 0) kept.push({ role, content: keepLastTokens(message.content, Math.max(0, budget - 4)) });
      break;
    }
    used += tokens;
    kept.unshift({ role, content: message.content });
  }
  return kept;
}

/** The note message's own tokens: its frame and the message's overhead. */
const NOTE_OVERHEAD_TOKENS = 10;

/** The author's note as the narrator reads it. */
export function noteMessage(text: string): ChatMessage {
  return { role: 'system', content: `[Author's note: ${text}]` };
}

/**
 * The narrator's prompt, in SPEC §12's order: general rules, the scenario, the player's memory, the
 * story state (current state, the story so far, recent events, characters) and the world-info
 * entries that fired, in the system message; then the last messages of the branch with the
 * author's note `depth` messages before the end (0: just before the action; deeper than the
 * history: at its start); then the action. Every part has a budget, so the cost of a turn does not
 * grow with the story.
 */
export function assemblePrompt(input: PromptInput, budget: PromptBudget = DEFAULT_BUDGET): AssembledPrompt {
  const worldInfo = matchWorldInfo({
    scenario: input.lore?.scenario ?? [],
    game: input.lore?.game ?? [],
    history: input.history.map((m) => m.content),
    action: input.keysAction ?? input.action,
    window: input.loreWindow ?? DEFAULT_WORLD_INFO_WINDOW,
    budget: budget.worldInfo,
  });
  // Each text is cut to its budget less its heading's tokens: a section with its heading fits its budget.
  const room = (name: string, sectionBudget: number) => Math.max(0, sectionBudget - estimateTokens(`## ${name}\n`));
  const parts: Array<[string, string, number]> = [
    ['Rules', truncateToTokens(input.rules, room('Rules', budget.rules)), budget.rules],
    ['Scenario', truncateToTokens(scenarioText(input.scenario), room('Scenario', budget.scenario)), budget.scenario],
    ['Memory', truncateToTokens((input.memory ?? '').trim(), room('Memory', budget.memory)), budget.memory],
    ['Current state', truncateToTokens(stateText(input.state), room('Current state', budget.state)), budget.state],
    ['Story so far', keepLastTokens(input.state.synopsis, room('Story so far', budget.synopsis)), budget.synopsis],
    ['Recent events', timelineText(input.timeline, room('Recent events', budget.timeline), budget.timelineEvents), budget.timeline],
    ['Characters', charactersText(input.state.characters, room('Characters', budget.characters)), budget.characters],
  ];
  const headed = (name: string, text: string) => `## ${name}\n${text}`;
  const system = [...parts.filter(([, text]) => text.trim()).map(([name, text]) => headed(name, text)), ...(worldInfo.text ? [worldInfo.text] : [])].join(
    '\n\n',
  );
  const history = historyWithin(input.history, budget.history, budget.historyMessages);
  const action = truncateToTokens(input.action, budget.action);
  const noteText = truncateToTokens((input.note?.text ?? '').trim(), Math.max(0, budget.note - NOTE_OVERHEAD_TOKENS));
  const depth = Math.max(0, Math.floor(input.note?.depth ?? DEFAULT_NOTE_DEPTH));
  const after = Math.min(depth, history.length);
  const note = noteText ? noteMessage(noteText) : null;
  const body = note ? [...history.slice(0, history.length - after), note, ...history.slice(history.length - after)] : history;
  const messages: ChatMessage[] = [{ role: 'system', content: system }, ...body, { role: 'user', content: action }];
  const sections: PromptSection[] = [
    ...parts.map(([name, text, sectionBudget]) => ({ name, text, tokens: text.trim() ? estimateTokens(headed(name, text)) : 0, budget: sectionBudget })),
    { name: 'World info', text: worldInfo.text, tokens: worldInfo.tokens, budget: budget.worldInfo },
    {
      name: `Last messages (${history.length})`,
      text: history.map((m) => `${m.role}: ${m.content}`).join('\n\n'),
      tokens: history.reduce((n, m) => n + estimateTokens(m.content) + 4, 0),
      budget: budget.history,
    },
    { name: "Author's note", text: note ? note.content : '', tokens: note ? estimateTokens(note.content) + 4 : 0, budget: budget.note },
    { name: 'Action', text: action, tokens: estimateTokens(action), budget: budget.action },
  ];
  return {
    messages,
    sections,
    totalTokens: sections.reduce((n, s) => n + s.tokens, 0),
    budgetTokens: budgetTotal(budget),
    worldInfo,
    note: note ? { index: 1 + history.length - after, after, depth } : null,
  };
}
