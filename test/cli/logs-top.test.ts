import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatTimestamp } from '../../src/logging/format.js';
import { exited, runCli, startCli } from '../support/cli.js';
import { tempDir } from '../support/temp.js';
import { until } from '../support/wait.js';

const at = (secondsAgo: number) => formatTimestamp(new Date(Date.now() - secondsAgo * 1000));

function writeLog(dir: string): string {
  const file = path.join(dir, 'storyos.log');
  fs.writeFileSync(
    file,
    `[${at(3600)}] [INFO] [game_logic] User action: take_turn (user_id: old, session: s0)\n` +
      `[${at(120)}] [INFO] [game_logic] User action: take_turn (user_id: alice, session: s1)\n` +
      `[${at(100)}] [PERF] [game_logic] process_player_input completed (duration: 2.00s, session: s1, user_id: alice)\n` +
      `[${at(90)}] [WARN] [llm_utils] Rate limited (attempt: 2)\n`,
  );
  return file;
}

/** The snapshots of plain output: each starts with its header line, which holds its time. */
const snapshots = (out: string) => out.split(/^(?=storyos logs top {2}\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)/m).filter(Boolean);

function watch(dir: string, ...args: string[]) {
  const child = startCli(['logs', 'top', ...args], { cwd: dir, env: { STORYOS_LOG_DIR: dir } });
  const output = { stdout: '', stderr: '' };
  child.stdout?.on('data', (d: Buffer) => (output.stdout += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output.stderr += d.toString()));
  return { child, output };
}

describe('storyos logs top, piped', () => {
  it('prints one plain snapshot per interval, the last minutes read at start and then what is appended, and stops after --iterations', async () => {
    const dir = tempDir();
    const file = writeLog(dir);
    const { child, output } = watch(dir, '--iterations', '2', '--interval', '1.5');
    expect(await until(() => snapshots(output.stdout).length === 1 && output.stdout.includes('Operations (PERF)'), 10_000)).toBe(true);
    fs.appendFileSync(
      file,
      `[${at(0)}] [INFO] [game_logic] User action: take_turn (user_id: bob, session: s2)\n` +
        `[${at(0)}] [INFO] [llm_utils] API call: openai chat.completions (status: 200, duration: 1.10s, retries: 0, session: s2)\n` +
        `[${at(0)}] [PERF] [game_logic] process_player_input completed (duration: 4.00s, session: s2, user_id: bob)\n` +
        `[${at(0)}] [ERROR] [db_utils] Database operation failed (operation: save_turn, error: locked)\n    Error: locked\n`,
    );
    expect(await exited(child)).toBe(0);
    expect(output.stderr).toBe('');
    const [first, second, ...more] = snapshots(output.stdout);
    expect(more).toEqual([]);
    // The action of an hour ago is out of the window: one user, one session.
    expect(first).toContain('Sessions 1 active   Users 1 active');
    expect(first).toContain('Requests 1 in 5 min (0.2/min), last minute 0');
    expect(first).toContain('Errors 0   Warnings 1');
    expect(first).toMatch(/process_player_input +1 +2\.00s +2\.00s/);
    expect(second).toContain('Sessions 2 active   Users 2 active');
    expect(second).toContain('Requests 3 in 5 min (0.6/min), last minute 2');
    expect(second).toContain('Errors 1   Warnings 1');
    expect(second).toMatch(/Last error \d\d:\d\d:\d\d \[db_utils\] Database operation failed \(operation: save_turn, error: locked\)/);
    expect(second).toMatch(/process_player_input +2 +2\.00s +4\.00s/);
    // Plain text: no colour, no cursor movement.
    expect(output.stdout).not.toContain('\u001b');
  });

  it('tells when the log was last written to when nothing is in the window, and ends on a signal with 128 + its number', async () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'storyos.log'), `[${at(7200)}] [INFO] [app] Started\n`);
    for (const [signal, code] of [
      ['SIGINT', 130],
      ['SIGTERM', 143],
    ] as const) {
      const { child, output } = watch(dir, '--interval', '0.2');
      expect(await until(() => snapshots(output.stdout).length >= 2, 10_000)).toBe(true);
      child.kill(signal);
      expect(await exited(child)).toBe(code);
      expect(output.stdout).toMatch(/^Last entry \d{4}-\d\d-\d\d \d\d:\d\d:\d\d \(2 h ago\) {3}0 in the window$/m);
    }
  });

  it('says what to fix for a bad --minutes, --interval or --iterations, exit 2', () => {
    const dir = tempDir();
    writeLog(dir);
    for (const [option, value] of [
      ['--minutes', '0'],
      ['--minutes', '1.5'],
      ['--minutes', '2000'],
      ['--interval', 'soon'],
      ['--iterations', '-1'],
    ]) {
      const result = runCli(['logs', 'top', option as string, value as string], { cwd: dir, env: { STORYOS_LOG_DIR: dir } });
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(new RegExp(`^storyos: Invalid ${option} value "${value}": use [^\\n]+\\.\\n$`));
    }
  });
});
