import readline from 'node:readline';
import { Accounts } from '../../auth/accounts.js';
import { UserFacingError } from '../../config/errors.js';
import { GameEngine, TurnError, type PlayOptions as TurnOptions, type TurnResult } from '../../game/engine.js';
import { waitSentence } from '../../game/waiting.js';
import { EXPORT_USAGE, parseExportArgs } from '../../game/export.js';
import { createLlm } from '../../llm/create.js';
import { sanitizeText } from '../../llm/sanitize.js';
import type { RetryWait } from '../../llm/types.js';
import { getLogger, logError } from '../../logging/logger.js';
import type { PublicUser, Store } from '../../store/types.js';
import { withStore } from '../context.js';
import { exit, EXIT, EXIT_BY_SIGNAL } from '../exit.js';
import type { PlayOptions } from './index.js';
import { saveExport } from './save-export.js';

const HELP = `Type what you do, one action a line. Commands:
  /retry            a new narration for the last turn (or send a failed action again)
  /undo             take back the last turn
  /continue         let the story go on without an action
  /story            the synopsis, timeline, characters and world state
  /context          the exact prompt of the next turn, with tokens per section
  /export md|json [path] [--force]   save the game (--force replaces a file already there)
  /help             this list
  /quit             leave (so does the end of input)
`;

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

async function exportTo(store: Store, user: PublicUser, sessionId: string, args: string[], io: Io): Promise<void> {
  const request = parseExportArgs(args);
  if (!request) throw new UserFacingError(EXPORT_USAGE);
  const { format, file, force, howToReplace } = request;
  io.out(`Saved ${await saveExport(store, user, sessionId, format, file, getLogger('game_logic'), { replace: force, howToReplace })}.\n\n`);
}

async function command(
  line: string,
  ctx: { store: Store; engine: GameEngine; user: PublicUser; sessionId: string; io: Io; controller: Run },
): Promise<'quit' | boolean> {
  const [name, ...args] = line.slice(1).trim().split(/\s+/);
  const { engine, user, sessionId, io, controller } = ctx;
  switch (name) {
    case 'quit':
    case 'menu':
      return 'quit';
    case 'help':
      io.out(HELP);
      return true;
    case 'retry':
      return counted(controller, await play(io, controller, (options) => engine.retry(user, sessionId, options)));
    case 'continue':
      return counted(controller, await play(io, controller, (options) => engine.continueStory(user, sessionId, options)));
    case 'undo': {
      const session = await engine.undo(user, sessionId);
      const [last] = await engine.transcript(user, sessionId, 1);
      io.out(`[undone: back to turn ${session.turn_count}]\n${last?.content ?? ''}\n\n`);
      return true;
    }
    case 'story': {
      const story = await engine.story(user, sessionId);
      const characters = Object.entries(story.characters).map(([n, s]) => `  ${n}: ${s}`);
      const timeline = story.timeline.map((e, i) => `  ${i + 1}. ${e.title}: ${e.description}`);
      io.out(
        `Story so far: ${story.synopsis || '(nothing yet)'}\nLocation: ${story.location}\nWorld: ${story.world_state}\nCharacters:\n${characters.join('\n') || '  (none yet)'}\nTimeline:\n${timeline.join('\n') || '  (nothing yet)'}\n\n`,
      );
      return true;
    }
    case 'context': {
      const prompt = await engine.nextPrompt(user, sessionId);
      const sections = prompt.sections.map((s) => `  ${s.name.padEnd(22)} ${String(s.tokens).padStart(6)} tokens`);
      io.out(
        `Next prompt, about ${prompt.totalTokens} tokens:\n${sections.join('\n')}\n\n${prompt.messages.map((m) => `[${m.role}]\n${m.content}`).join('\n\n')}\n\n`,
      );
      return true;
    }
    case 'export':
      await exportTo(ctx.store, user, sessionId, args, io);
      return true;
    default:
      throw new UserFacingError(`Unknown command /${sanitizeText(name ?? '').slice(0, 40)}; /help lists them.`);
  }
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

/** A narration that failed counts against the exit code (an action that failed is counted at the end, if never played). */
function counted(run: Run, played: boolean): boolean {
  if (!played) run.failures++;
  return played;
}

/** The commands headless play knows, for the log: never the player's own words. */
const COMMANDS = new Set(['quit', 'menu', 'help', 'retry', 'continue', 'undo', 'story', 'context', 'export']);

function operationOf(line: string): string {
  if (!line.startsWith('/')) return 'action';
  const name = line.slice(1).split(/\s+/)[0] ?? '';
  return COMMANDS.has(name) ? `/${name}` : 'unknown_command';
}

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
    const engine = new GameEngine({
      store,
      llm,
      narratorModel: config.llm.narratorModel,
      summaryModel: config.llm.summaryModel,
      narrationMaxTokens: config.llm.narrationMaxTokens,
    });
    let sessionId: string;
    try {
      sessionId = await chooseSession(engine, user, options, io, run, announce);
    } catch (error) {
      // A signal during the opening ends the game as the signal asks, not as a failed start.
      if (run.ending !== null) return run.ending;
      throw error;
    }
    const ctx = { store, engine, user, sessionId, io, controller: run };
    while (run.ending === null) {
      const next = await input.next();
      if (next.done) break;
      const line = next.value.trim();
      if (!line) continue;
      try {
        if (line.startsWith('/')) {
          if ((await command(line, ctx)) === 'quit') break;
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
