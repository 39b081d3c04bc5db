import readline from 'node:readline';
import { Accounts } from '../../auth/accounts.js';
import { UserFacingError } from '../../config/errors.js';
import { type GameEngine, TurnError, type PlayOptions as TurnOptions, type TurnResult } from '../../game/engine.js';
import { waitSentence } from '../../game/waiting.js';
import { assertNever, type CommandContext, type CommandOutcome, commandName, runCommand } from '../../game/commands/index.js';
import { createLlm } from '../../llm/create.js';
import { sanitizeText } from '../../llm/sanitize.js';
import type { RetryWait } from '../../llm/types.js';
import { getLogger, logError } from '../../logging/logger.js';
import type { PublicUser, Store } from '../../store/types.js';
import { withStore } from '../context.js';
import { exit, EXIT, EXIT_BY_SIGNAL } from '../exit.js';
import type { PlayOptions } from './index.js';
import { createEngine } from './engine.js';
import { saveExport } from './save-export.js';

interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
}

/** The narration in progress, and the exit code once the game is ending (a signal, a closed pipe). */
interface Run {
  current: AbortController | null;
  ending: number | null;
  /** Lines that could not be played or saved: the exit code is then 1. */
  failures: number;
}

/** Reads lines from stdin; the first may be the password (--password-stdin). */
function lines(): AsyncIterator<string> {
  return readline.createInterface({ input: process.stdin, crlfDelay: Infinity, terminal: false })[Symbol.asyncIterator]();
}

const NEEDS_USER = 'Headless play needs --user NAME, with the password in STORYOS_PASSWORD or on the first line of standard input (--password-stdin).';

async function login(store: Store, options: PlayOptions, input: AsyncIterator<string>): Promise<PublicUser> {
  if (!options.user) throw new UserFacingError(NEEDS_USER);
  const password = options.passwordStdin ? ((await input.next()).value as string | undefined) : process.env.STORYOS_PASSWORD;
  if (password === undefined) throw new UserFacingError('No password: set STORYOS_PASSWORD or pass --password-stdin.');
  return new Accounts(store).login(options.user, password);
}

/** Runs one engine call, streaming its text; a failed turn is reported in one line and play goes on. */
async function play(io: Io, controller: Run, run: (options: TurnOptions) => Promise<TurnResult>): Promise<boolean> {
  const abort = new AbortController();
  controller.current = abort;
  const onWait = (wait: RetryWait) => io.err(`storyos: ${waitSentence(wait)}\n`);
  try {
    const result = await run({ signal: abort.signal, onText: io.out, onWait });
    io.out(result.interrupted ? '\n[interrupted]\n\n' : '\n\n');
    if (result.notice) io.err(`storyos: ${result.notice}\n`);
    return true;
  } catch (error) {
    if (!(error instanceof TurnError)) throw error;
    if (error.unsavedNarration) io.out('\n[not saved]\n\n');
    const kept = error.action && error.failure.kind !== 'store' ? ' Your action was kept: /retry sends it again.' : '';
    io.err(`storyos: ${error.message}${kept}\n`);
    return false;
  } finally {
    controller.current = null;
  }
}

interface Game {
  store: Store;
  engine: GameEngine;
  user: PublicUser;
  sessionId: string;
  io: Io;
  controller: Run;
}

/** The slash commands' context for headless play: exports are written into the working directory. */
function commandContext({ store, engine, user, sessionId }: Game): CommandContext {
  return {
    user,
    sessionId,
    engine,
    exportSession: (format, file, options) => saveExport(store, user, sessionId, format, file, getLogger('game_logic'), options),
  };
}

/** An overlay's Markdown as text: headless play prints it as it is, under its title. */
const titled = (title: string, body: string) => `${title}\n\n${body}\n\n`;

/** The head after a move, as headless play prints it: what happened, then the narration now shown. */
function movedText(outcome: Extract<CommandOutcome, { type: 'moved' }>): string {
  const { head, telling } = outcome.move;
  const marker = telling.count > 1 ? ` ‹ ${telling.index}/${telling.count} ›` : '';
  return `[${outcome.text}${marker}]\n${head.sender === 'player' ? `› ${head.content}` : head.content}\n\n`;
}

/**
 * Shows what a slash command did, the headless way: text on standard output, notices on standard
 * error. `quit` when play ends; false when the line could not be played (it counts against the exit code).
 */
async function show(outcome: CommandOutcome, game: Game): Promise<'quit' | boolean> {
  const { io, controller } = game;
  switch (outcome.type) {
    case 'notice':
      if (outcome.kind === 'success') io.out(`${outcome.text}\n\n`);
      else io.err(`storyos: ${outcome.text}\n`);
      return outcome.kind !== 'error';
    case 'overlay':
      io.out(titled(outcome.title, outcome.body));
      return true;
    case 'play':
      return play(io, controller, outcome.run);
    case 'moved':
      io.out(movedText(outcome));
      return true;
    case 'edit':
      io.err(`storyos: headless play takes the new text on the line: ${outcome.onTheLine}\n`);
      return false;
    case 'tree':
      io.out(treeText(outcome.points));
      return true;
    case 'history':
      io.out(titled('The whole story', outcome.messages.map((m) => (m.sender === 'player' ? `› ${m.content}` : m.content)).join('\n\n')));
      return true;
    case 'menu':
    case 'quit':
      return 'quit';
    default:
      return assertNever(outcome);
  }
}

/** The branch points, numbered as `/tree N` takes them; the alternative shown is marked `*`. */
function treeText(points: Extract<CommandOutcome, { type: 'tree' }>['points']): string {
  if (points.length === 0) return 'The story has no branches yet: /retry tells a turn again, /undo and another action make a branch.\n\n';
  let number = 0;
  const lines = points.flatMap((point) => [
    `Turn ${point.turn}:`,
    ...point.alternatives.map((a) => `  ${a.shown ? '*' : ' '} ${++number}. ${a.action ? `› ${a.action} — ` : ''}${a.preview}`),
  ]);
  return `${lines.join('\n')}\n\n`;
}

/** The first narrated text announces the offline narrator (once). */
function announcing(announce: () => void, onText: ((text: string) => void) | undefined): (text: string) => void {
  let announced = false;
  return (text) => {
    if (!announced) announce();
    announced = true;
    onText?.(text);
  };
}

async function chooseSession(engine: GameEngine, user: PublicUser, options: PlayOptions, io: Io, controller: Run, announce: () => void): Promise<string> {
  if (options.new) {
    let sessionId = '';
    const started = await play(io, controller, async (play) => {
      const result = await engine.newSession(user, options.new as string, { ...play, onText: announcing(announce, play.onText) });
      sessionId = result.session.id;
      return result;
    });
    if (!started) throw new UserFacingError('The game could not start, so no action was read; try again.', 1);
    io.err(`storyos: game ${sessionId} started.\n`);
    return sessionId;
  }
  const sessionId = options.session ?? (await engine.listSessions(user))[0]?.id;
  if (!sessionId) throw new UserFacingError('You have no game to continue; start one with --new SCENARIO_ID.');
  if (await engine.needsOpening(user, sessionId)) {
    // Its process ended while the opening was told: it is told again.
    io.err('storyos: this game has no opening yet (it was cut short); telling it now.\n');
    const told = await play(io, controller, (play) => engine.tellOpening(user, sessionId, { ...play, onText: announcing(announce, play.onText) }));
    if (!told) throw new UserFacingError('The opening could not be told, so no action was read; try again.', 1);
    return sessionId;
  }
  // The last narration (an unanswered action may stand after it).
  const last = (await engine.transcript(user, sessionId, 2)).filter((m) => m.sender === 'StoryOS').at(-1);
  announce();
  if (last) io.out(`${last.content}\n\n`);
  const unanswered = await engine.unansweredAction(user, sessionId);
  if (unanswered !== null) io.err(`storyos: your last action has no narration yet (the game ended first): /retry sends it, /undo takes it back.\n`);
  return sessionId;
}

/** What a line is logged as: never the player's own words. */
const operationOf = (line: string) => (line.startsWith('/') ? commandName(line) : 'action');

export async function playHeadless(_args: string[], options: PlayOptions): Promise<number> {
  const run: Run = { current: null, ending: null, failures: 0 };
  let pipeClosed = false;
  // The last step before the terminal: narration is clean already, but /story, /context and
  // notices carry text from the store and the model too.
  const io: Io = {
    out: (t) => {
      if (!pipeClosed) process.stdout.write(sanitizeText(t));
    },
    err: (t) => {
      if (!pipeClosed) process.stderr.write(sanitizeText(t));
    },
  };
  if (!options.user) throw new UserFacingError(NEEDS_USER);
  if ([options.new, options.session, options.continue].filter(Boolean).length > 1)
    throw new UserFacingError('Choose one game: --new SCENARIO_ID, --session ID or --continue, not several.');
  if (!options.new && !options.session && !options.continue) throw new UserFacingError('Choose a game: --new SCENARIO_ID, --session ID or --continue.');
  /**
   * Ctrl+C stops the narration in progress (its text is kept) and play goes on; SIGTERM, SIGHUP
   * and a closed stdout stop it the same way and then end the game. With no narration in progress
   * the process ends at once, its logs flushed.
   */
  const endWith = (code: number, stopsPlay: boolean) => {
    if (stopsPlay) run.ending ??= code;
    if (run.current) run.current.abort();
    else if (stopsPlay || code === EXIT.interrupted) void exit(run.ending ?? code);
  };
  const onSigint = () => endWith(EXIT_BY_SIGNAL.SIGINT, false);
  const onSigterm = () => endWith(EXIT_BY_SIGNAL.SIGTERM, true);
  const onSighup = () => endWith(EXIT_BY_SIGNAL.SIGHUP, true);
  /** A closed pipe ends play quietly; a terminal that is gone (EIO, as after a hang-up) ends it as SIGHUP does. */
  const onOutputError = (error: NodeJS.ErrnoException) => {
    pipeClosed = true;
    endWith(error.code === 'EPIPE' ? EXIT.ok : EXIT_BY_SIGNAL.SIGHUP, true);
  };
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigterm);
  process.on('SIGHUP', onSighup);
  process.stdout.on('error', onOutputError);
  process.stderr.on('error', onOutputError);
  return withStore(async (store, config) => {
    const input = lines();
    const user = await login(store, options, input);
    const llm = createLlm(config, { offline: options.offline === true });
    const announce = () => {
      if (llm.offline && !options.offline)
        io.err('storyos: no XAI_API_KEY, so the offline demo narrator tells this story (set XAI_API_KEY in .env to play with Grok).\n');
    };
    const engine = createEngine(config, store, llm);
    let sessionId: string;
    try {
      sessionId = await chooseSession(engine, user, options, io, run, announce);
    } catch (error) {
      // A signal during the opening ends the game as the signal asks, not as a failed start.
      if (run.ending !== null) return run.ending;
      throw error;
    }
    const game: Game = { store, engine, user, sessionId, io, controller: run };
    const commands = commandContext(game);
    while (run.ending === null) {
      const next = await input.next();
      if (next.done) break;
      const line = next.value.trim();
      if (!line) continue;
      try {
        if (line.startsWith('/')) {
          const shown = await show(await runCommand(commands, line), game);
          if (shown === 'quit') break;
          if (!shown) run.failures++;
        } else {
          const unplayed = engine.failedAction(sessionId);
          if (unplayed !== undefined && unplayed !== line) {
            io.err(`storyos: not played (replaced by your new action): ${unplayed}\n`);
            run.failures++;
          }
          await play(io, run, (options) => engine.takeTurn(user, sessionId, line, options));
        }
      } catch (error) {
        run.failures++;
        if (error instanceof UserFacingError) io.err(`storyos: ${error.message}\n`);
        else {
          logError(getLogger('game_logic'), 'Headless command failed', error, { operation: operationOf(line), session: sessionId });
          io.err(`storyos: that could not be done: ${sanitizeText((error as Error).message.split('\n')[0] ?? '')} (details in the log).\n`);
        }
      }
    }
    process.off('SIGINT', onSigint);
    if (run.ending !== null) return run.ending;
    await engine.beforeExit();
    return finalCode(engine, sessionId, run, io);
  });
}

/** 0 when every line was played and saved; else 1, saying what was not. */
function finalCode(engine: GameEngine, sessionId: string, run: Run, io: Io): number {
  const unplayed = engine.failedAction(sessionId);
  if (engine.hasUnsavedTurn(sessionId)) {
    io.err(
      'storyos: your last narration could not be saved and ends with this process; your action is kept in the game, and /retry asks for a new narration of it.\n',
    );
    return EXIT.failure;
  }
  if (unplayed !== undefined) {
    io.err(`storyos: your last action was not played: ${unplayed}\n`);
    return EXIT.failure;
  }
  if (run.failures > 0) {
    io.err(`storyos: ${run.failures === 1 ? 'one line was' : `${run.failures} lines were`} not played or not saved (said above).\n`);
    return EXIT.failure;
  }
  return EXIT.ok;
}
