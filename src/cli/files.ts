import fs from 'node:fs';
import path from 'node:path';
import { UserFacingError } from '../config/errors.js';

function reason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file or directory';
  if (code === 'EISDIR') return 'it is a directory';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  return (error as Error).message;
}

/** Writes a file the user named; a bad path is one sentence, not a crash. */
export function writeUserFile(file: string, text: string): void {
  try {
    fs.writeFileSync(path.resolve(file), text);
  } catch (error) {
    throw new UserFacingError(`Cannot write ${file}: ${reason(error)}.`, 1);
  }
}

/** Reads a file the user named (`-` is standard input). */
export function readUserFile(file: string): string {
  try {
    return fs.readFileSync(file === '-' ? 0 : path.resolve(file), 'utf8');
  } catch (error) {
    throw new UserFacingError(`Cannot read ${file}: ${reason(error)}.`, 1);
  }
}
