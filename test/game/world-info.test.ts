import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { WorldInfoEntry } from '../../src/store/types.js';
import { keyMatcher, keyProblem, matchWorldInfo, REGEX_KEY_TIMEOUT_MS } from '../../src/game/world-info.js';

const entry = (keys: string[], content: string, order = 100, always = false): WorldInfoEntry => ({ keys, content, order, always });
const match = (entries: WorldInfoEntry[], history: string[], action: string, budget = 1000, game: WorldInfoEntry[] = []) =>
  matchWorldInfo({ scenario: entries, game, history, action, budget });

describe('world-info keys', () => {
  it('match a word or phrase whole, whatever its case', () => {
    const lighthouse = keyMatcher('lighthouse');
    expect(lighthouse.ok && lighthouse.test('The LIGHTHOUSE stands.')).toBe(true);
    expect(lighthouse.ok && lighthouse.test('lighthouses everywhere')).toBe(false);
    expect(lighthouse.ok && lighthouse.test('the old-lighthouse')).toBe(true);
    const widow = keyMatcher('Widow  Harrow');
    expect(widow.ok && widow.test('ask widow\nharrow')).toBe(true);
    expect(widow.ok && widow.test('the widow of Harrowgate')).toBe(false);
    const dotted = keyMatcher('St. Ives');
    expect(dotted.ok && dotted.test('to st. ives')).toBe(true);
    expect(dotted.ok && dotted.test('to stx ives')).toBe(false);
    const accented = keyMatcher('café');
    expect(accented.ok && accented.test('the CAFÉ sign')).toBe(true);
    expect(accented.ok && accented.test('cafés')).toBe(false);
  });

  it('match a /regex/flags key as written, and an invalid one never matches nor throws', () => {
    const gulls = keyMatcher('/gull\\w+/');
    expect(gulls.ok && gulls.test('the gulls cry')).toBe(true);
    expect(gulls.ok && gulls.test('the Gulls cry')).toBe(false);
    const insensitive = keyMatcher('/gull\\w+/gi');
    expect(insensitive.ok && insensitive.test('the Gulls cry') && insensitive.test('the Gulls cry')).toBe(true);
    const broken = keyMatcher('/gull(/');
    expect(broken.ok).toBe(false);
    expect(keyProblem('/gull(/')).toMatch(/^The key \/gull\(\/ is not a valid regular expression \(.+\)\.$/);
    expect(keyProblem('gull')).toBeNull();
    const result = match([entry(['/gull(/', '/[z-a]/'], 'Broken.')], ['gull('], 'gull(');
    expect(result.fired).toEqual([]);
    expect(result.silent[0]?.why).toMatch(/key \/gull\(\/ is not a valid regular expression .*never matches; key \/\[z-a\]\/ is not/);
  });

  it('say why an entry fired: the key and where, or always on', () => {
    const result = match(
      [
        entry(['lighthouse'], 'The lighthouse is dark.'),
        entry(['/gull\\w+/'], 'Gulls nest here.'),
        entry([], 'Always.', 100, true),
        entry(['widow'], 'Silent.'),
      ],
      ['a', 'b', 'the gulls cry', 'd', 'e'],
      'I climb the lighthouse.',
    );
    expect(result.fired.map((f) => f.why)).toEqual(["key 'lighthouse' in the action", 'key /gull\\w+/ in message 2 of the last 4', 'always on']);
    expect(result.silent).toEqual([expect.objectContaining({ source: 'scenario', index: 4, why: 'no key in the action or the last 4 messages' })]);
    expect(result.window).toBe(4);
  });

  it('enter exactly when a key is in the last N messages or the action, and leave when it is not', () => {
    const lore = [entry(['harrow'], 'Widow Harrow keeps the key.')];
    const history = ['Harrow waves.', 'one', 'two', 'three'];
    expect(match(lore, history, 'I wait.').fired).toHaveLength(1);
    expect(match(lore, [...history, 'four'], 'I wait.').fired).toHaveLength(0);
    expect(match(lore, [...history, 'four'], 'I call Harrow.').fired).toHaveLength(1);
    expect(matchWorldInfo({ scenario: lore, game: [], history: [...history, 'four'], action: 'x', budget: 1000, window: 5 }).fired).toHaveLength(1);
    expect(matchWorldInfo({ scenario: lore, game: [], history, action: 'x', budget: 1000, window: 0 }).fired).toHaveLength(0);
  });

  it('take the highest order first, ties in list order with the scenario before the game', () => {
    const result = match([entry(['a'], 'S1', 10), entry(['a'], 'S2', 50)], [], 'a', 1000, [entry(['a'], 'G1', 50), entry(['a'], 'G2', 90)]);
    expect(result.fired.map((f) => f.entry.content)).toEqual(['G2', 'S2', 'G1', 'S1']);
    expect(result.fired.map((f) => `${f.source} ${f.index}`)).toEqual(['game 2', 'scenario 2', 'game 1', 'scenario 1']);
    expect(result.text).toBe('## World info\nG2\n\nS2\n\nG1\n\nS1');
  });

  it('hold the budget with 200 entries that all match, dropping the lowest order first and saying so', () => {
    const lore = Array.from({ length: 200 }, (_, i) => entry(['storm'], `Entry ${i}: ${'rain '.repeat(40)}`, i));
    const result = match(lore, ['The storm rises.'], 'I wait.', 800);
    expect(result.tokens).toBeLessThanOrEqual(800);
    expect(result.fired.length).toBeGreaterThan(5);
    expect(result.fired.length + result.dropped.length).toBe(200);
    const keptOrders = result.fired.map((f) => f.entry.order);
    expect(keptOrders).toEqual([...keptOrders].sort((a, b) => b - a));
    expect(Math.min(...keptOrders)).toBeGreaterThan(Math.max(...result.dropped.map((d) => d.entry.order)));
    expect(result.dropped[0]?.entry.order).toBe(0);
    expect(result.dropped[0]?.dropped).toBe('it did not fit the world-info budget of 800 tokens (entries of a higher order came first)');
  });

  it('drop alone an entry longer than the whole budget', () => {
    const result = match([entry(['a'], 'x'.repeat(5000), 200), entry(['a'], 'Small.', 1)], [], 'a', 100);
    expect(result.fired.map((f) => f.entry.content)).toEqual(['Small.']);
    expect(result.dropped[0]?.dropped).toMatch(/longer \(about 1250 tokens\) than the whole world-info budget of 100 tokens/);
  });

  it('property: the section holds its budget, fired entries are sorted by order and every entry is accounted for', () => {
    const arbEntry = fc.record({
      keys: fc.array(fc.oneof(fc.constantFrom('storm', 'gull', 'Widow Harrow', '/gu(ll/', '/st\\w+/i', ''), fc.string({ maxLength: 8 })), { maxLength: 3 }),
      content: fc.string({ maxLength: 400 }),
      order: fc.integer({ min: -5, max: 5 }),
      always: fc.boolean(),
    });
    fc.assert(
      fc.property(
        fc.array(arbEntry, { maxLength: 30 }),
        fc.array(arbEntry, { maxLength: 30 }),
        fc.array(fc.oneof(fc.constantFrom('the storm', 'gulls', 'widow harrow'), fc.string({ maxLength: 40 })), { maxLength: 8 }),
        fc.string({ maxLength: 40 }),
        fc.integer({ min: 0, max: 600 }),
        (scenario, game, history, action, budget) => {
          const result = matchWorldInfo({ scenario, game, history, action, budget });
          expect(result.tokens).toBeLessThanOrEqual(budget);
          expect(result.fired.length + result.dropped.length + result.silent.length).toBe(scenario.length + game.length);
          for (let i = 1; i < result.fired.length; i++)
            expect((result.fired[i - 1] as { entry: WorldInfoEntry }).entry.order).toBeGreaterThanOrEqual(
              (result.fired[i] as { entry: WorldInfoEntry }).entry.order,
            );
          for (const f of result.fired) if (f.entry.always) expect(f.why).toBe('always on');
          for (const s of result.silent) expect(s.entry.always).toBe(false);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('world-info keys from anyone (players, cards)', () => {
  const fires = (key: string, text: string) =>
    matchWorldInfo({ scenario: [entry([key], 'X')], game: [], history: [], action: text, budget: 1000 }).fired.length === 1;

  it('gives up on a regex that backtracks without end, says so, and the turn goes on', () => {
    const hostile = '/(a+)+$/';
    const match = matchWorldInfo({
      scenario: [entry([hostile], 'Never.'), entry(['bell'], 'A bell.')],
      game: [],
      history: [],
      action: `${'a'.repeat(40)}! and the bell`,
      budget: 1000,
    });
    expect(match.fired.map((f) => f.entry.content)).toEqual(['A bell.']);
    expect(match.silent[0]?.why).toContain(`key ${hostile} took more than ${REGEX_KEY_TIMEOUT_MS} ms on one text, so it never matches`);
    // Remembered: it is not tried again.
    expect(fires(hostile, 'aaaa')).toBe(false);
  });

  it('reads /x/word as a word key unless word is made of real flags', () => {
    expect(fires('/etc/passwd', 'cat /etc/passwd now')).toBe(true);
    expect(keyProblem('/etc/passwd')).toBeNull();
    expect(fires('/lamp/i', 'The LAMP')).toBe(true);
  });

  it('matches words in scripts without spaces, and whatever the Unicode form', () => {
    expect(fires('東京', '私は東京に行く')).toBe(true);
    expect(fires('café', 'a cafe\u0301 by the sea')).toBe(true);
    expect(fires('cafe', 'a cafe\u0301 by the sea')).toBe(false);
    expect(fires('Gull', 'Gullpoint')).toBe(false);
  });
});
