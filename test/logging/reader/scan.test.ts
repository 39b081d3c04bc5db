import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseEntry } from '../../../src/logging/reader/entry.js';
import { buildFilter, type FilterOptions } from '../../../src/logging/reader/filter.js';
import { matchRanges } from '../../../src/logging/reader/search.js';
import { StatsCollector } from '../../../src/logging/reader/stats.js';
import { collectChunk } from '../../../src/logging/reader/stats-bytes.js';
import { expectedTables, H, type NativeScan, nativeScan } from '../../../src/logging/reader/stats-native.js';
import { logTimeToMs } from '../../../src/logging/reader/time-spec.js';

/** Every entry of a chunk, as the scanner cuts them with no condition at all. */
function allEntries(buf: Buffer): string[] {
  const out: string[] = [];
  matchRanges(buf, buildFilter({}), (start, end) => void out.push(buf.toString('utf8', start, end)));
  return out;
}

/** What the byte scanner selects, against the reference: each entry parsed and given to filter.matches. */
function compare(text: string, options: FilterOptions) {
  const buf = Buffer.from(text);
  const filter = buildFilter(options);
  const fast: string[] = [];
  matchRanges(buf, filter, (start, end) => void fast.push(buf.toString('utf8', start, end)));
  const reference = allEntries(buf).filter((entry) => filter.matches(parseEntry(entry.replace(/\n$/, ''))));
  return { fast, reference };
}

const time = fc
  .integer({ min: 0, max: 3_599_999 })
  .map(
    (ms) =>
      `2024-01-15 10:${String(Math.floor(ms / 60_000)).padStart(2, '0')}:${String(Math.floor(ms / 1000) % 60).padStart(2, '0')},${String(ms % 1000).padStart(3, '0')}`,
  );
const level = fc.constantFrom('DEBUG', 'INFO', 'PERF', 'WARN', 'WARNING', 'ERROR', 'FATAL', 'CRITICAL', 'info', 'NOTE');
const module = fc.constantFrom('auth', 'db_utils', 'llm_utils', 'game_logic', 'tui', 'dé');
const value = fc.constantFrom(
  'alice',
  'ALICE',
  'alice2',
  'bob',
  'Émile',
  's-42',
  'a\\, b',
  '(x',
  'x)',
  'x\\)',
  '\\(y: z',
  'back\\\\slash',
  '2.50s',
  '10.01s',
  '0.99s',
  '1.99s',
  '',
);
const key = fc.constantFrom('user_id', 'session', 'session_id', 'duration', 'error', 'operation');
const context = fc.array(fc.tuple(key, value), { maxLength: 4 }).map((pairs) => (pairs.length ? ` (${pairs.map(([k, v]) => `${k}: ${v}`).join(', ')})` : ''));
const message = fc.constantFrom('User alice logged in', 'Save failed: disk full', 'duration: 3.10s in text', 'café (user_id: bob)', 'Slow response', 'x', '');
const header = fc.tuple(time, level, module, message, context).map(([t, l, m, msg, c]) => `[${t}] [${l}] [${m}] ${msg}${c}`);
const continuation = fc.constantFrom('    Error: disk full', '    at save (x.js:1:1)', 'not indented user_id: alice', '\tcaused by: boom');
const entry = fc.tuple(header, fc.array(continuation, { maxLength: 2 })).map(([h, rest]) => [h, ...rest].join('\n'));
const garbage = fc.constantFrom('node: warning: odd (user_id: alice, duration: 9.00s)', '[not a header] [INFO] [auth] x', '');
/** Log text: entries, a line that is none now and then, and sometimes an entry torn and glued to the next. */
const logText = fc
  .array(fc.oneof({ weight: 8, arbitrary: entry }, { weight: 1, arbitrary: garbage }, { weight: 1, arbitrary: entry.map((e) => `${e.slice(0, 20)}`) }), {
    minLength: 1,
    maxLength: 12,
  })
  .chain((parts) => fc.tuple(fc.constant(parts), fc.array(fc.boolean(), { minLength: parts.length, maxLength: parts.length })))
  .map(([parts, glue]) => parts.reduce((text, part, i) => text + part + (glue[i] ? '' : '\n'), ''));

const CONDITIONS = {
  levels: fc.subarray(['DEBUG', 'INFO', 'PERF', 'WARN', 'ERROR', 'FATAL', 'critical'], { minLength: 1 }),
  minLevel: fc.constantFrom('INFO', 'WARN', 'ERROR', 'warning'),
  modules: fc.subarray(['auth', 'db_utils', 'llm_utils', 'game_logic'], { minLength: 1 }),
  user: fc.constantFrom('alice', 'ALICE', 'bob', 'émile', 'a, b'),
  session: fc.constantFrom('s-42', 'alice', '(x'),
  since: fc.integer({ min: 0, max: 3_599_999 }).map((ms) => logTimeToMs('2024-01-15 10:00:00,000') + ms),
  until: fc.integer({ min: 0, max: 3_599_999 }).map((ms) => logTimeToMs('2024-01-15 10:00:00,000') + ms),
  slowerThanSeconds: fc.constantFrom(0.5, 1, 2, 2.5, 10),
  pattern: fc.constantFrom('disk', 'DISK', 'duration: [2-9]\\.', 'alice|bob', 'Save.*full', 'caf.', 'user_id: a', '^\\[', 'x$', 'é', '\\d{2}\\.'),
  ignoreCase: fc.boolean(),
  fixedString: fc.boolean(),
};
type Condition = keyof typeof CONDITIONS;
/** One to three conditions at a time, so that each finder is chosen often (more at once hide one another). */
const options: fc.Arbitrary<FilterOptions> = fc
  .uniqueArray(fc.constantFrom(...(Object.keys(CONDITIONS) as Condition[])), { minLength: 1, maxLength: 3 })
  .chain(
    (keys) => fc.record(Object.fromEntries(keys.map((k) => [k, CONDITIONS[k]])) as Record<Condition, fc.Arbitrary<unknown>>) as fc.Arbitrary<FilterOptions>,
  );

describe('matchRanges: the byte scanner', () => {
  it('selects exactly the entries the filter matches, parsed one by one (fast-check)', () => {
    fc.assert(
      fc.property(logText, options, (text, opts) => {
        const { fast, reference } = compare(text, opts);
        expect(fast).toEqual(reference);
      }),
      { numRuns: 3000 },
    );
  });

  it('proves a byte-safe pattern on the bytes, but decodes an entry whose hit runs past its end', () => {
    const text = '[2024-01-15 10:30:15,123] [INFO] [auth] ends with ab\n[2024-01-15 10:30:16,000] [INFO] [auth] c\n';
    expect(compare(text, { pattern: 'ab\\n\\[' }).fast).toEqual([]);
    expect(compare(text, { pattern: 'ab' }).fast).toHaveLength(1);
  });

  it('reads levels in Python spelling as the levels they are', () => {
    const text = '[2024-01-15 10:30:15,123] [WARNING] [auth] w\n[2024-01-15 10:30:16,000] [CRITICAL] [auth] c\n[2024-01-15 10:30:17,000] [INFO] [auth] i\n';
    expect(compare(text, { levels: ['WARN'] }).fast).toHaveLength(1);
    expect(compare(text, { levels: ['FATAL'] }).fast).toHaveLength(1);
    expect(compare(text, { minLevel: 'WARN' }).fast).toHaveLength(2);
  });

  it('stops when told to', () => {
    const buf = Buffer.from('[2024-01-15 10:30:15,123] [INFO] [auth] a\n[2024-01-15 10:30:16,000] [INFO] [auth] b\n');
    const seen: number[] = [];
    expect(
      matchRanges(buf, buildFilter({ levels: ['INFO'] }), (start) => {
        seen.push(start);
        return false;
      }),
    ).toBe(false);
    expect(seen).toEqual([0]);
  });
});

describe('collectChunk: statistics read on the bytes', () => {
  const dbLine = fc
    .tuple(
      time,
      fc.constantFrom('get_messages', 'save_turn', 'get (x)', 'a\\, b', ''),
      fc.constantFrom(' (rows: 3, duration: 0.05s)', ' (rows: (2))', ' (rows: 1', '', ' (user_id: bob)'),
    )
    .map(([t, op, rest]) => `[${t}] [DEBUG] [db_utils] Database query executed: ${op}${rest}`);
  const apiLine = fc
    .tuple(time, fc.constantFrom('', ', finish_reason: stop', ', finish_reason: cut', ', finish_reason: cancelled', ', finish_reason: cuts'))
    .map(
      ([t, finish]) =>
        `[${t}] [INFO] [llm_utils] API call: xai chat.completions (status: 200, duration: 1.20s, retries: 1, tokens_in: 10, tokens_out: 5, model: grok${finish})`,
    );
  // Numbers as a line may write them: parseFloat and Number read each differently (`1e3`, ` 7`, `0x10`, `.5`, `1.`).
  const number = fc.constantFrom(
    '200',
    '503',
    '1.20s',
    '0.4s',
    '12',
    '007',
    '1e3',
    '2.5E1s',
    ' 7',
    '0x10',
    '.5',
    '1.',
    '',
    'abc',
    '1.2.3',
    '12345678901234567890',
    '-3',
    '3.14159265358979323846s',
  );
  const statsKey = fc.constantFrom(
    'status',
    'duration',
    'retries',
    'tokens_in',
    'tokens_out',
    'ttft',
    'attempt',
    'model',
    'kind',
    'operation',
    'user_id',
    'session',
    'session_id',
    'finish_reason',
    'created_by',
    'by',
    'rows',
  );
  const statsValue = fc.oneof(number, fc.constantFrom('grok', 'Grok-é', 'cancelled', 'cut', 'stop', 'save_turn', 'alice', 's-1', 'x (y)', ''));
  const statsContext = fc
    .array(fc.tuple(statsKey, statsValue), { maxLength: 7 })
    .map((pairs) => (pairs.length ? ` (${pairs.map(([k, v]) => `${k}: ${v}`).join(', ')})` : ''));
  const statsMessage = fc.constantFrom(
    'API call: xai chat.completions',
    'API call: ',
    'API call:x',
    'save_turn completed',
    'Performance | Operation: save',
    'LLM request failed',
    'User action: take_turn',
    'Database query executed: get_x',
    'Database query executed:',
    'x',
  );
  const statsLevel = fc.constantFrom('DEBUG', 'INFO', 'PERF', 'WARN', 'WARNING', 'ERROR', 'FATAL', 'CRITICAL', 'INFo');
  const statsModule = fc.constantFrom('llm_utils', 'db_utils', 'auth', '', 'mödule');
  // Times over three days, so that hours and days change between entries.
  const hours = fc
    .integer({ min: 0, max: 3 * 86_400_000 - 1 })
    .map((ms) => new Date(Date.UTC(2024, 0, 15) + ms).toISOString().replace('T', ' ').replace('.', ',').slice(0, 23));
  const fieldLine = fc.tuple(hours, statsLevel, statsModule, statsMessage, statsContext).map(([t, l, m, msg, c]) => `[${t}] [${l}] [${m}] ${msg}${c}`);
  // Lines of the shape the native scanner reads itself (ASCII values, plain numbers), so that its own path is tried often.
  // (and now and then an escaped one, which it must leave to JavaScript wherever it lies).
  const plainValue = fc.constantFrom(
    '200',
    '1.20s',
    '0.4s',
    '12',
    '007',
    'grok',
    'alice',
    'Alice',
    's-1',
    'cut',
    'cancelled',
    '',
    'a\\, b',
    'x\\) y',
    'g\\\\k',
  );
  const plainContext = fc
    .array(fc.tuple(statsKey, plainValue), { minLength: 1, maxLength: 5 })
    .map((pairs) => ` (${pairs.map(([k, v]) => `${k}: ${v}`).join(', ')})`);
  const plainLine = fc
    .tuple(hours, fc.constantFrom('DEBUG', 'INFO', 'PERF', 'WARN', 'ERROR'), fc.constantFrom('llm_utils', 'db_utils', 'auth', ''), statsMessage, plainContext)
    .map(([t, l, m, msg, c]) => `[${t}] [${l}] [${m}] ${msg}${c}`);
  // Entries of every kind, some torn and glued to the next, the last one now and then without its newline.
  const statsText = fc
    .array(fc.tuple(fc.oneof(entry, dbLine, apiLine, garbage, fieldLine, plainLine, plainLine), fc.constantFrom('\n', '\n', '\n', '\n', '')), {
      minLength: 1,
      maxLength: 12,
    })
    .chain((parts) => fc.tuple(fc.constant(parts), fc.boolean()))
    .map(([parts, newlineAtEnd]) => {
      const text = parts.map(([part, end]) => part + end).join('');
      return newlineAtEnd ? `${text}\n` : text;
    });

  it('is read in C by the native scanner this build has (npm install builds it), which adds up the common entries itself', () => {
    const native = nativeScan() as NativeScan;
    expect(native).toBeDefined();
    expect(expectedTables()).toContain('WARNING:3');
    const text = [
      '[2024-01-15 10:00:00,000] [INFO] [llm_utils] API call: xai chat.completions (status: 200, duration: 1.20s, tokens_in: 5, model: grok)',
      '[2024-01-15 10:00:01,000] [DEBUG] [db_utils] Database query executed: get_messages (rows: 2)',
      '[2024-01-15 10:00:02,000] [INFO] [game_logic] User action: take_turn (user_id: Alice, session: s1)',
      '[2024-01-15 10:00:03,000] [INFO] [game_logic] User action: take_turn (user_id: Alice, session: s1)',
    ].join('\n');
    collectChunk(Buffer.from(`${text}\n`), buildFilter({}), new StatsCollector(), native);
    const { ints } = native;
    expect([ints[H.records], ints[H.modules], ints[H.operations], ints[H.models], ints[H.calls], ints[H.pairs]]).toEqual([0, 3, 1, 1, 1, 2]);
  });

  it.each([
    ['the native scanner', () => nativeScan()],
    ['JavaScript alone', () => undefined],
  ])('gives the figures add() gives entry by entry, with %s (fast-check)', (_name, scanner) => {
    // Of the native scanner's last call on each text, how often each of its regions was filled: its own adding-up must be tried too.
    const filled = { records: 0, modules: 0, operations: 0, models: 0, pairs: 0 };
    fc.assert(
      fc.property(statsText, fc.constantFrom<FilterOptions>({}, { levels: ['DEBUG'] }, { user: 'alice' }), (text, opts) => {
        const buf = Buffer.from(text);
        const filter = buildFilter(opts);
        const fast = new StatsCollector();
        const native = scanner();
        collectChunk(buf, filter, fast, native);
        if (native) for (const region of Object.keys(filled) as Array<keyof typeof filled>) if ((native.ints[H[region]] as number) > 0) filled[region]++;
        const slow = new StatsCollector();
        matchRanges(buf, filter, (start, end) => slow.add(parseEntry(buf.toString('utf8', start, end).replace(/\n$/, ''))));
        expect(fast.result()).toEqual(slow.result());
      }),
      { numRuns: 1500 },
    );
    if (scanner()) for (const times of Object.values(filled)) expect(times).toBeGreaterThan(20);
  });
});

describe('matchRanges: what a review found', () => {
  const two = '[2024-01-15 10:30:15,123] [INFO] [auth] a\n[2024-01-15 10:30:16,000] [INFO] [auth] b\n';

  it('does not take a hit on the newline before an entry for a match inside it', () => {
    expect(compare(two, { pattern: '[\\t-\\r]\\[' }).fast).toEqual([]);
    const { fast, reference } = compare(two, { pattern: '[\\t-\\r]' });
    expect(fast).toEqual(reference);
  });

  it('reads a header only with its "] [" after the time', () => {
    const text = '[2024-01-15 10:30:15,123]xxINFO] [auth] not a header\n';
    expect(compare(text, { levels: ['INFO'] })).toEqual({ fast: [], reference: [] });
  });

  it('keeps the blank last line of an entry it decodes', () => {
    const text = '[2024-01-15 10:30:15,123] [INFO] [dé] x (user_id: alice)\n\n';
    const { fast, reference } = compare(text, { user: 'alice', pattern: '\\n' });
    expect(fast).toEqual(reference);
    expect(fast).toHaveLength(1);
  });

  it('folds case for -i -F as -i does for a regular expression', () => {
    const text = '[2024-01-15 10:30:15,123] [INFO] [auth] the guard ALİ nods\n';
    expect(compare(text, { pattern: 'ali', ignoreCase: true, fixedString: true }).fast).toEqual(compare(text, { pattern: 'ali', ignoreCase: true }).fast);
  });

  it('finds durations written other ways than StoryOS writes them, and takes any threshold', () => {
    const text = ['duration: 3s', 'duration: 03.00s', 'duration:  3.00s', 'duration: 0.3e2s', 'duration: 1.50s']
      .map((d, i) => `[2024-01-15 10:30:1${i},000] [PERF] [auth] op completed (${d})\n`)
      .join('');
    expect(compare(text, { slowerThanSeconds: 2 }).fast).toHaveLength(4);
    expect(compare(text, { slowerThanSeconds: 0.5 }).fast).toHaveLength(5);
    expect(compare(text, { slowerThanSeconds: 1e21 }).fast).toEqual([]);
  });
});
