import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { tempDir } from '../support/temp.js';

describe('the command line', () => {
  it('takes the program’s own options before a command', () => {
    const dir = tempDir();
    expect(runCli(['users', 'add', 'alice', '--password-stdin'], { cwd: dir, input: 'password123\n' }).code).toBe(0);
    const listed = runCli(['-v', 'users', 'list'], { cwd: dir });
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(/^alice\s+user/m);
    expect(listed.stderr).toContain('[app] Logging configured');
    const config = runCli(['--verbose', 'logs', 'config'], { cwd: dir });
    expect(config.code).toBe(0);
    expect(config.stdout).toContain('Settings');
    expect(runCli(['-v', '--version'], { cwd: dir }).stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
  });

  it('answers a usage error in one line, with the likely fix', () => {
    const dir = tempDir();
    const cases: Array<[string[], string]> = [
      [['play', '-offline'], "storyos: Unknown option '-offline' (did you mean --offline?)\n"],
      [['logs', 'tail', '-follow'], "storyos: Unknown option '-follow' (did you mean --follow?)\n"],
      [['logs', 'grep', '-since', '1d'], "storyos: Unknown option '-since' (did you mean --since?)\n"],
      [['users', 'list', '--jsn'], "storyos: Unknown option '--jsn' (did you mean --json?)\n"],
      [['users', 'unlock', '-bob'], "storyos: Unknown option '-bob' (a value that starts with '-' goes after --, as in `-- -bob`)\n"],
      [['users', 'unlock', '--frobnicate', '--', '-json'], "storyos: Unknown option '--frobnicate'\n"],
    ];
    for (const [args, message] of cases) {
      const result = runCli(args, { cwd: dir });
      expect({ args, code: result.code, stderr: result.stderr }).toEqual({ args, code: 2, stderr: message });
    }
  });
});
