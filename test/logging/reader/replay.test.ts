import { describe, expect, it } from 'vitest';
import { formatContext, type LogContext } from '../../../src/logging/format.js';
import { parseEntry } from '../../../src/logging/reader/entry.js';
import { buildReplay, renderReplay, replayEvent } from '../../../src/logging/reader/replay.js';

/** A line as the writer makes it (so the context is escaped as in a real file). */
const line = (time: string, level: string, module: string, message: string, context?: LogContext, stack = '') =>
  parseEntry(`[2024-01-15 ${time}] [${level}] [${module}] ${message}${formatContext(context, message)}${stack}`);

const S = 'abc123';
const t1 = { session: S, turn: 't00000001' };
const t2 = { session: S, turn: 't00000002' };

const GAME = [
  line('10:00:00,000', 'INFO', 'game_logic', 'User action: new_game', { user_id: 'alice', session: S, scenario: 'neon-rain', turn: 't00000001' }),
  line('10:00:00,100', 'INFO', 'llm_utils', 'API call: llm chat.completions (stream)', {
    status: 200,
    duration: '1.20s',
    retries: 0,
    tokens_in: 900,
    tokens_out: 120,
    model: 'grok-4',
    purpose: 'opening',
    attempt: 1,
    ttft: '0.40s',
    chunks: 30,
    finish_reason: 'stop',
    ...t1,
  }),
  line('10:00:00,101', 'PERF', 'llm_utils', 'llm_stream completed', { duration: '1.20s', purpose: 'opening', ...t1 }),
  line('10:00:01,300', 'PERF', 'game_logic', 'opening completed', { duration: '1.30s', session: S, db_ops: 6, db_time: '0.04s', turn: 't00000001' }),
  line('10:00:02,000', 'INFO', 'game_logic', 'User action: take_turn', { user_id: 'alice', session: S, input_length: 45, turn: 't00000002' }),
  // The first turn's background state update, written after the next turn began: it stays in its turn.
  line('10:00:02,050', 'PERF', 'game_logic', 'summary_update completed', { duration: '0.90s', session: S, turn: 't00000001' }),
  line('10:00:02,100', 'WARN', 'llm_utils', 'LLM request failed, retrying', {
    purpose: 'turn',
    model: 'grok-4',
    attempt: 1,
    kind: 'rate_limit',
    status: 429,
    retry_in: '1.00s',
    ...t2,
  }),
  line('10:00:03,200', 'INFO', 'llm_utils', 'API call: llm chat.completions (stream)', {
    status: 200,
    duration: '0.80s',
    retries: 1,
    tokens_in: 1000,
    tokens_out: 80,
    model: 'grok-4',
    purpose: 'turn',
    attempt: 2,
    ttft: '0.30s',
    ...t2,
  }),
  line('10:00:03,201', 'PERF', 'llm_utils', 'llm_stream completed', { duration: '0.80s', purpose: 'turn', waited: '1.00s', ...t2 }),
  line(
    '10:00:03,300',
    'ERROR',
    'db_utils',
    'Database operation failed: append_messages',
    { operation: 'append_messages', engine: 'sqlite', error: 'SQLITE_BUSY', ...t2 },
    '\n    Error: SQLITE_BUSY\n    at write (store.js:1:1)',
  ),
  line('10:00:03,400', 'PERF', 'game_logic', 'process_player_input completed', {
    duration: '1.40s',
    session: S,
    input_length: 45,
    db_ops: 9,
    db_time: '0.11s',
    turn: t2.turn,
  }),
];

describe('the replay of a game', () => {
  it('groups lines by turn id, in the order turns began, with the header, the retries and the database count', () => {
    const story = buildReplay(S, GAME);
    expect(story).toMatchObject({
      session: S,
      user: 'alice',
      scenario: 'neon-rain',
      first: '2024-01-15 10:00:00,000',
      last: '2024-01-15 10:00:03,400',
      lines: 11,
    });
    expect(story.turns.map((t) => [t.id, t.kind, t.duration, t.db])).toEqual([
      ['t00000001', 'new_game', '1.30s', { count: 6, seconds: 0.04, source: 'perf' }],
      ['t00000002', 'take_turn', '1.40s', { count: 9, seconds: 0.11, source: 'perf' }],
    ]);
    expect(story.turns[0]?.events.map((e) => e.type)).toEqual(['action', 'llm', 'perf', 'perf']);
    expect(story.turns[1]?.events.map((e) => e.type)).toEqual(['action', 'retry', 'llm', 'problem', 'perf']);
    // The stream's PERF line only adds its wait to the call.
    expect(story.turns[1]?.events[2]).toMatchObject({ type: 'llm', attempt: 2, retries: 1, ttft: '0.30s', tokensIn: 1000, tokensOut: 80, waited: '1.00s' });
  });

  it('renders each turn as lines: action by length at INFO, TTFT and tokens, the retry, the error with its stack', () => {
    const text = renderReplay(buildReplay(S, GAME));
    expect(text).toBe(
      [
        'Session abc123',
        '  player    alice',
        '  scenario  neon-rain',
        '  from      2024-01-15 10:00:00,000',
        '  to        2024-01-15 10:00:03,400',
        '  11 lines, 2 turns with an id',
        '',
        't00000001  new_game  10:00:00.000, 1.30s, database 6 operations in 0.04s',
        '  10:00:00.000  action     new_game (scenario: neon-rain)',
        '  10:00:00.100  llm        grok-4 opening (stream): status 200, attempt 1, TTFT 0.40s, tokens 900 in / 120 out, duration 1.20s, 30 chunks',
        '  10:00:01.300  perf       opening 1.30s',
        '  10:00:02.050  perf       summary_update 0.90s',
        '',
        't00000002  take_turn  10:00:02.000, 1.40s, database 9 operations in 0.11s',
        '  10:00:02.000  action     take_turn (45 characters)',
        '  10:00:02.100  retry      grok-4 turn attempt 1 failed (rate_limit 429); again in 1.00s',
        '  10:00:03.200  llm        grok-4 turn (stream): status 200, attempt 2, 1 retry, TTFT 0.30s, tokens 1000 in / 80 out, duration 0.80s, waited 1.00s',
        '  10:00:03.300  error      [db_utils] Database operation failed: append_messages (operation: append_messages, engine: sqlite, error: SQLITE_BUSY)',
        '      Error: SQLITE_BUSY',
        '      at write (store.js:1:1)',
        '  10:00:03.400  perf       process_player_input 1.40s (input_length: 45)',
        '',
      ].join('\n'),
    );
  });

  it("shows the player's words and the narration from DEBUG lines, and counts DEBUG database lines when no PERF line does", () => {
    const story = buildReplay(S, [
      line('10:00:00,000', 'INFO', 'game_logic', 'User action: take_turn', { user_id: 'alice', input_length: 9, ...t1 }),
      line('10:00:00,001', 'DEBUG', 'game_logic', 'Player action', { text: 'I look up.', ...t1 }),
      line('10:00:00,002', 'DEBUG', 'db_utils', 'Database query executed: get_session', { rows: 1, duration: '0.01s', engine: 'sqlite', ...t1 }),
      line('10:00:00,003', 'DEBUG', 'db_utils', 'Database query executed: append_messages', { rows: 1, duration: '0.02s', engine: 'sqlite', ...t1 }),
      line('10:00:00,004', 'DEBUG', 'llm_utils', 'LLM prompt', { purpose: 'turn', prompt: 'x'.repeat(50), ...t1 }),
      line('10:00:00,500', 'DEBUG', 'llm_utils', 'LLM narration', { purpose: 'turn', text: `Stars, (wheeling)\nabove.${'!'.repeat(300)}`, ...t1 }),
    ]);
    expect(story.turns[0]?.db).toEqual({ count: 2, seconds: 0.03, source: 'debug' });
    const text = renderReplay(story);
    expect(text).toContain('action     take_turn “I look up.”\n');
    expect(text).toContain('db         get_session, 1 row, 0.01s\n');
    expect(text).toContain('prompt     turn 50 characters of prompt\n');
    // The narration as the line holds it (its newline a visible escape, counted as written), cut after 240 characters unless --full.
    expect(text).toMatch(/narration {2}“Stars, \(wheeling\)\\nabove\.!+…” \(325 characters\)\n/);
    expect(renderReplay(story, { full: true })).toContain(`“Stars, (wheeling)\\nabove.${'!'.repeat(300)}”`);
  });

  it("groups lines without a turn id (older logs) at each user action, a slash command's line with the action it leads to", () => {
    const story = buildReplay(S, [
      line('10:00:00,000', 'INFO', 'game_logic', 'User action: take_turn', { user_id: 'bob', session: S, input_length: 3 }),
      line('10:00:01,000', 'PERF', 'game_logic', 'process_player_input completed', { duration: '1.00s', session: S }),
      line('10:00:02,000', 'INFO', 'game_logic', 'User action: command /undo', { user_id: 'bob', session: S }),
      line('10:00:02,100', 'INFO', 'game_logic', 'User action: undo', { user_id: 'bob', session: S }),
      line('10:00:02,200', 'PERF', 'game_logic', 'undo completed', { duration: '0.02s', session: S }),
      line('10:00:03,000', 'INFO', 'game_logic', 'User action: command /quit', { user_id: 'bob', ...t1 }),
    ]);
    expect(story.turns.map((t) => [t.id, t.kind, t.events.length])).toEqual([
      [null, 'take_turn', 2],
      [null, 'undo', 3], // the slash command's line, the action, its PERF line
      ['t00000001', 'command /quit', 1],
    ]);
    expect(story.scenario).toBeNull();
    const text = renderReplay(story);
    expect(text).toContain('  scenario  unknown (its new_game line is not in these logs)\n');
    expect(text).toContain('  6 lines, 1 turn with an id, 2 groups of lines without one\n');
    expect(text).toContain('(no turn id)  take_turn  10:00:00.000, 1.00s\n');
  });

  it('says on the turn and first on its narrator line that the player cancelled it, and how other answers ended', () => {
    const call = (time: string, finish: string, turn: string) =>
      line(time, 'INFO', 'llm_utils', 'API call: llm chat.completions (stream)', {
        status: 200,
        model: 'grok-4',
        purpose: 'turn',
        finish_reason: finish,
        session: S,
        turn,
      });
    const story = buildReplay(S, [
      line('10:00:00,000', 'INFO', 'game_logic', 'User action: take_turn', { user_id: 'bob', session: S, turn: 't1' }),
      call('10:00:01,000', 'cancelled', 't1'),
      line('10:00:02,000', 'INFO', 'game_logic', 'User action: take_turn', { user_id: 'bob', session: S, turn: 't2' }),
      call('10:00:03,000', 'length', 't2'),
      line('10:00:04,000', 'INFO', 'game_logic', 'User action: take_turn', { user_id: 'bob', session: S, turn: 't3' }),
      call('10:00:05,000', 'stop', 't3'),
    ]);
    const text = renderReplay(story);
    expect(text).toContain('t1  take_turn  10:00:00.000, cancelled by the player\n');
    expect(text).toContain('llm        grok-4 turn (stream): cancelled by the player; status 200\n');
    expect(text).toContain('llm        grok-4 turn (stream): cut at the token limit; status 200\n');
    expect(text).toContain('llm        grok-4 turn (stream): status 200\n');
    expect(text.match(/cancelled by the player/g)).toHaveLength(2);
  });

  it('prints no control character from a line, whatever its fields hold', () => {
    const raw = parseEntry(`[2024-01-15 10:00:00,000] [WARN] [llm_utils] odd \u001b[31m (session: ${S}, turn: t1, detail: \u001b]0;x\u0007)`);
    const text = renderReplay(buildReplay(S, [raw]));
    expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f]/);
    expect(text).toContain('\\u001b');
    expect(replayEvent(raw)).toMatchObject({ type: 'problem', level: 'WARN' });
  });
});
