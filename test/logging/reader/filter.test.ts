import { describe, it, expect } from 'vitest';
import { UserFacingError } from '../../../src/config/errors.js';
import { thrown } from '../../support/errors.js';
import { parseEntry, type LogEntry } from '../../../src/logging/reader/entry.js';
import { buildFilter, splitList, type EntryFilter, type FilterOptions } from '../../../src/logging/reader/filter.js';
import { logTimeToMs, parseTimeSpec } from '../../../src/logging/reader/time-spec.js';
import { bytesFinder, findNeedle } from '../../../src/logging/reader/pattern.js';
import fc from 'fast-check';

const ENTRIES = {
  login: parseEntry('[2024-01-15 10:30:15,123] [INFO] [auth] User alice logged in successfully (user_id: alice, duration: 0.15s)'),
  render: parseEntry('[2024-01-15 10:31:00,000] [DEBUG] [game] Rendering scene (session_id: s-42)'),
  turn: parseEntry('[2024-01-15 10:32:00,500] [PERF] [llm] process_player_input completed (user_id: alice2, session: s-42, duration: 2.50s)'),
  slow: parseEntry('[2024-01-15 10:33:00,000] [WARN] [llm] Slow response (user_id: bob, duration: 2.00s)'),
  save: parseEntry(
    [
      '[2024-01-15 11:00:00,000] [ERROR] [storage] Save failed (user_id: alice, error: Error: disk full)',
      '    Error: disk full',
      '    at save (storage.js:10:5)',
    ].join('\n'),
  ),
  crash: parseEntry('[2024-01-16 09:00:00,000] [FATAL] [auth] Crash (session: s-7)'),
  noise: parseEntry('node: warning: something odd (user_id: alice, session: s-42, duration: 9.00s)'),
} satisfies Record<string, LogEntry>;

type Name = keyof typeof ENTRIES;
const ALL = Object.keys(ENTRIES) as Name[];
const PARSED = ALL.filter((n) => n !== 'noise');

function matching(filter: EntryFilter): Name[] {
  return ALL.filter((name) => filter.matches(ENTRIES[name]));
}

function select(options: FilterOptions): Name[] {
  return matching(buildFilter(options));
}

describe('the test entries', () => {
  it('parse as intended', () => {
    expect(ENTRIES.turn.level).toBe('PERF');
    expect(ENTRIES.save.module).toBe('storage');
    expect(ENTRIES.noise.time).toBe('');
  });
});

describe('buildFilter without options', () => {
  it('matches every entry, StoryOS lines or not, and has no needle or time window', () => {
    const filter = buildFilter({});
    expect(matching(filter)).toEqual(ALL);
    expect(filter.finder).toBeUndefined();
    expect(filter.since).toBeUndefined();
    expect(filter.until).toBeUndefined();
  });

  it('treats an empty pattern as no pattern', () => {
    expect(select({ pattern: '' })).toEqual(ALL);
    expect(select({ pattern: '', fixedString: true })).toEqual(ALL);
  });
});

describe('buildFilter: levels', () => {
  it('keeps one level', () => {
    expect(select({ levels: ['ERROR'] })).toEqual(['save']);
    expect(select({ levels: ['PERF'] })).toEqual(['turn']);
  });

  it('accepts lower case, mixed case and blanks', () => {
    expect(select({ levels: ['error'] })).toEqual(['save']);
    expect(select({ levels: ['Fatal'] })).toEqual(['crash']);
    expect(select({ levels: [' perf '] })).toEqual(['turn']);
  });

  it('accepts WARNING as WARN', () => {
    expect(select({ levels: ['WARNING'] })).toEqual(['slow']);
    expect(select({ levels: ['warning'] })).toEqual(['slow']);
    expect(select({ levels: ['WARN'] })).toEqual(['slow']);
  });

  it('keeps any of several levels', () => {
    expect(select({ levels: ['INFO', 'PERF'] })).toEqual(['login', 'turn']);
    expect(select({ levels: ['debug', 'warning', 'FATAL'] })).toEqual(['render', 'slow', 'crash']);
  });

  it('throws a one-line UserFacingError for an unknown level', () => {
    const error = thrown(() => buildFilter({ levels: ['INFO', 'LOUD'] }));
    expect(error.message).toContain('"LOUD"');
    expect(error.message).toContain('ERROR');
    expect(error.message).not.toContain('\n');
  });
});

describe('buildFilter: minLevel', () => {
  it('keeps entries at or above the level', () => {
    expect(select({ minLevel: 'WARN' })).toEqual(['slow', 'save', 'crash']);
    expect(select({ minLevel: 'PERF' })).toEqual(['turn', 'slow', 'save', 'crash']);
    expect(select({ minLevel: 'INFO' })).toEqual(['login', 'turn', 'slow', 'save', 'crash']);
    expect(select({ minLevel: 'FATAL' })).toEqual(['crash']);
  });

  it('keeps every StoryOS entry at DEBUG', () => {
    expect(select({ minLevel: 'DEBUG' })).toEqual(PARSED);
  });

  it('accepts lower case and WARNING', () => {
    expect(select({ minLevel: 'warning' })).toEqual(['slow', 'save', 'crash']);
    expect(select({ minLevel: 'error' })).toEqual(['save', 'crash']);
  });

  it('throws a one-line UserFacingError for an unknown level', () => {
    const error = thrown(() => buildFilter({ minLevel: 'verbose' }));
    expect(error.message).toContain('"verbose"');
    expect(error.message).not.toContain('\n');
  });

  it('combines with levels (both must hold)', () => {
    expect(select({ minLevel: 'WARN', levels: ['INFO', 'ERROR'] })).toEqual(['save']);
  });
});

describe('buildFilter: modules', () => {
  it('keeps one module', () => {
    expect(select({ modules: ['llm'] })).toEqual(['turn', 'slow']);
  });

  it('keeps any of several modules', () => {
    expect(select({ modules: ['auth', 'storage'] })).toEqual(['login', 'save', 'crash']);
  });

  it('matches the module name exactly, not a prefix or part of the message', () => {
    expect(select({ modules: ['aut'] })).toEqual([]);
    expect(select({ modules: ['stor'] })).toEqual([]);
    expect(select({ modules: ['scene'] })).toEqual([]);
  });
});

describe('buildFilter: user and session', () => {
  it('matches user_id exactly', () => {
    expect(select({ user: 'alice' })).toEqual(['login', 'save']);
    expect(select({ user: 'alice2' })).toEqual(['turn']);
    expect(select({ user: 'bob' })).toEqual(['slow']);
    expect(select({ user: 'ali' })).toEqual([]);
  });

  it('does not match a user name that only appears in the message', () => {
    const entry = parseEntry('[2024-01-15 10:30:15,123] [INFO] [auth] User alice logged out (user_id: carol)');
    expect(buildFilter({ user: 'alice' }).matches(entry)).toBe(false);
    expect(buildFilter({ user: 'carol' }).matches(entry)).toBe(true);
  });

  it('matches session: or session_id:', () => {
    expect(select({ session: 's-42' })).toEqual(['render', 'turn']);
    expect(select({ session: 's-7' })).toEqual(['crash']);
    expect(select({ session: 's-4' })).toEqual([]);
  });

  it('combines user and session', () => {
    expect(select({ user: 'alice2', session: 's-42' })).toEqual(['turn']);
    expect(select({ user: 'alice', session: 's-42' })).toEqual([]);
  });

  // Regression (see entry.test.ts): an error value holding "(key: value)" used to hide the entry's
  // real context, so `--user alice` missed this entry.
  it('finds the user of an entry whose error value holds "(key: value)"', () => {
    const entry = parseEntry('[2024-01-15 11:00:00,000] [ERROR] [storage] Save failed (user_id: alice, error: Error: disk full (code: ENOSPC))');
    expect(buildFilter({ user: 'alice' }).matches(entry)).toBe(true);
  });
});

describe('buildFilter: since and until', () => {
  const ms = logTimeToMs;

  it('exposes the window as log-format times', () => {
    const filter = buildFilter({ since: ms('2024-01-15 10:32:00,500'), until: ms('2024-01-15 23:59:59,999') });
    expect(filter.since).toBe('2024-01-15 10:32:00,500');
    expect(filter.until).toBe('2024-01-15 23:59:59,999');
  });

  it('keeps entries at or after since', () => {
    expect(select({ since: ms('2024-01-15 10:32:00,500') })).toEqual(['turn', 'slow', 'save', 'crash']);
    expect(select({ since: ms('2024-01-15 10:32:00,501') })).toEqual(['slow', 'save', 'crash']);
  });

  it('keeps entries at or before until', () => {
    expect(select({ until: ms('2024-01-15 10:32:00,500') })).toEqual(['login', 'render', 'turn']);
    expect(select({ until: ms('2024-01-15 10:32:00,499') })).toEqual(['login', 'render']);
  });

  it('keeps a window', () => {
    expect(select({ since: ms('2024-01-15 10:31:00,000'), until: ms('2024-01-15 10:33:00,000') })).toEqual(['render', 'turn', 'slow']);
  });

  it('keeps the whole day for --since D --until D', () => {
    const since = parseTimeSpec('2024-01-15', '--since');
    const until = parseTimeSpec('2024-01-15', '--until');
    expect(select({ since, until })).toEqual(['login', 'render', 'turn', 'slow', 'save']);
    expect(select({ since: parseTimeSpec('2024-01-16', '--since'), until: parseTimeSpec('2024-01-16', '--until') })).toEqual(['crash']);
  });

  it('keeps nothing for an empty window', () => {
    expect(select({ since: ms('2024-01-15 10:34:00,000'), until: ms('2024-01-15 10:59:59,999') })).toEqual([]);
  });
});

describe('buildFilter: slowerThanSeconds', () => {
  it('keeps entries strictly slower than the threshold', () => {
    expect(select({ slowerThanSeconds: 2 })).toEqual(['turn']);
    expect(select({ slowerThanSeconds: 1.99 })).toEqual(['turn', 'slow']);
    expect(select({ slowerThanSeconds: 0.1 })).toEqual(['login', 'turn', 'slow']);
    expect(select({ slowerThanSeconds: 2.5 })).toEqual([]);
  });

  it('never keeps entries without a duration, even at 0', () => {
    expect(select({ slowerThanSeconds: 0 })).toEqual(['login', 'turn', 'slow']);
  });

  it('ignores a duration that is not a number', () => {
    const entry = parseEntry('[2024-01-15 10:30:15,123] [PERF] [llm] call completed (duration: n/a)');
    expect(buildFilter({ slowerThanSeconds: 0 }).matches(entry)).toBe(false);
  });
});

describe('buildFilter: pattern', () => {
  it('is a regular expression matched against the whole entry', () => {
    expect(select({ pattern: 'alice' })).toEqual(['login', 'turn', 'save', 'noise']);
    expect(select({ pattern: 'a.ice\\b' })).toEqual(['login', 'save', 'noise']);
    expect(select({ pattern: '^\\[2024-01-16' })).toEqual(['crash']);
    expect(select({ pattern: 'duration: [2-9]\\.' })).toEqual(['turn', 'slow', 'noise']);
  });

  it('searches continuation lines too', () => {
    expect(select({ pattern: 'storage\\.js:\\d+' })).toEqual(['save']);
  });

  it('is case-sensitive unless ignoreCase', () => {
    expect(select({ pattern: 'SLOW RESPONSE' })).toEqual([]);
    expect(select({ pattern: 'SLOW RESPONSE', ignoreCase: true })).toEqual(['slow']);
    expect(select({ pattern: 'ALICE\\b', ignoreCase: true })).toEqual(['login', 'save', 'noise']);
  });

  it('gives the same answer when the filter is used many times (no regex state)', () => {
    const filter = buildFilter({ pattern: 'alice', ignoreCase: true });
    for (let i = 0; i < 3; i++) expect(matching(filter)).toEqual(['login', 'turn', 'save', 'noise']);
  });

  it('takes regex metacharacters literally with fixedString', () => {
    expect(select({ pattern: 'a.ice', fixedString: true })).toEqual([]);
    expect(select({ pattern: '(user_id: bob', fixedString: true })).toEqual(['slow']);
    expect(select({ pattern: 'duration: 2.50s)', fixedString: true })).toEqual(['turn']);
    expect(select({ pattern: '[llm]', fixedString: true })).toEqual(['turn', 'slow']);
  });

  it('combines fixedString and ignoreCase', () => {
    expect(select({ pattern: 'SLOW RESPONSE', fixedString: true })).toEqual([]);
    expect(select({ pattern: 'SLOW RESPONSE', fixedString: true, ignoreCase: true })).toEqual(['slow']);
    expect(select({ pattern: '(USER_ID: BOB', fixedString: true, ignoreCase: true })).toEqual(['slow']);
  });

  it('throws a one-line UserFacingError for an invalid regex', () => {
    for (const pattern of ['(', '[a-', '*x', 'a{2,1}']) {
      const error = thrown(() => buildFilter({ pattern }));
      expect(error.message).toContain(JSON.stringify(pattern));
      expect(error.message).not.toContain('\n');
      expect(error.message).not.toContain('Invalid regular expression');
    }
    expect(() => buildFilter({ pattern: '(', ignoreCase: true })).toThrow(UserFacingError);
  });

  it('does not compile the pattern as a regex with fixedString', () => {
    expect(() => buildFilter({ pattern: '(', fixedString: true })).not.toThrow();
    expect(() => buildFilter({ pattern: '[a-', fixedString: true, ignoreCase: true })).not.toThrow();
  });
});

describe('buildFilter: entries that are not StoryOS lines', () => {
  it.each<[string, FilterOptions]>([
    ['levels', { levels: ['WARN', 'INFO', 'DEBUG', 'PERF', 'ERROR', 'FATAL'] }],
    ['minLevel', { minLevel: 'DEBUG' }],
    ['modules', { modules: ['node', ''] }],
    ['user', { user: 'alice' }],
    ['session', { session: 's-42' }],
    ['since', { since: 0 }],
    ['until', { until: logTimeToMs('2099-01-01 00:00:00,000') }],
    ['slowerThanSeconds', { slowerThanSeconds: 1 }],
    ['pattern with a structural filter', { pattern: 'warning', since: 0 }],
  ])('are excluded by %s', (_name, options) => {
    expect(buildFilter(options).matches(ENTRIES.noise)).toBe(false);
  });

  it('can match a bare pattern, in every pattern mode', () => {
    expect(buildFilter({ pattern: 'warning' }).matches(ENTRIES.noise)).toBe(true);
    expect(buildFilter({ pattern: 'WARNING', ignoreCase: true }).matches(ENTRIES.noise)).toBe(true);
    expect(buildFilter({ pattern: 'odd (user', fixedString: true }).matches(ENTRIES.noise)).toBe(true);
    expect(buildFilter({ pattern: 'ODD (USER', fixedString: true, ignoreCase: true }).matches(ENTRIES.noise)).toBe(true);
  });
});

describe('buildFilter: combinations', () => {
  it('requires every option to hold', () => {
    expect(select({ levels: ['PERF', 'WARN'], modules: ['llm'], slowerThanSeconds: 2 })).toEqual(['turn']);
    expect(select({ user: 'alice', minLevel: 'ERROR' })).toEqual(['save']);
    expect(select({ user: 'alice', pattern: 'disk', fixedString: true })).toEqual(['save']);
    expect(select({ pattern: 'alice', since: logTimeToMs('2024-01-15 10:31:00,000') })).toEqual(['turn', 'save']);
    expect(select({ modules: ['auth'], until: parseTimeSpec('2024-01-15', '--until') })).toEqual(['login']);
    expect(select({ session: 's-42', levels: ['DEBUG'] })).toEqual(['render']);
    expect(select({ levels: ['ERROR'], modules: ['auth'] })).toEqual([]);
  });
});

describe('buildFilter: finder', () => {
  /** Where the finder hits in an entry's bytes, or -1. */
  function hitIn(filter: EntryFilter, entry: LogEntry): number {
    const { finder } = filter;
    if (!finder) throw new Error('no finder');
    const bytes = Buffer.from(entry.text);
    if (finder.kind === 'bytes') return findNeedle(bytes, finder, 0);
    finder.regex.lastIndex = 0;
    return finder.regex.exec(bytes.toString('latin1'))?.index ?? -1;
  }

  function expectHitInEveryMatch(options: FilterOptions): EntryFilter {
    const filter = buildFilter(options);
    expect(filter.finder, JSON.stringify(options)).toBeDefined();
    for (const name of matching(filter)) expect(hitIn(filter, ENTRIES[name]), `${name} should hold a hit`).toBeGreaterThanOrEqual(0);
    return filter;
  }

  it('for a single level hits the header of matching entries and not of other levels', () => {
    for (const [level, name] of [
      ['PERF', 'turn'],
      ['error', 'save'],
      ['WARNING', 'slow'],
      ['info', 'login'],
    ] as const) {
      const filter = expectHitInEveryMatch({ levels: [level] });
      expect(hitIn(filter, ENTRIES[name])).toBe(27);
      for (const other of PARSED.filter((n) => n !== name)) expect(hitIn(filter, ENTRIES[other]), other).toBe(-1);
    }
  });

  it('for several levels or a minimum level hits each of them, Python spellings included', () => {
    const filter = expectHitInEveryMatch({ minLevel: 'WARN' });
    expect(hitIn(filter, parseEntry('[2024-01-15 10:33:00,000] [WARNING] [llm] Slow'))).toBe(27);
    expect(hitIn(filter, parseEntry('[2024-01-15 10:33:00,000] [CRITICAL] [llm] Down'))).toBe(27);
    expect(hitIn(filter, ENTRIES.turn)).toBe(-1);
    expectHitInEveryMatch({ levels: ['WARN', 'ERROR'] });
  });

  it('for a single module hits the matching entries and no other', () => {
    const filter = expectHitInEveryMatch({ modules: ['storage'] });
    for (const other of PARSED.filter((n) => n !== 'save')) expect(hitIn(filter, ENTRIES[other]), other).toBe(-1);
  });

  it('for a user hits the field without regard to case; a longer name is a candidate, not a match', () => {
    const filter = expectHitInEveryMatch({ user: 'ALICE' });
    expect(hitIn(filter, ENTRIES.login)).toBeGreaterThan(0);
    expect(hitIn(filter, ENTRIES.slow)).toBe(-1);
    expect(select({ user: 'ALICE' })).toEqual(['login', 'save']);
    expect(select({ user: 'BOB' })).toEqual(['slow']);
  });

  it('for --slower-than hits durations from its whole seconds up', () => {
    const filter = expectHitInEveryMatch({ slowerThanSeconds: 2 });
    expect(hitIn(filter, ENTRIES.login)).toBe(-1);
    expect(hitIn(filter, ENTRIES.slow)).toBeGreaterThan(0);
    expect(select({ slowerThanSeconds: 2 })).toEqual(['turn']);
  });

  it('for a session is in the matching entries', () => {
    const filter = expectHitInEveryMatch({ session: 's-42' });
    expect(hitIn(filter, ENTRIES.render)).toBeGreaterThan(0);
    expect(hitIn(filter, ENTRIES.crash)).toBe(-1);
  });

  it('for a case-sensitive fixed string is the string itself, and proves the pattern', () => {
    const filter = expectHitInEveryMatch({ pattern: 'disk full', fixedString: true });
    expect(filter.finder).toMatchObject({ kind: 'bytes', exact: true });
    expect(filter.finderIsPattern).toBe(true);
    expect(hitIn(filter, ENTRIES.slow)).toBe(-1);
  });

  it('for an ignoreCase fixed string finds every case', () => {
    const filter = expectHitInEveryMatch({ pattern: 'SLOW RESPONSE', fixedString: true, ignoreCase: true });
    expect(select({ pattern: 'SLOW RESPONSE', fixedString: true, ignoreCase: true })).toEqual(['slow']);
    expect(filter.finder?.kind).toBe('regex');
  });

  it('runs a byte-safe regular expression on the chunk, and proves it', () => {
    const filter = expectHitInEveryMatch({ pattern: 'duration: [2-9]\\.' });
    expect(filter.finder).toMatchObject({ kind: 'regex', exact: true });
    expect(expectHitInEveryMatch({ pattern: 'alice|bob', ignoreCase: true }).finder?.exact).toBe(true);
  });

  it('finds only candidates for a pattern with .* (checked entry by entry)', () => {
    expect(expectHitInEveryMatch({ pattern: 'Save.*disk' }).finder?.exact).toBe(false);
  });

  it('is not taken from a pattern that latin1 text could miss', () => {
    for (const pattern of ['a.ice', '^\\[2024', 'full$', '[^x]disk', 'caf\u00e9', 'café', '\\s', 'a(?=b)', '\\\\.'])
      expect(buildFilter({ pattern }).finderIsPattern, pattern).toBe(false);
  });

  it('is undefined when no condition narrows the entries', () => {
    expect(buildFilter({ modules: ['auth', 'llm'] }).finder).toBeUndefined();
    expect(buildFilter({ since: 0, until: Date.now() }).finder).toBeUndefined();
    expect(buildFilter({ minLevel: 'DEBUG' }).finder).toBeUndefined();
  });

  it.each<FilterOptions>([
    { levels: ['PERF'], modules: ['llm'] },
    { levels: ['WARN', 'PERF'], modules: ['llm'] },
    { user: 'alice', levels: ['ERROR'] },
    { session: 's-42', modules: ['game'] },
    { pattern: '[llm]', fixedString: true, user: 'bob' },
    { pattern: 'Slow', fixedString: true, ignoreCase: true, levels: ['WARN'] },
    { levels: ['DEBUG'], minLevel: 'DEBUG', since: 0 },
  ])('hits every entry matched by %j', (options) => {
    expectHitInEveryMatch(options);
    expect(matching(buildFilter(options)).length).toBeGreaterThan(0);
  });
});

describe('splitList', () => {
  it('returns undefined for undefined', () => {
    expect(splitList(undefined)).toBeUndefined();
  });

  it('splits a comma list', () => {
    expect(splitList('PERF,ERROR')).toEqual(['PERF', 'ERROR']);
    expect(splitList(['PERF,ERROR'])).toEqual(['PERF', 'ERROR']);
  });

  it('joins repeated values in order, splitting each', () => {
    expect(splitList(['PERF', 'ERROR,WARN', 'DEBUG'])).toEqual(['PERF', 'ERROR', 'WARN', 'DEBUG']);
  });

  it('trims blanks and drops empty items', () => {
    expect(splitList(' PERF , ERROR ')).toEqual(['PERF', 'ERROR']);
    expect(splitList(['PERF,,ERROR,', ' ', ',WARN'])).toEqual(['PERF', 'ERROR', 'WARN']);
  });

  it('returns undefined when nothing is left', () => {
    expect(splitList('')).toBeUndefined();
    expect(splitList([])).toBeUndefined();
    expect(splitList([',', ' ', ' , '])).toBeUndefined();
  });

  it('feeds buildFilter', () => {
    expect(select({ levels: splitList(['warning,error', 'fatal']) })).toEqual(['slow', 'save', 'crash']);
    expect(select({ levels: splitList(undefined) })).toEqual(ALL);
  });
});

describe('buildFilter: levels StoryOS never writes', () => {
  it('rejects TRACE, listing the levels it knows', () => {
    expect(() => buildFilter({ levels: ['TRACE'] })).toThrow('Unknown level "TRACE": use one of DEBUG, INFO, PERF, WARN, ERROR, FATAL.');
  });
});

describe('findNeedle: a literal looked for by its rarest part', () => {
  it('starts the search at the rarest byte the needle holds', () => {
    expect(bytesFinder(': s000bce', false)).toMatchObject({ probeAt: 6, probe: Buffer.from('bce') });
    expect(bytesFinder('ERROR] [db_utils] ', false)).toMatchObject({ probeAt: 0, probe: Buffer.from('ERROR]') });
    expect(bytesFinder('disk', true).probe).toEqual(Buffer.from('disk'));
  });

  it('finds what Buffer.indexOf finds, from any offset (fast-check)', () => {
    const text = fc
      .array(fc.constantFrom('a', 'b', 'c', 'e', ':', ' ', 's', '0', 'bce', ': s0', 'x s000bce', ':xs000bce', ': s000bc', 'ERROR]', 'ERROR] [dc', 'é', '\n'), {
        maxLength: 40,
      })
      .map((parts) => parts.join(''));
    const needle = fc.constantFrom(': s000bce', 'bce', ': s0bce', 'ERROR] [db', 'x', 'sé0bc', 'e: s', 'ab', 's000');
    fc.assert(
      fc.property(text, needle, fc.nat(60), (haystack, literal, from) => {
        const buf = Buffer.from(haystack);
        expect(findNeedle(buf, bytesFinder(literal, false), from)).toBe(buf.indexOf(Buffer.from(literal), from));
      }),
      { numRuns: 3000 },
    );
  });
});
