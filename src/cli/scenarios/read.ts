import fs from 'node:fs';
import path from 'node:path';
import { UserFacingError } from '../../config/errors.js';
import { parseScenarioFileAs, type ScenarioFileFormat } from '../../game/cards.js';
import type { ScenarioFields } from '../../store/types.js';
import { fileErrorReason } from '../files.js';

/** The largest file read as a scenario: a card's PNG with its picture is some megabytes. */
const MAX_SCENARIO_FILE_BYTES = 32 * 1024 * 1024;

const tooLarge = (file: string) => new UserFacingError(`${file} is larger than ${MAX_SCENARIO_FILE_BYTES / 1024 / 1024} MiB: no scenario or card is.`, 2);

/** The file's bytes (`-`: standard input), refused before it is read when it is larger than any scenario. */
function readBounded(file: string): Buffer {
  const target = file === '-' ? 0 : path.resolve(file);
  if (target !== 0 && fs.statSync(target).size > MAX_SCENARIO_FILE_BYTES) throw tooLarge(file);
  const bytes = fs.readFileSync(target);
  if (bytes.length > MAX_SCENARIO_FILE_BYTES) throw tooLarge(file);
  return bytes;
}

/**
 * Reads a scenario file the user named (`-` is standard input) as bytes, and parses it: the v2
 * Markdown format, JSON, or a character card (JSON or PNG). The one reader of `storyos scenarios
 * import` and the TUI's import; a bad path or file is one sentence.
 */
export function readScenarioFile(file: string): { fields: ScenarioFields; format: ScenarioFileFormat } {
  let bytes: Buffer;
  try {
    bytes = readBounded(file);
  } catch (error) {
    if (error instanceof UserFacingError) throw error;
    throw new UserFacingError(`Cannot read ${file}: ${fileErrorReason(error)}.`, 1);
  }
  return parseScenarioFileAs(bytes, file);
}
