import { describe, it, expect } from 'vitest';
import { formatContext } from '../../../src/logging/format.js';
import { continuationLines, parseBody, parseEntry } from '../../../src/logging/reader/entry.js';

const HEADER = '[2024-01-15 10:30:15,123] [INFO] [auth] User alice logged in successfully (user_id: alice, duration: 0.15s)';

describe('parseEntry', () => {
  it('splits a header-only entry into time, level, module and body', () => {
    expect(parseEntry(HEADER)).toEqual({
      text: HEADER,
      time: '2024-01-15 10:30:15,123',
      level: 'INFO',
      module: 'auth',
      body: 'User alice logged in successfully (user_id: alice, duration: 0.15s)',
    });
  });

  it.each([
    ['DEBUG', 'game'],
    ['PERF', 'llm'],
    ['WARN', 'storage'],
    ['ERROR', 'llm.client'],
    ['FATAL', 'cli-main'],
  ])('reads level %s and module %s whatever their lengths', (level, module) => {
    const entry = parseEntry(`[2024-02-29 23:59:59,999] [${level}] [${module}] Something happened`);
    expect(entry.time).toBe('2024-02-29 23:59:59,999');
    expect(entry.level).toBe(level);
    expect(entry.module).toBe(module);
    expect(entry.body).toBe('Something happened');
  });

  it('takes the fields from the header line only when continuation lines follow', () => {
    const text = [
      '[2024-01-15 11:00:00,000] [ERROR] [storage] Save failed (user_id: alice, error: Error: disk full)',
      '    Error: disk full',
      '    at save (storage.js:10:5)',
      '    at main (index.js:1:1)',
    ].join('\n');
    const entry = parseEntry(text);
    expect(entry.text).toBe(text);
    expect(entry.time).toBe('2024-01-15 11:00:00,000');
    expect(entry.level).toBe('ERROR');
    expect(entry.module).toBe('storage');
    expect(entry.body).toBe('Save failed (user_id: alice, error: Error: disk full)');
    expect(entry.body).not.toContain('\n');
  });

  it('keeps the body of a header whose message contains "] ["', () => {
    const line = '[2024-01-15 10:30:15,123] [INFO] [game] Parsed [look] [north] from input (user_id: bob)';
    const entry = parseEntry(line);
    expect(entry.level).toBe('INFO');
    expect(entry.module).toBe('game');
    expect(entry.body).toBe('Parsed [look] [north] from input (user_id: bob)');
  });

  it('keeps a body that starts with "] ["', () => {
    const entry = parseEntry('[2024-01-15 10:30:15,123] [WARN] [net] ] [odd] message');
    expect(entry.level).toBe('WARN');
    expect(entry.module).toBe('net');
    expect(entry.body).toBe('] [odd] message');
  });

  it('reads an empty message as an empty body', () => {
    const entry = parseEntry('[2024-01-15 10:30:15,123] [INFO] [auth] ');
    expect(entry.module).toBe('auth');
    expect(entry.body).toBe('');
  });

  it('gives garbage text empty fields and its first line as the body', () => {
    expect(parseEntry('node: warning: something odd happened')).toEqual({
      text: 'node: warning: something odd happened',
      time: '',
      level: '',
      module: '',
      body: 'node: warning: something odd happened',
    });
    const multi = parseEntry('Segmentation fault\n    core dumped\n    again');
    expect(multi.text).toBe('Segmentation fault\n    core dumped\n    again');
    expect(multi.time).toBe('');
    expect(multi.level).toBe('');
    expect(multi.module).toBe('');
    expect(multi.body).toBe('Segmentation fault');
  });

  it.each([
    ['an empty string', ''],
    ['a timestamp without milliseconds', '[2024-01-15 10:30:15] [INFO] [auth] hello'],
    ['a header without brackets around the level', '[2024-01-15 10:30:15,123] INFO auth hello'],
    ['a header without a module', '[2024-01-15 10:30:15,123] [INFO] hello'],
    ['a header that stops after the level', '[2024-01-15 10:30:15,123] [INFO]'],
    ['a header that stops after the module', '[2024-01-15 10:30:15,123] [INFO] [auth]'],
    ['an indented header', ' [2024-01-15 10:30:15,123] [INFO] [auth] hello'],
  ])('treats %s as an unparsed entry', (_name, text) => {
    const entry = parseEntry(text);
    expect(entry.time).toBe('');
    expect(entry.level).toBe('');
    expect(entry.module).toBe('');
    expect(entry.text).toBe(text);
    expect(entry.body).toBe(text);
  });
});

describe('parseBody', () => {
  it('returns a body without context as the message', () => {
    expect(parseBody('Server started')).toEqual({ message: 'Server started', context: {} });
    expect(parseBody('')).toEqual({ message: '', context: {} });
  });

  it('splits the message from its context fields', () => {
    expect(parseBody('User alice logged in successfully (user_id: alice, duration: 0.15s)')).toEqual({
      message: 'User alice logged in successfully',
      context: { user_id: 'alice', duration: '0.15s' },
    });
  });

  it('reads a single field', () => {
    expect(parseBody('Rendering scene (session_id: s-42)')).toEqual({ message: 'Rendering scene', context: { session_id: 's-42' } });
  });

  it('joins a piece that is not "key: value" back into the previous value', () => {
    expect(parseBody('Choice rejected (reason: too long, too vague, user_id: bob)')).toEqual({
      message: 'Choice rejected',
      context: { reason: 'too long, too vague', user_id: 'bob' },
    });
  });

  it('keeps a value that contains " (" and ")"', () => {
    expect(parseBody('Request failed (error: Error (x))')).toEqual({ message: 'Request failed', context: { error: 'Error (x)' } });
    expect(parseBody('Request failed (error: Error (x), attempt: 2)')).toEqual({
      message: 'Request failed',
      context: { error: 'Error (x)', attempt: '2' },
    });
  });

  it('keeps a value that contains ": "', () => {
    expect(parseBody('Save failed (error: Error: disk full)')).toEqual({ message: 'Save failed', context: { error: 'Error: disk full' } });
  });

  it('keeps a message in parentheses that is not context', () => {
    expect(parseBody('Started (beta)')).toEqual({ message: 'Started (beta)', context: {} });
    expect(parseBody('Started (beta) now')).toEqual({ message: 'Started (beta) now', context: {} });
    expect(parseBody('Loaded (slot 3, autosave)')).toEqual({ message: 'Loaded (slot 3, autosave)', context: {} });
  });

  it('reads the empty () the writer puts after a message that ends with ")" as no context', () => {
    expect(parseBody('Nothing ()')).toEqual({ message: 'Nothing', context: {} });
    expect(parseBody('Loaded (user_id: bob) ()')).toEqual({ message: 'Loaded (user_id: bob)', context: {} });
  });

  it('does not take a parenthesised "key: value" inside the message for the context', () => {
    expect(parseBody('Loaded (slot: 3) (user_id: alice)')).toEqual({ message: 'Loaded (slot: 3)', context: { user_id: 'alice' } });
    expect(parseBody('Retry (attempt: 2) failed (user_id: a, error: Error (x))')).toEqual({
      message: 'Retry (attempt: 2) failed',
      context: { user_id: 'a', error: 'Error (x)' },
    });
  });

  it('finds the context after a message that has its own parentheses', () => {
    expect(parseBody('Loaded save (slot 3) (user_id: alice)')).toEqual({ message: 'Loaded save (slot 3)', context: { user_id: 'alice' } });
  });

  it('reads keys with dots, dashes and underscores, and empty values', () => {
    expect(parseBody('Called (llm.model: gpt-x, retry-count: 2, _note: , user_id: a)')).toEqual({
      message: 'Called',
      context: { 'llm.model': 'gpt-x', 'retry-count': '2', _note: '', user_id: 'a' },
    });
  });

  it('reads back what the log formatter writes', () => {
    const context = { user_id: 'alice', session_id: 's-42', reason: 'too long, too vague', error: 'Error (x)', duration: '0.15s' };
    expect(parseBody(`Turn processed${formatContext(context)}`)).toEqual({ message: 'Turn processed', context });
  });

  // Regression: parseBody used to start from the LAST " (", so a value holding "(key: value)" (an Error
  // message written verbatim by formatContext) was taken as the whole context, giving
  // { message: 'LLM call failed (error: Error: API error', context: { status: '429)', duration: '1.20s' } }.
  it('keeps a value that itself contains "(key: value)"', () => {
    const body = `LLM call failed${formatContext({ error: new Error('API error (status: 429)'), duration: '1.20s' })}`;
    expect(body).toBe('LLM call failed (error: Error: API error (status: 429), duration: 1.20s)');
    expect(parseBody(body)).toEqual({
      message: 'LLM call failed',
      context: { error: 'Error: API error (status: 429)', duration: '1.20s' },
    });
  });
});

describe('continuationLines', () => {
  it('is empty for a header-only entry', () => {
    expect(continuationLines(parseEntry(HEADER))).toEqual([]);
  });

  it('returns the lines after the header, indentation kept', () => {
    const entry = parseEntry(`${HEADER}\n    Error: boom\n    at f (a.js:1:2)`);
    expect(continuationLines(entry)).toEqual(['    Error: boom', '    at f (a.js:1:2)']);
  });

  it('works for unparsed entries too', () => {
    expect(continuationLines(parseEntry('garbage\n  more'))).toEqual(['  more']);
  });
});

describe('a key given twice (lines written before values were escaped)', () => {
  it('keeps its first value, as the --user and --session filters do', () => {
    expect(parseBody('User action: say (user_id: alice, action: hello, user_id: bob, session: BOB)').context).toMatchObject({
      user_id: 'alice',
      action: 'hello',
    });
  });
});
