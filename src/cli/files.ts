import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { UserFacingError } from '../config/errors.js';

/** Why a file could not be read or written, in a few words (the common cases), else the system's message. */
export function fileErrorReason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file or directory';
  if (code === 'EISDIR') return 'it is a directory';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  return (error as Error).message;
}

/** `~` and `~/…` in a path typed in the game, which no shell expands: the user's home folder. */
export function expandHome(file: string): string {
  if (file === '~') return os.homedir();
  if (file.startsWith('~/')) return path.join(os.homedir(), file.slice(2));
  return file;
}

/** A file that is there already and was not to be replaced; `file` is its full path. */
export class FileExistsError extends UserFacingError {
  readonly code = 'EEXIST';

  constructor(
    readonly file: string,
    howToReplace: string,
  ) {
    super(`${file} exists already: ${howToReplace}.`, 1);
  }
}

/**
 * Writes a file the user named; a bad path is one sentence, not a crash. Unless `replace`, a
 * file that is there already is left as it is (FileExistsError, whose sentence ends with
 * `howToReplace`).
 */
export function writeUserFile(
  file: string,
  text: string,
  { replace = true, howToReplace = 'it was left as it is' }: { replace?: boolean; howToReplace?: string } = {},
): void {
  const target = path.resolve(file);
  try {
    fs.writeFileSync(target, text, { flag: replace ? 'w' : 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw new FileExistsError(target, howToReplace);
    throw new UserFacingError(`Cannot write ${file}: ${fileErrorReason(error)}.`, 1);
  }
}

/** Reads a file the user named (`-` is standard input). */
export function readUserFile(file: string): string {
  try {
    return fs.readFileSync(file === '-' ? 0 : path.resolve(file), 'utf8');
  } catch (error) {
    throw new UserFacingError(`Cannot read ${file}: ${fileErrorReason(error)}.`, 1);
  }
}
