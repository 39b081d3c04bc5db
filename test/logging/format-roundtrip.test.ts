import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CATEGORIES } from '../../src/logging/categories.js';
import { escapeControl } from '../../src/logging/escape.js';
import { formatRecord, type LogContext } from '../../src/logging/format.js';
import { LEVEL_ORDER } from '../../src/logging/levels.js';
import { isSecretKey, REDACTED, redactText } from '../../src/logging/redact.js';
import { parseBody, type LogEntry } from '../../src/logging/reader/entry.js';
import { buildFilter, type FilterOptions } from '../../src/logging/reader/filter.js';
import { scanChunk } from '../../src/logging/reader/search.js';

const TIME = new Date(2024, 0, 15, 10, 30, 15, 123);

/** Every entry the reader finds in what the writer wrote, parsed. */
function readBack(text: string, options: FilterOptions = {}): Array<LogEntry & ReturnType<typeof parseBody>> {
  const out: Array<LogEntry & ReturnType<typeof parseBody>> = [];
  scanChunk(Buffer.from(text), buildFilter(options), (e) => void out.push({ ...e, ...parseBody(e.body) }));
  return out;
}

/** Text made of the characters the format gives meaning to, and of what real values hold. */
const tricky = fc.string({
  unit: fc.constantFrom(
    'a',
    'b',
    'Z',
    '0',
    ' ',
    ',',
    ', ',
    ':',
    ': ',
    '(',
    ')',
    ' (',
    '\\',
    '\\,',
    '\\(',
    '[',
    ']',
    '] [',
    '"',
    '=',
    '_',
    '-',
    '.',
    'é',
    '😀',
    'user_id: bob',
    ', session: S',
  ),
  maxLength: 40,
});
/** With the start of a header inside: the reader would take it for a new entry, so the writer escapes it. */
const headerish = fc.string({
  unit: fc.oneof(
    fc.constantFrom('[2024-01-15 10:30:15,123] [INFO] [auth] ', '\n[2024-01-15 10:30:15,123] [ERROR] [app] x'),
    fc.constantFrom('a', ' ', ', ', '(', ')', '\\'),
  ),
  maxLength: 8,
});
const anyText = fc.oneof(tricky, headerish, fc.string({ unit: 'binary', maxLength: 40 }));
const key = fc.oneof(fc.constantFrom('user_id', 'session', 'session_id', 'duration', 'error', 'reason'), tricky, fc.string({ unit: 'binary', maxLength: 12 }));
const context = fc.dictionary(key, anyText, { maxKeys: 6 });

describe('log writer and reader round-trip', () => {
  it('reads back any message and context as exactly one entry with the same fields', () => {
    fc.assert(
      fc.property(anyText, context, fc.constantFrom(...LEVEL_ORDER), fc.constantFrom(...CATEGORIES), (message, ctx, level, category) => {
        const entries = readBack(formatRecord({ time: TIME, level, category, message, context: ctx }));
        expect(entries).toHaveLength(1);
        const [entry] = entries as [LogEntry & ReturnType<typeof parseBody>];
        expect([entry.time, entry.level, entry.module]).toEqual(['2024-01-15 10:30:15,123', level, category]);
        // What the line holds: control characters as visible escapes, secrets redacted; otherwise the text itself.
        expect(entry.message).toBe(escapeControl(redactText(message)));
        const expected = Object.fromEntries(Object.entries(ctx).map(([k, v]) => [escapeControl(k), isSecretKey(k) ? REDACTED : escapeControl(redactText(v))]));
        expect(entry.context).toEqual(expected);
      }),
      { numRuns: 2000 },
    );
  });

  it('gives back text without control characters or secrets exactly as it was given', () => {
    fc.assert(
      fc.property(
        tricky,
        fc.dictionary(
          tricky.filter((k) => !isSecretKey(k)),
          tricky,
          { maxKeys: 5 },
        ),
        (message, ctx) => {
          const [entry, ...more] = readBack(formatRecord({ time: TIME, level: 'INFO', category: 'game_logic', message, context: ctx }));
          expect(more).toEqual([]);
          expect(entry?.message).toBe(message);
          expect(entry?.context).toEqual(ctx);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('finds an entry by --user and --session only from its own fields', () => {
    fc.assert(
      fc.property(tricky, tricky, tricky, (action, user, session) => {
        const ctx: LogContext = { user_id: 'alice', session: 'ALICESESSION', action };
        const text = formatRecord({ time: TIME, level: 'DEBUG', category: 'game_logic', message: action, context: ctx });
        expect(readBack(text, { user })).toHaveLength(user.toLowerCase() === 'alice' ? 1 : 0);
        expect(readBack(text, { session })).toHaveLength(session === 'ALICESESSION' ? 1 : 0);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('context fields cannot be forged', () => {
  const forged = 'hello, user_id: bob, session: BOBSESSION';

  it('keeps `, key: ` inside a value (or the message) out of the fields', () => {
    const text = formatRecord({
      time: TIME,
      level: 'DEBUG',
      category: 'game_logic',
      message: `Player input: ${forged}`,
      context: { user_id: 'alice', session: 'ALICE1', action: forged },
    });
    expect(text).toContain('action: hello\\, user_id: bob\\, session: BOBSESSION)');
    expect(readBack(text, { user: 'bob' })).toEqual([]);
    expect(readBack(text, { session: 'BOBSESSION' })).toEqual([]);
    expect(readBack(text, { user: 'alice', session: 'ALICE1' })).toHaveLength(1);
    expect(readBack(text)[0]?.context).toEqual({ user_id: 'alice', session: 'ALICE1', action: forged });
  });

  it('never reads free text as a context: a message ending in (key: value) gets an empty ()', () => {
    const text = formatRecord({ time: TIME, level: 'INFO', category: 'game_logic', message: 'User action: look (user_id: bob, session: BOBSESSION)' });
    expect(text).toMatch(/look \(user_id: bob, session: BOBSESSION\) \(\)\n$/);
    expect(readBack(text, { user: 'bob' })).toEqual([]);
    expect(readBack(text)[0]).toMatchObject({ message: 'User action: look (user_id: bob, session: BOBSESSION)', context: {} });
  });

  it('escapes backslashes and unpaired parentheses in values, so a value cannot close the context', () => {
    const text = formatRecord({
      time: TIME,
      level: 'ERROR',
      category: 'llm_utils',
      message: 'Call failed',
      context: { error: 'API error (status: 429)) (user_id: bob', path: 'C:\\x\\' },
    });
    expect(text).toContain('(error: API error (status: 429)\\) \\(user_id: bob, path: C:\\\\x\\\\)');
    expect(readBack(text, { user: 'bob' })).toEqual([]);
    expect(readBack(text)[0]?.context).toEqual({ error: 'API error (status: 429)) (user_id: bob', path: 'C:\\x\\' });
  });

  it('finds a session whose id holds characters the writer escapes', () => {
    const text = formatRecord({ time: TIME, level: 'INFO', category: 'game_logic', message: 'Turn', context: { session: 'a(b), c' } });
    expect(readBack(text, { session: 'a(b), c' })).toHaveLength(1);
  });

  it('finds a session or user whose value holds a control character or header-like text, as the writer escapes them', () => {
    fc.assert(
      fc.property(
        fc.oneof(anyText, headerish).filter((v) => v.trim() !== '' && v === v.trim() && !/\s{2}|[\t\n]/.test(v)),
        (value) => {
          const text = formatRecord({ time: TIME, level: 'INFO', category: 'game_logic', message: 'Turn', context: { user_id: value, session: value } });
          expect(readBack(text, { session: value })).toHaveLength(1);
        },
      ),
      { numRuns: 500 },
    );
  });
});
