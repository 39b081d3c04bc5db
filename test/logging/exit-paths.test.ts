import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runNode } from '../support/cli.js';
import { tempDir } from '../support/temp.js';

const WRITER = fileURLToPath(new URL('../support/exit-writer.mjs', import.meta.url));

describe('every exit path keeps every line', () => {
  it.each(['exit', 'throw', 'kill'])('when the process leaves by %s right after logging', (how) => {
    const dir = tempDir();
    const result = runNode(WRITER, ['2000', how], { cwd: dir, env: { STORYOS_LOG_DIR: dir } });
    expect(result.code === 0).toBe(false);
    const text = fs.readFileSync(path.join(dir, 'storyos.log'), 'utf8');
    const numbers = [...text.matchAll(/entry (\d+) written/g)].map((m) => Number(m[1]));
    expect(numbers).toEqual(Array.from({ length: 2000 }, (_, i) => i));
  });
});
