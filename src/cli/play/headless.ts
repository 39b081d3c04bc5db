import readline from 'node:readline';
import { Accounts } from '../../auth/accounts.js';
import { UserFacingError } from '../../config/errors.js';
import { GameEngine, TurnError, type TurnResult } from '../../game/engine.js';
import type { ExportFormat } from '../../game/export.js';
import { createLlm } from '../../llm/create.js';
import { getLogger, logError } from '../../logging/logger.js';
import type { PublicUser, Store } from '../../store/types.js';
import { withStore } from '../context.js';
import { EXIT } from '../exit.js';
import type { PlayOptions } from './index.js';
import { saveExport } from './save-export.js';

const HELP = `Type what you do, one action a line. Commands:
  /retry            a new narration for the last turn (or send a failed action again)
  /undo             take back the last turn
  /continue         let the story go on without an action
  /story            the synopsis, timeline, characters and world state
  /context          the exact prompt of the next turn, with tokens per section
  /export md|json [path]   save the game
  /help             this list
  /quit             leave (so does the end of input)
`;

interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
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
async function play(io: Io, controller: { current: AbortController | null }, run: (signal: AbortSignal, onText: (t: string) => void) => Promise<TurnResult>): Promise<boolean> {
  const abort = new AbortController();
  controller.current = abort;
  try {
    const result = await run(abort.signal, io.out);
    io.out(result.interrupted ? '\n[interrupted]\n\n' : '\n\n');
    if (result.notice) io.err(`storyos: ${result.notice}\n`);
    return true;
  } catch (error) {
    if (!(error instanceof TurnError)) throw error;
    io.err(`storyos: ${error.message}${error.action ? ' Your action was kept: /retry sends it again.' : ''}\n`);
    return false;
  } finally {
    controller.current = null;
  }
}

async function exportTo(store: Store, user: PublicUser, sessionId: string, args: string[], io: Io): Promise<void> {
  const format = (args[0] ?? 'md') as ExportFormat;
  if (format !== 'md' && format !== 'json') throw new UserFacingError('Use /export md or /export json, optionally with a path.');
  io.out(`Saved ${await saveExport(store, user, sessionId, format, args[1], getLogger('game_logic'))}.\n\n`);
}

async function command(line: string, ctx: { store: Store; engine: GameEngine; user: PublicUser; sessionId: string; io: Io; controller: { current: AbortController | null } }): Promise<'quit' | boolean> {
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
      return play(io, controller, (signal, onText) => engine.retry(user, sessionId, { signal, onText }));
    case 'continue':
      return play(io, controller, (signal, onText) => engine.continueStory(user, sessionId, { signal, onText }));
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
      io.out(`Story so far: ${story.synopsis || '(nothing yet)'}\nLocation: ${story.location}\nWorld: ${story.world_state}\nCharacters:\n${characters.join('\n') || '  (none yet)'}\nTimeline:\n${timeline.join('\n') || '  (nothing yet)'}\n\n`);
      return true;
    }
    case 'context': {
      const prompt = await engine.nextPrompt(user, sessionId);
      const sections = prompt.sections.map((s) => `  ${s.name.padEnd(22)} ${String(s.tokens).padStart(6)} tokens`);
      io.out(`Next prompt, about ${prompt.totalTokens} tokens:\n${sections.join('\n')}\n\n${prompt.messages.map((m) => `[${m.role}]\n${m.content}`).join('\n\n')}\n\n`);
      return true;
    }
    case 'export':
      await exportTo(ctx.store, user, sessionId, args, io);
      return true;
    default:
      throw new UserFacingError(`Unknown command /${name}; /help lists them.`);
  }
}

async function chooseSession(engine: GameEngine, user: PublicUser, options: PlayOptions, io: Io, controller: { current: AbortController | null }, announce: () => void): Promise<string> {
  if (options.new) {
    let sessionId = '';
    let announced = false;
    const started = await play(io, controller, async (signal, onText) => {
      const firstAnnounces = (text: string) => {
        if (!announced) announce();
        announced = true;
        onText(text);
      };
      const result = await engine.newSession(user, options.new as string, { signal, onText: firstAnnounces });
      sessionId = result.session.id;
      return result;
    });
    if (!started) throw new UserFacingError('The game could not start, so no action was read; try again.', 1);
    io.err(`storyos: game ${sessionId} started.\n`);
    return sessionId;
  }
  const sessionId = options.session ?? (await engine.listSessions(user))[0]?.id;
  if (!sessionId) throw new UserFacingError('You have no game to continue; start one with --new SCENARIO_ID.');
  const [last] = await engine.transcript(user, sessionId, 1);
  announce();
  if (last) io.out(`${last.content}\n\n`);
  return sessionId;
}

export async function playHeadless(_args: string[], options: PlayOptions): Promise<number> {
  const io: Io = { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) };
  if (!options.user) throw new UserFacingError(NEEDS_USER);
  if ([options.new, options.session, options.continue].filter(Boolean).length > 1) throw new UserFacingError('Choose one game: --new SCENARIO_ID, --session ID or --continue, not several.');
  if (!options.new && !options.session && !options.continue) throw new UserFacingError('Choose a game: --new SCENARIO_ID, --session ID or --continue.');
  return withStore(async (store, config) => {
    const input = lines();
    const user = await login(store, options, input);
    const llm = createLlm(config, { offline: options.offline === true });
    const announce = () => {
      if (llm.offline && !options.offline) io.err('storyos: no XAI_API_KEY, so the offline demo narrator tells this story (set XAI_API_KEY in .env to play with Grok).\n');
    };
    const engine = new GameEngine({ store, llm, narratorModel: config.llm.narratorModel, summaryModel: config.llm.summaryModel });
    const controller: { current: AbortController | null } = { current: null };
    const onInterrupt = () => {
      if (controller.current) controller.current.abort();
      else process.exit(EXIT.interrupted);
    };
    process.on('SIGINT', onInterrupt);
    const sessionId = await chooseSession(engine, user, options, io, controller, announce);
    const ctx = { store, engine, user, sessionId, io, controller };
    for (let next = await input.next(); !next.done; next = await input.next()) {
      const line = next.value.trim();
      if (!line) continue;
      try {
        if (line.startsWith('/')) {
          if ((await command(line, ctx)) === 'quit') break;
        } else {
          const unplayed = engine.failedAction(sessionId);
          if (unplayed !== undefined) io.err(`storyos: not played (replaced by your new action): ${unplayed}\n`);
          await play(io, controller, (signal, onText) => engine.takeTurn(user, sessionId, line, { signal, onText }));
        }
      } catch (error) {
        if (error instanceof UserFacingError) io.err(`storyos: ${error.message}\n`);
        else {
          // One bad line must not end the game: say so, log the details, read on.
          logError(getLogger('game_logic'), 'Headless command failed', error, { operation: line.split(' ')[0] ?? 'action', session: sessionId });
          io.err(`storyos: unexpected error: ${(error as Error).message.split('\n')[0]} (details in the log); the game goes on.\n`);
        }
      }
    }
    process.off('SIGINT', onInterrupt);
    await engine.settled();
    const unplayed = engine.failedAction(sessionId);
    if (unplayed !== undefined) {
      io.err(`storyos: your last action was not played: ${unplayed}\n`);
      return EXIT.failure;
    }
    return EXIT.ok;
  });
}
