import { execFileSync } from 'node:child_process';
import { until } from './wait.js';

/** Between two keys or lines: faster than any person, slower than a re-render. */
const PAUSE_MS = 150;

/** A program running in tmux on a private socket, driven like a person at a terminal. */
export class TmuxSession {
  private readonly socket = `storyos-test-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  private readonly name = 'main';

  constructor(private readonly size: { columns: number; rows: number } = { columns: 100, rows: 30 }) {}

  private tmux(...args: string[]): string {
    return execFileSync('tmux', ['-L', this.socket, ...args], { encoding: 'utf8' });
  }

  /** Starts `command` (a shell line) in `cwd`; `; echo EXITED $?` marks its end on the screen. */
  start(command: string, cwd: string): void {
    this.tmux(
      'new-session',
      '-d',
      '-s',
      this.name,
      '-x',
      String(this.size.columns),
      '-y',
      String(this.size.rows),
      '-c',
      cwd,
      `${command}; echo "EXITED $?"; sleep 600`,
    );
  }

  /** Sends keys the way tmux names them (`Enter`, `Down`, `C-c`), then pauses as a person would. */
  async keys(...keys: string[]): Promise<void> {
    this.tmux('send-keys', '-t', this.name, ...keys);
    await new Promise((r) => setTimeout(r, PAUSE_MS));
  }

  /** Types text literally (a trailing `\r` presses Enter), then pauses. */
  async type(text: string): Promise<void> {
    this.tmux('send-keys', '-t', this.name, '-l', text);
    await new Promise((r) => setTimeout(r, PAUSE_MS));
  }

  /** Sends a signal to the program the pane runs (the shell's child), as a closed terminal or `kill` would. */
  signalProgram(signal: NodeJS.Signals): void {
    const shell = this.tmux('display-message', '-p', '-t', this.name, '#{pane_pid}').trim();
    const program = execFileSync('pgrep', ['-P', shell], { encoding: 'utf8' }).trim().split('\n')[0];
    if (!program) throw new Error('the pane runs no program');
    process.kill(Number(program), signal);
  }

  /** The pane's title (OSC 0/2 set it) and whether the alternate screen is on: what a hostile text would change. */
  terminalState(): { title: string; alternateScreen: boolean } {
    const [title = '', alternate] = this.tmux('display-message', '-p', '-t', this.name, '#{pane_title}\t#{alternate_on}').trimEnd().split('\t');
    return { title, alternateScreen: alternate === '1' };
  }

  /** Whether the terminal shows its cursor (a full-screen program hides it, and must show it again). */
  cursorVisible(): boolean {
    return this.tmux('display-message', '-p', '-t', this.name, '#{cursor_flag}').trim() === '1';
  }

  screen(): string {
    return this.tmux('capture-pane', '-p', '-t', this.name);
  }

  /** The screen with its colour and style escapes, as the terminal received them. */
  screenWithEscapes(): string {
    return this.tmux('capture-pane', '-p', '-e', '-t', this.name);
  }

  /** The whole scrollback, for text that scrolled off the screen. */
  history(): string {
    return this.tmux('capture-pane', '-p', '-S', '-2000', '-t', this.name);
  }

  async waitFor(text: string | RegExp, timeoutMs = 20_000, whole = false): Promise<string> {
    const read = () => (whole ? this.history() : this.screen());
    const found = () => (typeof text === 'string' ? read().includes(text) : text.test(read()));
    if (!(await until(found, timeoutMs))) throw new Error(`the terminal never showed ${String(text)}; it shows:\n${read()}`);
    await new Promise((r) => setTimeout(r, 150));
    return read();
  }

  stop(): void {
    try {
      this.tmux('kill-server');
    } catch {
      // Already gone.
    }
  }
}
