/**
 * An lnav (https://lnav.org) format definition for StoryOS's log lines (SPEC §3), written for
 * lnav 0.11: `[2024-01-15 10:30:15,123] [PERF] [game_logic] message (key: value, …)`, stack
 * traces on the indented lines that follow. lnav makes it a SQL table, `storyos_log`, with the
 * module, the message, the context keys below as columns and `duration` in seconds as a number.
 */

import { type LineLevel, spellingsOf } from './levels.js';

/** lnav's pattern for a level as a line spells it, Python's names included (`^(?:WARN|WARNING)$`). */
const spelt = (level: LineLevel) => `^(?:${spellingsOf(level).join('|')})$`;

/** The name of the format, and of its SQL table in lnav. */
export const LNAV_FORMAT_NAME = 'storyos_log' as const;

/** Context keys that become columns of their own (besides `duration`, which is a number). */
export const LNAV_CONTEXT_COLUMNS = ['session', 'user_id', 'operation', 'model', 'status', 'error'] as const;

// lnav matches a pattern against a whole entry, stack trace included (`.` matches a newline):
// the header's fields stay on its first line.
/** A character of the header line. */
const LINE = String.raw`[^\n]`;
/** The end of the header line: the end of the entry, or the newline before its stack trace. */
const END = String.raw`(?![^\n])`;
// The pieces of a context as escape.ts writes it: a backslash escapes the next character, `, `
// separates fields, `: ` ends a key, and parentheses inside a key or value always pair up (an
// unpaired one is escaped). `(\((?:…|(?-1))*\))` is a paired group, nested to any depth.
const PAIRED = String.raw`(\((?:\\.|[^\\()\n]|(?-1))*\))`;
const VALUE = String.raw`(?:\\.|[^\\,()\n]|,(?! )|${PAIRED})*`;
const KEY = String.raw`(?:\\.|[^\\,():\n]|[,:](?! )|${PAIRED})+`;
const FIELD = `${KEY}: ${VALUE}`;
/** The context: `(` and the fields up to the line's final `)`. Its `(` is the one paired with that `)`. */
const CONTEXT = String.raw`\((?:${FIELD}(?:, ${FIELD})*)?\)${END}`;

const HEADER = String.raw`^\[(?<timestamp>\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2},\d{3})\] \[(?<level>[A-Z]+)\] \[(?<module>[^\]\n]+)\] `;

/** At the context's `(`: the value of one key (its first, as the reader takes), when the context has that key. */
function contextColumn(key: string, capture: string): string {
  return String.raw`(?:(?=\((?:${FIELD}, )*?${key}: ${capture}(?:, |\)${END})))?`;
}

/**
 * One pattern: lnav tries first the pattern that matched the line before, so a second pattern for
 * lines without a context would also take the lines with one. The message ends where the context
 * starts, or with the header line; the body is the message, the context and the stack trace.
 */
const PATTERN =
  `${HEADER}(?<body>(?<message>${LINE}*?)(?: (?=${CONTEXT})` +
  contextColumn('duration', String.raw`(?<duration>\d+(?:\.\d+)?)s`) +
  LNAV_CONTEXT_COLUMNS.map((key) => contextColumn(key, `(?<${key}>${VALUE})`)).join('') +
  `|${END})` +
  String.raw`[\s\S]*)$`;

const SAMPLES = [
  '[2024-01-15 10:30:16,234] [DEBUG] [db_utils] Database query executed: get_user_game_sessions (rows: 3, duration: 0.05s)',
  '[2024-01-15 10:30:15,123] [INFO] [auth] User action: login (user_id: alice, duration: 0.15s)',
  '[2024-01-15 10:30:17,345] [PERF] [game_logic] process_player_input completed (duration: 2.34s, session: abc123, input_length: 45, response_length: 234)',
  '[2024-01-15 10:30:18,456] [WARN] [llm_utils] API call: openai chat.completions (status: 429, duration: 1.20s, retries: 1, model: gpt-4o-mini)',
  '[2024-01-15 10:30:19,567] [ERROR] [db_utils] save_turn failed (operation: save_turn, duration: 0.01s, session: abc123, error: database is locked)\n    Error: database is locked\n    at save (store.js:1:1)',
  '[2024-01-15 10:30:20,678] [FATAL] [app] Unexpected error, exiting (error: out of memory)',
  '[2024-01-15 10:30:21,789] [INFO] [cli] Logging configured: level INFO, rotation size',
  '[2025-01-15 10:30:22,890] [WARNING] [auth] Failed login (user_id: bob, attempt: 3)',
  '[2025-01-15 10:30:23,901] [CRITICAL] [app] Out of disk',
];

/** The parts of lnav's format-v1 schema this format uses. */
export interface LnavFormatDefinition {
  title: string;
  description: string;
  url: string;
  regex: Record<string, { pattern: string }>;
  'timestamp-format': string[];
  'level-field': string;
  level: Record<string, string>;
  'body-field': string;
  multiline: boolean;
  value: Record<string, { kind: 'string' | 'integer' | 'float'; identifier?: boolean; description: string }>;
  sample: Array<{ line: string }>;
}

export interface LnavFormatFile {
  $schema: string;
  [LNAV_FORMAT_NAME]: LnavFormatDefinition;
}

/** The format file `lnav -i` installs: one format, `storyos_log`. */
export function lnavFormat(): LnavFormatFile {
  return {
    $schema: 'https://lnav.org/schemas/format-v1.schema.json',
    [LNAV_FORMAT_NAME]: {
      title: 'StoryOS log',
      description: "StoryOS's log (storyos.log, storyos_errors.log): [time] [LEVEL] [module] message (key: value, …); PERF is lnav's stats level.",
      url: 'https://lnav.org/',
      regex: {
        line: { pattern: PATTERN },
      },
      'timestamp-format': ['%Y-%m-%d %H:%M:%S,%L'],
      'level-field': 'level',
      level: {
        debug: spelt('DEBUG'),
        info: spelt('INFO'),
        stats: spelt('PERF'),
        warning: spelt('WARN'),
        error: spelt('ERROR'),
        fatal: spelt('FATAL'),
      },
      'body-field': 'body',
      multiline: true,
      value: {
        module: { kind: 'string', identifier: true, description: 'the StoryOS category: app, auth, db_utils, llm_utils, game_logic, cli, tui' },
        message: { kind: 'string', description: 'the message, without its context' },
        duration: { kind: 'float', description: 'the duration field, in seconds' },
        session: { kind: 'string', identifier: true, description: 'the game session' },
        user_id: { kind: 'string', identifier: true, description: 'the user' },
        operation: { kind: 'string', identifier: true, description: 'the operation that failed or was timed' },
        model: { kind: 'string', identifier: true, description: 'the language model of an LLM call' },
        status: { kind: 'string', identifier: true, description: 'the status of an API call' },
        error: { kind: 'string', description: 'the error message' },
      },
      sample: SAMPLES.map((line) => ({ line })),
    },
  };
}

/** The format file's text, as printed by `storyos logs lnav` and installed by `--install`. */
export function lnavFormatText(): string {
  return `${JSON.stringify(lnavFormat(), null, 2)}\n`;
}
