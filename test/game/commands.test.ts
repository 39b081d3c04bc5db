import { describe, expect, it } from 'vitest';
import { completeCommand, findCommand, unknownCommand, type TabCycle } from '../../src/game/commands/index.js';

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
