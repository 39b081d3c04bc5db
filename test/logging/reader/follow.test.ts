import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildFilter } from '../../../src/logging/reader/filter.js';
import { LogFollower } from '../../../src/logging/reader/tail.js';
import { rotateFile } from '../../../src/logging/rotation.js';
import { tempDir } from '../../support/temp.js';

const line = (i: number) => `[2024-01-15 10:30:15,123] [INFO] [app] entry ${i}\n`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('LogFollower', () => {
  it('shows every entry once, in order, when two rotations fall between polls', async () => {
    const dir = tempDir();
    const active = path.join(dir, 'storyos.log');
    fs.writeFileSync(active, line(0));
    const seen: string[] = [];
    const follower = new LogFollower(active, buildFilter({}), (e) => seen.push(e.text));
    follower.start(60_000);
    const policy = { type: 'size', maxBytes: 1_000_000, backups: 10 } as const;
    fs.appendFileSync(active, line(1));
    rotateFile(active, policy, { force: true });
    fs.appendFileSync(active, line(2) + line(3));
    rotateFile(active, policy, { force: true });
    fs.appendFileSync(active, line(4));
    follower.poll();
    // A writer that checked the path just before a rotation appends to the renamed file: still shown.
    fs.appendFileSync(`${active}.2`, line(5));
    await sleep(350);
    follower.poll();
    fs.appendFileSync(active, line(6));
    follower.poll();
    follower.stop();
    expect(seen).toEqual([1, 5, 2, 3, 4, 6].map((i) => line(i).trimEnd()));
  });
});
