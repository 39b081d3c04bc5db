import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { parseConfig } from '../../src/config/env.js';
import { UserFacingError } from '../../src/config/errors.js';
import { rotateNow } from '../../src/logging/maintenance.js';
import { tempDir } from '../support/temp.js';

afterEach(() => vi.restoreAllMocks());

describe('rotateNow on a directory it may not write', () => {
  it('fails with one sentence naming the directory and what to fix, exit code 1, and changes nothing', () => {
    const dir = tempDir();
    const active = path.join(dir, 'storyos.log');
    fs.writeFileSync(active, '[2024-01-15 10:30:15,123] [INFO] [app] kept\n');
    // Root writes anywhere: the refusal a non-root operator gets is simulated.
    vi.spyOn(fs, 'mkdirSync').mockImplementation(() => {
      throw Object.assign(new Error(`EACCES: permission denied, mkdir '${active}.lock'`), { code: 'EACCES' });
    });
    const log = { ...parseConfig({ STORYOS_LOG_DIR: dir }, dir).log, dir };
    let thrown: unknown;
    try {
      rotateNow(log, 'all');
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(UserFacingError);
    expect((thrown as UserFacingError).exitCode).toBe(1);
    expect((thrown as Error).message).toBe(
      `Cannot rotate storyos.log in ${dir}: StoryOS may not write there (EACCES); make the directory writable or set STORYOS_LOG_DIR (or --dir) to one that is.`,
    );
    expect(fs.readdirSync(dir)).toEqual(['storyos.log']);
    expect(fs.readFileSync(active, 'utf8')).toBe('[2024-01-15 10:30:15,123] [INFO] [app] kept\n');
  });
});
