import path from 'node:path';
import { UserFacingError } from '../../config/errors.js';
import { ERROR_LOG, listLogSet, MAIN_LOG } from '../../logging/log-files.js';
import { EntryPrinter, colourWanted } from '../../logging/reader/output.js';
import { searchFiles } from '../../logging/reader/search.js';
import { lastEntries, LogFollower } from '../../logging/reader/tail.js';
import { renderTop, TopWindow } from '../../logging/reader/top.js';
import { existingLogDir } from '../context.js';
import { EXIT, EXIT_BY_SIGNAL, onExit } from '../exit.js';
import { filterFrom, type FilterFlags } from './actions.js';

interface TopFlags extends Omit<FilterFlags, 'since' | 'until' | 'slowerThan'> {
  minutes: string;
  interval: string;
  iterations?: string;
}

function positive(text: string, option: string, what: string, whole: boolean): number {
  const n = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text.trim()) || !(n > 0) || (whole && !Number.isInteger(n)))
    throw new UserFacingError(`Invalid ${option} value ${JSON.stringify(text)}: use ${what}.`);
  return n;
}

const MAX_MINUTES = 1440;

// Alternate screen, cursor hidden; and back.
const ENTER = '\x1b[?1049h\x1b[?25l';
const LEAVE = '\x1b[?25h\x1b[?1049l';
const HOME = '\x1b[H';
const CLEAR_LINE = '\x1b[K';
const CLEAR_BELOW = '\x1b[J';

/**
 * `storyos logs top`: the last minutes of the log, redrawn every interval. In a terminal, a
 * full-screen view on the alternate screen until Ctrl+C (or q); piped, one plain snapshot per
 * interval, each starting with its time, like `top -b`; `--iterations N` stops after N.
 */
export async function top([pattern]: string[], flags: TopFlags): Promise<number> {
  const minutes = positive(flags.minutes, '--minutes', 'a whole number of minutes up to 1440 (a day), such as 5', true);
  if (minutes > MAX_MINUTES) throw new UserFacingError(`Invalid --minutes value ${JSON.stringify(flags.minutes)}: use at most ${MAX_MINUTES} (a day).`);
  const intervalMs = positive(flags.interval, '--interval', 'a number of seconds, such as 1 or 0.5', false) * 1000;
  const iterations =
    flags.iterations === undefined ? Number.POSITIVE_INFINITY : positive(flags.iterations, '--iterations', 'a whole number of snapshots', true);
  const name = flags.errors ? ERROR_LOG : MAIN_LOG;
  const dir = existingLogDir(flags.dir);
  // The window's history, found by bisecting the files on time; then what is appended.
  const history = filterFrom(pattern, { ...flags, since: `${minutes}m` });
  const live = filterFrom(pattern, { ...flags, since: undefined });
  const window = new TopWindow(minutes);
  const files = listLogSet(dir, name);
  let inWindow = 0;
  searchFiles(files, history, (entry) => {
    inWindow++;
    window.add(entry);
  });
  // Nothing lately: the view still tells when the log was last written to.
  if (inWindow === 0) for (const entry of lastEntries(files, live, 1)) window.add(entry);
  const follower = new LogFollower(path.join(dir, name), live, (entry) => window.add(entry));
  follower.start();

  const terminal = process.stdout.isTTY === true;
  const colour = colourWanted();
  const out = new EntryPrinter('text', false);
  const keys = terminal && process.stdin.isTTY ? process.stdin : null;
  let shown = 0;
  const draw = () => {
    follower.poll();
    const snapshot = window.snapshot(Date.now());
    if (terminal) {
      const { columns = 80, rows = 24 } = process.stdout;
      const lines = renderTop(snapshot, {
        width: columns,
        colour,
        source: name,
        minuteRows: Math.max(1, rows - 20),
        hint: keys ? 'q or Ctrl+C to quit' : 'Ctrl+C to quit',
      }).slice(0, rows);
      out.write(HOME + lines.map((l) => l + CLEAR_LINE).join('\n') + CLEAR_BELOW);
    } else {
      out.write(`${shown > 0 ? '\n' : ''}${renderTop(snapshot, { source: name }).join('\n')}\n`);
    }
    shown++;
  };

  let restored = !terminal;
  const restore = () => {
    if (restored) return;
    restored = true;
    try {
      if (keys?.isRaw) keys.setRawMode(false);
      keys?.pause();
      out.write(LEAVE);
    } catch {
      // The terminal is gone (a hang-up): there is nothing left to give back.
    }
  };
  // Whatever ends the process (an error too) gives the terminal back as it was.
  onExit(restore);
  if (terminal) out.write(ENTER);
  let timer: NodeJS.Timeout | undefined;
  const code = await new Promise<number>((resolve) => {
    for (const [signal, number] of Object.entries(EXIT_BY_SIGNAL)) {
      process.once(signal, () => {
        // Piped in a terminal, the terminal echoed ^C: end its line so the shell's prompt starts on its own.
        if (signal === 'SIGINT' && !terminal && process.stderr.isTTY) process.stderr.write('\n');
        resolve(number);
      });
    }
    if (keys) {
      // Keys one at a time, unechoed: q quits like top, Ctrl+C as the signal would.
      keys.setRawMode(true);
      keys.on('data', (data: Buffer) => {
        if (data.includes(0x03)) resolve(EXIT.interrupted);
        else if (data.includes(0x71) || data.includes(0x51)) resolve(EXIT.ok);
      });
      keys.resume();
    }
    if (terminal) process.stdout.on('resize', draw);
    const tick = () => {
      draw();
      if (shown >= iterations || !out.open) resolve(EXIT.ok);
    };
    tick();
    timer = setInterval(tick, intervalMs);
  });
  clearInterval(timer);
  follower.stop();
  restore();
  return code;
}
