import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { tempDir } from '../support/temp.js';

const cli = (dir: string, args: string[], input?: string, env: Record<string, string> = {}) =>
  runCli(args, { cwd: dir, env, ...(input === undefined ? {} : { input }) });

describe('export -o FILE', () => {
  it('never replaces a file there already without --force (scenarios and sessions)', () => {
    const dir = tempDir();
    const file = path.join(dir, 'out.md');
    fs.writeFileSync(file, 'my notes');
    const refused = cli(dir, ['scenarios', 'export', 'neon-rain', '-o', 'out.md']);
    expect([refused.code, refused.stdout, refused.stderr.trim()]).toEqual([1, '', `storyos: ${file} exists already: add --force to replace it.`]);
    expect(fs.readFileSync(file, 'utf8')).toBe('my notes');
    const forced = cli(dir, ['scenarios', 'export', 'neon-rain', '-o', 'out.md', '--force']);
    expect([forced.code, forced.stdout]).toEqual([0, 'Wrote out.md.\n']);
    expect(fs.readFileSync(file, 'utf8')).toContain('- **Name**: Neon Rain');

    expect(cli(dir, ['users', 'add', 'alice', '--password-stdin'], 'a long password\n').code).toBe(0);
    expect(
      cli(dir, ['play', '--headless', '--user', 'alice', '--new', 'neon-rain', '--offline'], '/quit\n', { STORYOS_PASSWORD: 'a long password' }).code,
    ).toBe(0);
    const [session] = JSON.parse(cli(dir, ['sessions', 'list', '--json']).stdout) as Array<{ id: string }>;
    const again = cli(dir, ['sessions', 'export', session!.id, '-o', 'out.md']);
    expect([again.code, again.stderr.trim()]).toEqual([1, `storyos: ${file} exists already: add --force to replace it.`]);
    expect(fs.readFileSync(file, 'utf8')).toContain('- **Name**: Neon Rain');
    const replaced = cli(dir, ['sessions', 'export', session!.id, '-o', 'out.md', '--force']);
    expect(replaced.code).toBe(0);
    expect(fs.readFileSync(file, 'utf8')).toContain('# Neon Rain');
    const fresh = cli(dir, ['sessions', 'export', session!.id, '-o', 'new.md']);
    expect([fresh.code, fresh.stdout]).toEqual([0, 'Wrote new.md.\n']);
  });
});
