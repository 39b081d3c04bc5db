import fs from 'node:fs';
import path from 'node:path';
import { UserFacingError } from '../../config/errors.js';
import { parseScenarioFileAs, type ScenarioFileFormat } from '../../game/cards.js';
import type { ScenarioFields } from '../../store/types.js';

function reason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file or directory';
  if (code === 'EISDIR') return 'it is a directory';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  return (error as Error).message;
}

/**
 * Reads a scenario file the user named (`-` is standard input) as bytes, and parses it: the v2
 * Markdown format, JSON, or a character card (JSON or PNG). The one reader of `storyos scenarios
 * import` and the TUI's import; a bad path or file is one sentence.
 */
export function readScenarioFile(file: string): { fields: ScenarioFields; format: ScenarioFileFormat } {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file === '-' ? 0 : path.resolve(file));
  } catch (error) {
    throw new UserFacingError(`Cannot read ${file}: ${reason(error)}.`, 1);
  }
  return parseScenarioFileAs(bytes, file);
}
