import { describe, expect, it } from 'vitest';
import { formatContext } from '../../src/logging/format.js';
import { currentLogContext, merge, newTurnId, tally, tallyOf, withBindings, withLogContext } from '../../src/logging/log-context.js';
import { getLogger } from '../../src/logging/logger.js';
import { parseBody, parseEntry } from '../../src/logging/reader/entry.js';
import { linesOf, logInto, readLog } from '../support/logging.js';
import { tempDir } from '../support/temp.js';

const tick = () => new Promise((resolve) => setTimeout(resolve, 1));

describe('withLogContext', () => {
  it('binds its context for sync and async code, through promises and timers started inside, and not outside', async () => {
    expect(withBindings({ a: 1 })).toEqual({ a: 1 });
    expect(withLogContext({ session: 's1' }, () => withBindings(undefined))).toEqual({ session: 's1' });
    let background: Promise<unknown> = Promise.resolve();
    const seen = await withLogContext({ session: 's1', turn: 't1' }, async () => {
      await tick();
      background = new Promise((resolve) => setTimeout(() => resolve(currentLogContext()), 5));
      return withBindings({ rows: 3 });
    });
    expect(seen).toEqual({ rows: 3, session: 's1', turn: 't1' });
    expect(await background).toEqual({ session: 's1', turn: 't1' });
    expect(currentLogContext()).toBeUndefined();
  });

  it("keeps a call's own keys, in their place, before the bound ones: session is never written twice", () => {
    const merged = withLogContext({ session: 'bound', turn: 't1' }, () => withBindings({ duration: '0.10s', session: 'given' }));
    expect(Object.entries(merged ?? {})).toEqual([
      ['duration', '0.10s'],
      ['session', 'given'],
      ['turn', 't1'],
    ]);
    expect(merge(undefined, { a: 1 })).toEqual({ a: 1 });
  });

  it('nests: an inner scope adds to the outer bindings and has tallies of its own', () => {
    withLogContext({ session: 's1', turn: 't1' }, () => {
      tally('db', 2);
      tally('db', 3);
      expect(tallyOf('db')).toEqual({ count: 2, ms: 5 });
      withLogContext({ turn: 't2', extra: true }, () => {
        expect(currentLogContext()).toEqual({ session: 's1', turn: 't2', extra: true });
        expect(tallyOf('db')).toBeUndefined();
      });
    });
    tally('db', 1); // outside any scope: counted nowhere
    expect(tallyOf('db')).toBeUndefined();
  });

  it('makes short turn ids that do not repeat', () => {
    const ids = new Set(Array.from({ length: 2000 }, newTurnId));
    expect(ids.size).toBe(2000);
    for (const id of ids) expect(id).toMatch(/^t[0-9a-f]{8}$/);
  });

  it('bound values are escaped like any other: a value cannot forge a field or a line', () => {
    const context = withLogContext({ session: 'x, turn: forged)\n[2024-01-01 00:00:00,000] [INFO]' }, () => withBindings({ turn: 't1' }));
    const body = `msg${formatContext(context, 'msg')}`;
    expect(body).not.toContain('\n');
    const read = parseBody(body).context;
    expect(Object.keys(read)).toEqual(['turn', 'session']);
    expect(read.turn).toBe('t1');
    expect(read.session).toMatch(/^x, turn: forged\)\\n/);
  });
});

describe('the logger in a log context', () => {
  it("writes the bindings on every module's lines, and child() fixes bindings of its own", () => {
    const dir = tempDir();
    logInto(dir, { STORYOS_LOG_LEVEL: 'DEBUG' });
    const db = getLogger('db_utils');
    const llm = getLogger('llm_utils');
    withLogContext({ session: 'abc123', turn: 't00c0ffee' }, () => {
      db.debug('Database query executed: get_session', { rows: 1, duration: '0.00s' });
      llm.warn('LLM request failed, retrying', { attempt: 1, session: 'abc123' });
      db.child({ engine: 'sqlite', turn: 'child-loses' }).info('from a child', { turn: 'call-wins' });
    });
    db.child({ engine: 'sqlite' }).child({ pool: 2 }).info('outside');
    const entries = linesOf(readLog(dir))
      .map(parseEntry)
      .filter((e) => e.module !== 'app');
    const contexts = entries.map((e) => parseBody(e.body).context);
    expect(entries.map((e) => e.text.slice(26))).toEqual([
      '[DEBUG] [db_utils] Database query executed: get_session (rows: 1, duration: 0.00s, session: abc123, turn: t00c0ffee)',
      '[WARN] [llm_utils] LLM request failed, retrying (attempt: 1, session: abc123, turn: t00c0ffee)',
      '[INFO] [db_utils] from a child (turn: call-wins, engine: sqlite, session: abc123)',
      '[INFO] [db_utils] outside (pool: 2, engine: sqlite)',
    ]);
    expect(contexts[0]).toMatchObject({ session: 'abc123', turn: 't00c0ffee' });
  });

  it('reads no context of a line below the level: the bindings are merged only for lines written', () => {
    const dir = tempDir();
    logInto(dir, { STORYOS_LOG_LEVEL: 'INFO' });
    let reads = 0;
    const context = {
      get rows() {
        reads++;
        return 1;
      },
    };
    const db = getLogger('db_utils');
    withLogContext({ session: 's1' }, () => {
      db.debug('Database query executed: get_session', context);
      db.child({ engine: 'sqlite' }).debug('from a child', context);
    });
    expect(reads).toBe(0);
    withLogContext({ session: 's1' }, () => db.info('written', context));
    expect(reads).toBeGreaterThan(0);
    expect(linesOf(readLog(dir)).filter((line) => line.includes('[db_utils]'))).toEqual([
      expect.stringContaining('[INFO] [db_utils] written (rows: 1, session: s1)'),
    ]);
  });
});
