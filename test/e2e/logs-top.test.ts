import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { formatTimestamp } from '../../src/logging/format.js';
import { BIN } from '../support/cli.js';
import { tempDir } from '../support/temp.js';
import { TmuxSession } from '../support/tmux.js';

const sessions: TmuxSession[] = [];
afterEach(() => {
  for (const s of sessions.splice(0)) s.stop();
});

const at = (secondsAgo: number) => formatTimestamp(new Date(Date.now() - secondsAgo * 1000));

/** `storyos logs top` in a terminal, after a line the shell printed, to see the screen given back. */
function launch(dir: string, args = ''): TmuxSession {
  const tmux = new TmuxSession({ columns: 90, rows: 30 });
  sessions.push(tmux);
  tmux.start(`echo BEFORE-TOP; env STORYOS_LOG_DIR=${dir} TERM=xterm-256color ${process.execPath} ${BIN} logs top --interval 0.3 ${args}`, dir);
  return tmux;
}

describe('storyos logs top in a terminal', () => {
  it('fills the alternate screen with the live view, cursor hidden, coloured by level; Ctrl+C gives the terminal back as it was, exit 130', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'storyos.log');
    fs.writeFileSync(file, `[${at(60)}] [INFO] [game_logic] User action: take_turn (user_id: alice, session: s1)\n`);
    const tmux = launch(dir);
    await tmux.waitFor('Requests 1 in 5 min');
    expect(tmux.terminalState().alternateScreen).toBe(true);
    expect(tmux.cursorVisible()).toBe(false);
    expect(tmux.screen()).not.toContain('BEFORE-TOP');

    fs.appendFileSync(file, `[${at(0)}] [ERROR] [db_utils] Database operation failed (operation: save_turn, error: locked)\n`);
    const view = await tmux.waitFor(/Errors 1 {3}Warnings 0/);
    expect(view).toMatch(/^storyos logs top {2}\d{4}-\d\d-\d\d \d\d:\d\d:\d\d {2}last 5 min of storyos\.log/);
    expect(view).toMatch(/Last error \d\d:\d\d:\d\d \[db_utils\] Database operation failed/);
    // The error count and the last error in the error level's red (other styles and resets left out).
    const onlyRed = tmux.screenWithEscapes().replace(/\u001b\[(?!31m)[0-9;]*m/g, '');
    expect(onlyRed).toContain('Errors \u001b[31m1');
    expect(onlyRed).toContain('\u001b[31mDatabase operation failed');

    await tmux.keys('C-c');
    await tmux.waitFor('EXITED 130');
    expect(tmux.terminalState().alternateScreen).toBe(false);
    expect(tmux.cursorVisible()).toBe(true);
    const after = tmux.screen();
    expect(after).toContain('BEFORE-TOP');
    expect(after).not.toContain('Requests');
  });

  it("cuts the view to the terminal's width, and ends with q like top, exit 0", async () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'storyos.log'), `[${at(30)}] [ERROR] [llm_utils] Narration failed (error: ${'x'.repeat(120)})\n`);
    const tmux = launch(dir);
    const view = await tmux.waitFor('Errors 1');
    const lines = view.split('\n');
    expect(lines.some((l) => /^ {2}Last error .*x…$/.test(l))).toBe(true);
    for (const l of lines) expect(Array.from(l).length).toBeLessThanOrEqual(90);
    await tmux.type('q');
    await tmux.waitFor('EXITED 0');
    expect(tmux.terminalState().alternateScreen).toBe(false);
    expect(tmux.cursorVisible()).toBe(true);
  });

  it('on SIGTERM gives the terminal back too, exit 143; a log not written yet shows once it is', async () => {
    const dir = tempDir();
    const tmux = launch(dir);
    await tmux.waitFor('No entries yet');
    fs.writeFileSync(path.join(dir, 'storyos.log'), `[${at(0)}] [INFO] [game_logic] User action: take_turn (user_id: alice, session: s1)\n`);
    await tmux.waitFor('Sessions 1 active   Users 1 active');
    tmux.signalProgram('SIGTERM');
    await tmux.waitFor('EXITED 143');
    expect(tmux.terminalState().alternateScreen).toBe(false);
    expect(tmux.cursorVisible()).toBe(true);
  });
});
