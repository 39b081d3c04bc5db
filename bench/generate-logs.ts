import fs from 'node:fs';
import path from 'node:path';
import { formatTimestamp } from '../src/logging/format.js';

/** Deterministic pseudo-random numbers, so every run writes the same logs. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

const USERS = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'grace', 'heidi'];
const OPERATIONS = ['process_player_input', 'opening', 'summary_update', 'get_user_game_sessions', 'save_turn', 'load_session'];

function lineFor(rnd: () => number, time: string): string {
  const r = rnd();
  const user = USERS[Math.floor(rnd() * USERS.length)] as string;
  const session = `s${Math.floor(rnd() * 5000)
    .toString(16)
    .padStart(6, '0')}`;
  if (r < 0.02) {
    const op = OPERATIONS[Math.floor(rnd() * OPERATIONS.length)] as string;
    const seconds = (rnd() ** 3 * 6).toFixed(2);
    return `[${time}] [PERF] [game_logic] ${op} completed (duration: ${seconds}s, session: ${session}, user_id: ${user}, input_length: ${Math.floor(rnd() * 200)})\n`;
  }
  if (r < 0.025) {
    return `[${time}] [ERROR] [db_utils] Database operation failed (operation: save_turn, session: ${session}, error: connection reset)\n    Error: connection reset\n    at Socket.onEnd (node:net:123:45)\n    at SqliteStore.saveTurn (file:///app/dist/store/sqlite/store.js:88:13)\n    at async GameEngine.takeTurn (file:///app/dist/game/engine.js:140:7)\n`;
  }
  if (r < 0.05) return `[${time}] [WARN] [llm_utils] Rate limited by narrator, retrying (attempt: 2, retry_after: 1.50s, model: grok-4-fast-reasoning)\n`;
  if (r < 0.35)
    return `[${time}] [DEBUG] [db_utils] Database query executed: get_messages (rows: ${Math.floor(rnd() * 40)}, duration: 0.0${Math.floor(rnd() * 9)}s)\n`;
  if (r < 0.5) return `[${time}] [INFO] [auth] User ${user} logged in successfully (user_id: ${user}, duration: 0.1${Math.floor(rnd() * 9)}s)\n`;
  if (r < 0.75)
    return `[${time}] [INFO] [game_logic] User action: take_turn (user_id: ${user}, session: ${session}, input_length: ${Math.floor(rnd() * 120)})\n`;
  return `[${time}] [INFO] [llm_utils] API call: xai chat.completions (status: 200, duration: 1.${Math.floor(rnd() * 99)}s, retries: 0, tokens_in: ${Math.floor(rnd() * 4000)}, tokens_out: ${Math.floor(rnd() * 600)}, model: grok-4-fast-reasoning)\n`;
}

export interface GeneratedLogs {
  dir: string;
  files: string[];
  bytes: number;
  entries: number;
  perfEntries: number;
}

/**
 * Writes about `totalBytes` of StoryOS-format logs, time-ordered over the `days` before `endMs`,
 * as size-rotated files of `fileBytes` (`storyos.log.N` oldest … `storyos.log` newest).
 */
export function generateLogs(dir: string, totalBytes: number, fileBytes: number, endMs = Date.now(), days = 7): GeneratedLogs {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const rnd = random(42);
  const start = endMs - days * 86_400_000;
  const span = endMs - start;
  const parts: string[] = [];
  let written = 0;
  let entries = 0;
  let perfEntries = 0;
  let fileIndex = 0;
  let fileSize = 0;
  let pending: string[] = [];
  let pendingBytes = 0;
  const flush = () => {
    const name = path.join(dir, `part-${String(fileIndex).padStart(5, '0')}`);
    fs.appendFileSync(name, pending.join(''));
    if (!parts.includes(name)) parts.push(name);
    pending = [];
    pendingBytes = 0;
  };
  while (written < totalBytes) {
    const time = formatTimestamp(new Date(start + Math.floor((written / totalBytes) * span)));
    const line = lineFor(rnd, time);
    if (line.includes('] [PERF] [')) perfEntries++;
    if (fileSize + line.length > fileBytes) {
      flush();
      fileIndex++;
      fileSize = 0;
    }
    pending.push(line);
    pendingBytes += line.length;
    fileSize += line.length;
    written += line.length;
    entries++;
    if (pendingBytes > 4 << 20) flush();
  }
  flush();
  const files = parts.map((part, i) => {
    const target = path.join(dir, i === parts.length - 1 ? 'storyos.log' : `storyos.log.${parts.length - 1 - i}`);
    fs.renameSync(part, target);
    return target;
  });
  return { dir, files, bytes: written, entries, perfEntries };
}
