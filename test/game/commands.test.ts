import { describe, expect, it } from 'vitest';
import { splitKeys } from '../../src/game/commands/lore.js';
import { settingsLines } from '../../src/game/commands/settings.js';
import {
  COMMANDS,
  commandName,
  completeCommand,
  completions,
  findCommand,
  parseCommandLine,
  runCommand,
  type TabCycle,
  unknownCommand,
  usageOf,
} from '../../src/game/commands/index.js';

/** Tab pressed on `typed`, then again on what each Tab put in the line, `times` in all. */
function tabs(typed: string, times: number): string[] {
  const shown: string[] = [];
  let line = typed;
  let cycle: TabCycle | null = null;
  for (let i = 0; i < times; i++) {
    const completed = completeCommand(line, cycle);
    if (!completed) break;
    ({ text: line, cycle } = completed);
    shown.push(line);
  }
  return shown;
}

describe('Tab on a slash command', () => {
  it('completes the part an ambiguous prefix shares, then goes through the commands it fits, in turn', () => {
    expect(tabs('/c', 5)).toEqual(['/cont', '/continue', '/context', '/continue', '/context']);
    expect(tabs('/cont', 3)).toEqual(['/continue', '/context', '/continue']);
    expect(tabs('/', 2)).toEqual(['/help', '/retry']);
  });

  it('completes a prefix only one command fits, and leaves what fits none', () => {
    expect(tabs('/he', 2)).toEqual(['/help', '/help']);
    expect(tabs('/ex', 1)).toEqual(['/export ']);
    expect(completeCommand('/zz', null)).toBeUndefined();
    expect(completeCommand('I look', null)).toBeUndefined();
  });

  it('starts again from what was typed when the line changed since the last Tab', () => {
    const first = completeCommand('/c', null);
    expect(completeCommand('/q', first?.cycle ?? null)?.text).toBe('/quit');
  });

  it('never takes a prefix for a command: Enter on one says what it could be', () => {
    expect(findCommand('c')).toBeUndefined();
    expect(findCommand('cont')).toBeUndefined();
    expect(unknownCommand('cont')).toBe('/cont could be /continue or /context: Tab goes through them.');
    expect(unknownCommand('he')).toBe('/he is not a command: Tab completes it to /help.');
    expect(unknownCommand('frobnicate')).toBe('Unknown command /frobnicate; /help lists them.');
  });
});

describe('the command modules', () => {
  const ctx = (keys?: string) => ({ user: {} as never, sessionId: 's', engine: {} as never, exportSession: async () => '', ...(keys ? { keys } : {}) });

  it('are what /help lists, in both front ends, with the same words, and what completion offers', async () => {
    const tui = await runCommand(ctx('Keys: Alt+← Alt+→'), '/help');
    const headless = await runCommand(ctx(), '/help');
    if (tui.type !== 'overlay' || headless.type !== 'overlay') throw new Error('/help is an overlay');
    const lines = COMMANDS.map((c) => `- \`${usageOf(c)}\`: ${c.description}`);
    expect(headless.body).toBe(lines.join('\n'));
    expect(tui.body).toBe(`${lines.join('\n')}\n\nKeys: Alt+← Alt+→`);
    expect(completions('/').map((c) => c.name)).toEqual(COMMANDS.map((c) => c.name));
    for (const command of COMMANDS) expect(findCommand(command.name)).toBe(command);
    expect(new Set(COMMANDS.map((c) => c.name)).size).toBe(COMMANDS.length);
  });

  it('complete a first argument from its choices', () => {
    expect(tabs('/swipe p', 1)).toEqual(['/swipe prev']);
    expect(tabs('/swipe ', 3)).toEqual(['/swipe prev', '/swipe next', '/swipe prev']);
    expect(tabs('/export j', 1)).toEqual(['/export json']);
    expect(tabs('/edit a', 1)).toEqual(['/edit action']);
    expect(completeCommand('/swipe x', null)).toBeUndefined();
    expect(completeCommand('/quit now', null)).toBeUndefined();
  });

  it('parse a line into its command, its words and its text as typed', () => {
    expect(parseCommandLine('/edit  The  rain falls. ')).toMatchObject({ args: ['The', 'rain', 'falls.'], rest: 'The  rain falls.' });
    expect(parseCommandLine('/Swipe 2')).toMatchObject({ command: findCommand('swipe'), args: ['2'] });
    expect(parseCommandLine('/nope x')).toEqual({ unknown: 'nope' });
    expect(commandName('/export md secret-name.md')).toBe('/export');
    expect(commandName('/my secret words')).toBe('unknown_command');
  });
});

describe('the steering commands’ arguments', () => {
  it('split lore keys at commas, keeping a /regex/ whole, its commas and flags too', () => {
    expect(splitKeys(' Gull Point, /lamp\\w*/ ')).toEqual(['Gull Point', '/lamp\\w*/']);
    expect(splitKeys('/a{1,3}/i, bell,,  ')).toEqual(['/a{1,3}/i', 'bell']);
    expect(splitKeys('either/or, tide')).toEqual(['either/or', 'tide']);
    expect(splitKeys('')).toEqual([]);
  });

  it('show which narrator settings are the game’s own and which the defaults', () => {
    const lines = settingsLines({ model: 'grok-x', temperature: null, max_tokens: 2048, custom: { max_tokens: 2048 } });
    expect(lines).toEqual([
      '- model: grok-x (default)',
      "- temperature: the endpoint's default (default)",
      '- length: at most 2048 tokens a narration (this game)',
    ]);
  });
});

describe('/lore', () => {
  it('marks the entries that fired by the entry, not by its place, when the list changed since', async () => {
    const lamp = { keys: ['lamp'], content: 'A lamp.', order: 100, always: false };
    // The last prompt had [bell, lamp] and lamp fired as entry 2; bell was removed since.
    const fired = { entry: lamp, source: 'game' as const, index: 2, why: 'key lamp in the action', key: 'lamp', tokens: 3 };
    const report = {
      scenario: [],
      game: [lamp],
      basis: 'last' as const,
      about: 'What fired in the last narration’s prompt.',
      match: { fired: [fired], dropped: [], silent: [], text: '', tokens: 3, budget: 1000, window: 4 },
    };
    const ctx = { user: {} as never, sessionId: 's', engine: { loreReport: async () => report } as never, exportSession: async () => '' };
    const shown = await runCommand(ctx, '/lore');
    if (shown.type !== 'overlay') throw new Error('/lore is an overlay');
    expect(shown.body).toContain('1. `lamp`: A lamp. — **fired**: key lamp in the action');
  });
});
