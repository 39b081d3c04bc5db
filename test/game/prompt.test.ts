import { describe, expect, it } from 'vitest';
import { assemblePrompt, budgetTotal, DEFAULT_BUDGET, DEFAULT_NOTE_DEPTH, type PromptInput } from '../../src/game/prompt.js';
import { EMPTY_STATE, type MessageRecord, type ScenarioRecord, type WorldInfoEntry } from '../../src/store/types.js';

const at = new Date('2026-01-01T00:00:00Z');
const scenario: ScenarioRecord = {
  scenario_id: 's',
  name: 'The Lighthouse',
  author: 'a',
  version: '1.0.0',
  description: 'A keeper vanished.',
  setting: 'A storm coast.',
  player_name: 'Mara',
  role: 'an inspector',
  initial_location: 'the quay',
  dungeon_master_behaviour: 'Build dread slowly.',
  created_by: 'admin',
  created_at: at,
  updated_at: at,
};

function history(n: number): MessageRecord[] {
  return Array.from({ length: n }, (_, i) => ({
    id: `m${i}`,
    session_id: 's',
    parent_id: i ? `m${i - 1}` : null,
    sender: i % 2 ? 'player' : 'StoryOS',
    content: `message ${i}`,
    created_at: at,
    narration: null,
    state: null,
  }));
}

const input = (over: Partial<PromptInput> = {}): PromptInput => ({
  rules: 'You are StoryOS.',
  scenario,
  state: { ...EMPTY_STATE, location: 'the quay', synopsis: 'Mara arrived.', characters: { Harrow: 'a widow' } },
  timeline: [{ title: 'Arrival', description: 'Mara lands.', characters: [] }],
  history: history(8),
  action: 'I climb the stairs.',
  ...over,
});
const entry = (keys: string[], content: string, order = 100, always = false): WorldInfoEntry => ({ keys, content, order, always });

describe('the narrator prompt (SPEC §12)', () => {
  it('puts rules, scenario, memory, story state and fired world info in that order in the system message', () => {
    const prompt = assemblePrompt(
      input({ memory: 'Mara is afraid of heights.', lore: { scenario: [entry(['stairs'], 'The stairs have 212 steps.')], game: [] } }),
    );
    const system = prompt.messages[0]?.content ?? '';
    const heads = [
      '## Rules',
      '## Scenario',
      '## Memory\nMara is afraid of heights.',
      '## Current state',
      '## Story so far',
      '## Recent events',
      '## Characters',
      '## World info\nThe stairs have 212 steps.',
    ];
    const places = heads.map((h) => system.indexOf(h));
    expect(places.every((p) => p >= 0)).toBe(true);
    expect(places).toEqual([...places].sort((a, b) => a - b));
    expect(prompt.sections.map((s) => s.name)).toEqual([
      'Rules',
      'Scenario',
      'Memory',
      'Current state',
      'Story so far',
      'Recent events',
      'Characters',
      'World info',
      'Last messages (8)',
      "Author's note",
      'Action',
    ]);
    expect(prompt.sections.every((s) => s.budget > 0 && s.tokens <= s.budget)).toBe(true);
    expect(prompt.budgetTokens).toBe(budgetTotal(DEFAULT_BUDGET));
    expect(prompt.messages.at(-1)).toEqual({ role: 'user', content: 'I climb the stairs.' });
  });

  it('inserts the author’s note exactly N messages before the end, by default 3', () => {
    const note = (depth: number | undefined, n = 8) => {
      const prompt = assemblePrompt(
        input({ history: history(n), note: depth === undefined ? { text: 'Keep it tense.', depth: DEFAULT_NOTE_DEPTH } : { text: 'Keep it tense.', depth } }),
      );
      const index = prompt.messages.findIndex((m) => m.content === "[Author's note: Keep it tense.]");
      expect(prompt.messages[index]?.role).toBe('system');
      expect(prompt.note?.index).toBe(index);
      // Messages between the note and the action.
      return prompt.messages.length - 1 - index - 1;
    };
    expect(note(undefined)).toBe(3);
    for (const depth of [0, 1, 2, 5, 8]) expect(note(depth)).toBe(depth);
    // Deeper than the history: at its start, right after the system message.
    expect(note(20, 4)).toBe(4);
    expect(note(2, 0)).toBe(0);
    const plain = assemblePrompt(input({ note: { text: '  ', depth: 3 } }));
    expect(plain.note).toBeNull();
    expect(plain.messages).toHaveLength(10);
  });

  it('lets a world-info entry in exactly while its key is in the window, and out after', () => {
    const lore = { scenario: [entry(['harrow'], 'HARROW-LORE')], game: [] };
    const withKey = history(8).map((m, i) => (i === 4 ? { ...m, content: 'Harrow waves.' } : m));
    const inWindow = assemblePrompt(input({ history: withKey, lore }));
    expect(inWindow.messages[0]?.content).toContain('HARROW-LORE');
    expect(inWindow.worldInfo.fired[0]?.why).toBe("key 'harrow' in message 1 of the last 4");
    const moved = [...withKey, ...history(1).map((m) => ({ ...m, id: 'x', content: 'later' }))];
    const outOfWindow = assemblePrompt(input({ history: moved, lore }));
    expect(JSON.stringify(outOfWindow.messages)).not.toContain('HARROW-LORE');
    expect(outOfWindow.sections.find((s) => s.name === 'World info')?.tokens).toBe(0);
  });

  it('holds every budget with 200 entries that all match, a long memory and a long note', () => {
    const game = Array.from({ length: 200 }, (_, i) => entry(['stairs'], `Lore ${i}. ${'word '.repeat(380)}`, i));
    const prompt = assemblePrompt(input({ memory: 'm'.repeat(4000), note: { text: 'n'.repeat(1000), depth: 3 }, lore: { scenario: [], game } }));
    for (const s of prompt.sections) expect(s.tokens, s.name).toBeLessThanOrEqual(s.budget);
    expect(prompt.totalTokens).toBeLessThanOrEqual(prompt.budgetTokens);
    expect(prompt.messages[0]?.content).toContain('m'.repeat(4000));
    expect(JSON.stringify(prompt.messages)).toContain('n'.repeat(1000));
    const { fired, dropped } = prompt.worldInfo;
    expect(fired.length).toBeGreaterThan(0);
    expect(fired.length + dropped.length).toBe(200);
    expect(fired.map((f) => f.entry.order)).toEqual(Array.from({ length: fired.length }, (_, i) => 199 - i));
    expect(dropped[0]?.entry.order).toBe(0);
    expect(dropped.every((d) => d.dropped.includes('world-info budget'))).toBe(true);
  });
});

describe('a narration longer than the whole history budget', () => {
  it('is still in the prompt, its end kept, so the narrator knows what the player answers', () => {
    const long = history(1).map((m) => ({ ...m, content: `${'The sea. '.repeat(2000)}What do you do?` }));
    const prompt = assemblePrompt(input({ history: long }));
    const last = prompt.messages.at(-2);
    expect(last?.role).toBe('assistant');
    expect(last?.content.endsWith('What do you do?')).toBe(true);
    expect(last?.content.length).toBeLessThanOrEqual(DEFAULT_BUDGET.history * 4);
  });
});
