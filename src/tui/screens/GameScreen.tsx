import { Box, Text, useStdout } from 'ink';
import { useCallback, useEffect, useMemo, useRef } from 'react';
import {
  assertNever,
  type CommandContext,
  type CommandOutcome,
  completeCommand,
  completions,
  findCommand,
  parseCommandLine,
  runCommand,
  type TabCycle,
  unknownCommand,
  usageOf,
} from '../../game/commands/index.js';
import { NO_CHANGE } from '../../game/commands/edit.js';
import type { PlayRequest } from '../../game/commands/types.js';
import { type SteeringView, TurnError, type TurnResult } from '../../game/engine.js';
import { waitSentence } from '../../game/waiting.js';
import { getLogger } from '../../logging/logger.js';
import type { PublicUser } from '../../store/types.js';
import { useCancelRegistry } from '../cancel.js';
import { CLEAR_SCREEN } from '../clear-screen.js';
import { EditBox } from '../components/EditBox.js';
import { MessageView, type Telling } from '../components/MessageView.js';
import { Notice } from '../components/Notice.js';
import { Overlay } from '../components/Overlay.js';
import { Pager } from '../components/Pager.js';
import { SafeStatic } from '../components/SafeStatic.js';
import { type NarratorShown, StatusBar, type TurnStats } from '../components/StatusBar.js';
import { TextField } from '../components/TextField.js';
import { TreeView } from '../components/TreeView.js';
import { useServices } from '../context.js';
import { useInputHistory } from '../hooks/useInputHistory.js';
import { useTerminalWidth } from '../hooks/useTerminalWidth.js';
import { KEY_PRIORITY, useKeys } from '../keys.js';
import { renderMarkdown } from '../markdown.js';
import { colour } from '../theme.js';
import { type Notice as NoticeState, NOTHING_TYPED, STILL_WRITING, initialState } from './game/reducer.js';
import { swipeKey } from './game/swipe-keys.js';
import { useGameState } from './game/useGameState.js';

/** Enter while a command (a swipe, an undo, a jump) is still being saved. */
const STILL_RUNNING = 'One moment: the last command is still being done; press Enter again when it is.';
const log = getLogger('tui');
/** Messages shown when a game is loaded; the rest are a /history away. */
const SHOWN_ON_LOAD = 60;
/** The streaming message is redrawn at most this often. */
const FLUSH_MS = 40;

/** The keys of the game screen, for /help. */
export const KEYS_HELP = [
  'Keys: ↑↓ earlier inputs · Tab completes a command (again: the next one that fits) ·',
  'Alt+← / Alt+→ (or Ctrl+←/→, Esc b / Esc f) the previous and next telling of the last turn, as /swipe prev|next ·',
  'Esc closes a box · Ctrl+C cancels the narration, twice within two seconds quits',
].join(' ');

/** A row of the completion list: a command's usage (or the argument Tab would put in), and what it does. */
function suggestionOf(text: string, chosen: boolean): { text: string; description: string; chosen: boolean } {
  const command = findCommand(text.slice(1).split(' ')[0] ?? '');
  const shown = command && !text.trim().includes(' ') ? usageOf(command) : text.trim();
  return { text: shown, description: command?.description ?? '', chosen };
}

export type GameStart = { kind: 'new'; scenarioId: string } | { kind: 'load'; sessionId: string };

function statsOf(result: TurnResult): TurnStats {
  const streamMs = result.durationMs - (result.ttftMs ?? 0);
  return {
    ttftMs: result.ttftMs,
    waitedMs: result.waitedMs,
    tokensPerSecond: streamMs > 0 ? (result.usage.tokens_out * 1000) / streamMs : null,
    turnTokens: result.usage.tokens_in + result.usage.tokens_out,
  };
}

/** The narrator settings the status bar shows: the longest narration only when the game changed it. */
function narratorShown({ settings }: SteeringView): NarratorShown {
  return { model: settings.model, temperature: settings.temperature, maxTokens: settings.custom.max_tokens === undefined ? null : settings.max_tokens };
}

type EditRequest = Omit<Extract<CommandOutcome, { type: 'edit' }>, 'type'>;

/** An edit outcome as the edit box keeps it. */
const without = ({ type: _type, ...edit }: EditRequest & { type?: 'edit' }): EditRequest => edit;

export function GameScreen({ user, start, onMenu, onQuit }: { user: PublicUser; start: GameStart; onMenu: () => void; onQuit: () => void }) {
  const services = useServices();
  const { engine } = services;
  const width = useTerminalWidth();
  const { write } = useStdout();
  const cancel = useCancelRegistry();
  const history = useInputHistory();
  const [state, game] = useGameState(
    () => initialState(start.kind === 'load' ? start.sessionId : null, start.kind === 'new'),
    () => write(CLEAR_SCREEN),
  );
  const { dispatch } = game;
  const notice = (value: NoticeState | null) => dispatch({ type: 'notice', notice: value });
  /** The narration being written, so far (flushed to the screen every FLUSH_MS). */
  const buffer = useRef('');
  /** Tab going through the commands a prefix fits (/c: /continue, /context). */
  const tabCycle = useRef<TabCycle | null>(null);
  const abort = useRef<AbortController | null>(null);

  /** Draws the story again from the store: the branch's last messages, the head's telling, the turns before them. */
  const reload = useCallback(
    async (id: string, after: { notice?: NoticeState | null; restoreInput?: string | undefined } = {}) => {
      const [messages, session, telling] = await Promise.all([
        engine.transcript(user, id, SHOWN_ON_LOAD),
        engine.openSession(user, id),
        engine.tellingOf(user, id),
      ]);
      // The opening is turn 0: a branch has turn_count + 1 narrations, of which those loaded are on screen.
      const narrations = messages.filter((m) => m.sender !== 'player').length;
      const earlierTurns = messages[0]?.parent_id ? Math.max(0, session.turn_count + 1 - narrations) : 0;
      const sessionTokens = session.usage.tokens_in + session.usage.tokens_out;
      dispatch({ type: 'loaded', story: { sessionId: id, messages, earlierTurns, sessionTokens, telling }, ...after });
    },
    [engine, user, dispatch],
  );

  /** Steering reads started: only the last one's answer is shown (an earlier one may answer after it). */
  const steeringReads = useRef(0);

  /** Reads the game's narrator settings again for the status bar (a /settings changed them, or the game opened). */
  const refreshSteering = useCallback(
    async (id: string) => {
      const read = ++steeringReads.current;
      try {
        const view = await engine.steering(user, id);
        if (read === steeringReads.current) dispatch({ type: 'steering', narrator: narratorShown(view) });
      } catch (error) {
        // The status bar keeps what it showed; the game goes on.
        log.debug('Status bar: the narrator settings could not be read', { session: id, error: (error as Error).message });
      }
    },
    [engine, user, dispatch],
  );

  // Once the game is known: its narrator settings, and the last prompt's size (the next one's after a restart).
  useEffect(() => {
    const id = state.sessionId;
    if (!id) return;
    void refreshSteering(id);
    if (game.get().prompt) return;
    const known = engine.promptGauge(id);
    if (known) {
      dispatch({ type: 'gauge', prompt: known, ifNone: true });
      return;
    }
    engine
      .nextPrompt(user, id)
      .then((next) =>
        dispatch({
          type: 'gauge',
          prompt: { tokens: next.totalTokens, budget: next.budgetTokens, real: false, model: next.model, estimate: next.estimate },
          ifNone: true,
        }),
      )
      .catch((error: Error) => log.debug('Status bar: the next prompt could not be measured', { session: id, error: error.message }));
  }, [state.sessionId, refreshSteering, engine, user, dispatch, game]);

  /** On a resize the story is printed again, rewrapped to the new width. */
  const firstWidth = useRef(width);
  useEffect(() => {
    if (width === firstWidth.current) return;
    firstWidth.current = width;
    dispatch({ type: 'reprint' });
  }, [width, dispatch]);

  // Once a closed box is gone from the screen, the story is printed again, so the input sits under it.
  useEffect(() => {
    if (state.reprintPending && !state.overlay) dispatch({ type: 'reprint' });
  }, [state.reprintPending, state.overlay, dispatch]);

  /**
   * Whether the branch in the store, leaving out `besides` (a narration just saved), ends at the
   * last narration on screen. Not after a /retry or an /edit action, whose narration stands beside
   * the one shown, nor after a failed /edit action, whose action was saved beside the old one.
   */
  const branchEndsAtShown = useCallback(
    async (id: string, besides: string | null): Promise<boolean> => {
      const shown = game.get().items.findLast((item) => item.kind === 'narration' && !item.ending?.startsWith('unsaved'))?.key ?? null;
      const tail = await engine.transcript(user, id, 3);
      return (tail.filter((m) => m.sender !== 'player' && m.id !== besides).at(-1)?.id ?? null) === shown;
    },
    [game, engine, user],
  );

  /** A narration just saved that stands beside the story shown; if the store cannot say, a turn with several tellings is taken to be one. */
  const replacesShown = useCallback(
    (result: TurnResult, telling: Telling | null): Promise<boolean> =>
      branchEndsAtShown(result.session.id, result.message.id).then(
        (ends) => !ends,
        () => telling !== null && telling.count > 1,
      ),
    [branchEndsAtShown],
  );

  /** After a failed narration: whether the head's branch no longer ends at the last narration on screen. */
  const leftShown = useCallback(
    (id: string): Promise<boolean> =>
      branchEndsAtShown(id, null).then(
        (ends) => !ends,
        () => false,
      ),
    [branchEndsAtShown],
  );

  /** Streams a narration into the screen; one that stands beside the story shown (a retry, an edited action) draws it again. */
  const play = useCallback(
    async ({ run, action, note, savesShown = false }: PlayRequest) => {
      const controller = new AbortController();
      abort.current = controller;
      let settle!: () => void;
      cancel.inFlight = new Promise<void>((resolve) => {
        settle = resolve;
      });
      buffer.current = '';
      dispatch({ type: 'started', action, note });
      const timer = setInterval(() => dispatch({ type: 'text', text: buffer.current }), FLUSH_MS);
      const onText = (t: string) => {
        buffer.current += t;
      };
      try {
        const result = await run({ signal: controller.signal, onText, onWait: (wait) => dispatch({ type: 'waiting', sentence: waitSentence(wait) }) });
        const { session } = result;
        const telling = result.telling ?? null;
        const redraw = !savesShown && (await replacesShown(result, telling));
        dispatch({
          type: 'saved',
          turn: {
            sessionId: session.id,
            message: result.message,
            stats: statsOf(result),
            sessionTokens: session.usage.tokens_in + session.usage.tokens_out,
            notice: result.notice,
            telling,
            savesShown,
            redraw,
            prompt: result.prompt ?? null,
          },
        });
        // The story shown is the branch: an earlier telling, or the action edited, is a swipe away.
        // The turn is saved whatever happens here: a store that fails now is only said.
        if (redraw) await reload(session.id, {}).catch((e: Error) => dispatch({ type: 'notice', notice: { kind: 'error', text: e.message } }));
      } catch (error) {
        const turnError = error instanceof TurnError ? error : null;
        const turn = {
          message: (error as Error).message,
          unsaved: turnError?.unsavedNarration ?? null,
          action: turnError?.action ?? null,
          savesShown,
        };
        dispatch({ type: turnError?.failure.kind === 'cancelled' ? 'cancelled' : 'failed', turn });
        // An /edit action saves its action beside the old one before it is told: when that fails,
        // the story on screen is no longer the branch, and is drawn again (the action stays in the line).
        const id = game.get().sessionId;
        if (id && (await leftShown(id))) await reload(id, { notice: game.get().notice }).catch(() => undefined);
      } finally {
        clearInterval(timer);
        abort.current = null;
        settle();
        cancel.inFlight = null;
      }
    },
    [cancel, dispatch, reload, replacesShown, leftShown, game],
  );

  useEffect(() => {
    cancel.current = () => {
      if (!abort.current) return false;
      abort.current.abort();
      // With nothing written yet the turn fails as cancelled, and play() says so.
      return buffer.current ? 'Cancelled: the text so far is kept. Ctrl+C twice quits.' : null;
    };
    return () => {
      cancel.current = null;
    };
  }, [cancel]);

  // biome-ignore lint/correctness/useExhaustiveDependencies: runs once: the game starts when the screen opens
  useEffect(() => {
    log.debug('Screen: game', { user_id: user.username, start: start.kind });
    if (start.kind === 'new') {
      void play({ run: (options) => engine.newSession(user, start.scenarioId, options) });
      return;
    }
    const id = start.sessionId;
    // A loaded game whose process ended before its opening was saved has it told now.
    const open = async () => {
      if (!(await engine.needsOpening(user, id))) return reload(id);
      await play({ run: (options) => engine.tellOpening(user, id, options), note: 'This game had no opening yet (it was cut short); here it is:' });
    };
    open().catch((e: Error) => notice({ kind: 'error', text: e.message }));
  }, []);

  const commandContext = useMemo<CommandContext | null>(
    () =>
      state.sessionId
        ? {
            user,
            sessionId: state.sessionId,
            engine,
            keys: KEYS_HELP,
            exportSession: (format, file, options) => services.exportSession(user, state.sessionId as string, format, file, options),
          }
        : null,
    [state.sessionId, user, engine, services],
  );

  /** Opens a text to edit: in the player's editor when one is set, else in a box of the game's own. */
  const edit = async (outcome: Extract<CommandOutcome, { type: 'edit' }>, id: string): Promise<void> => {
    if (!(services.editText && services.editorName?.())) {
      dispatch({ type: 'overlay', overlay: { kind: 'edit', ...without(outcome) } });
      return;
    }
    const text = await services.editText(outcome.original);
    // The editor had the terminal: the story is printed again under whatever it left.
    dispatch({ type: 'reprint' });
    if (text === null) return notice({ kind: 'error', text: `The editor (${services.editorName()}) did not finish cleanly; nothing was changed.` });
    await saveEdit(outcome, text, id);
  };

  /** Saves what the player wrote as a new version (nothing when it is empty or as it was), and shows what that did. */
  const saveEdit = async (outcome: Omit<Extract<CommandOutcome, { type: 'edit' }>, 'type'>, text: string, id: string): Promise<void> => {
    if (!text.trim() || text.trim() === outcome.original.trim()) return notice({ kind: 'info', text: NO_CHANGE });
    let saved: CommandOutcome;
    try {
      saved = await outcome.save(text.trim());
    } catch (error) {
      // What the player wrote is not lost: the box opens again with it, to be fixed or left with Esc.
      dispatch({ type: 'overlay', overlay: { kind: 'edit', ...without(outcome), draft: text } });
      return notice({ kind: 'error', text: `${(error as Error).message} Your text is kept in the box: change it and Enter, or Esc.` });
    }
    await show(saved, id);
  };

  /** Shows what a command did: the one place each kind of outcome is handled. */
  const show = async (outcome: CommandOutcome, id: string): Promise<void> => {
    // Any command may have changed the narrator's settings (/settings): the status bar reads them again
    // (not when the game screen is left).
    if (outcome.type !== 'menu' && outcome.type !== 'quit') void refreshSteering(id);
    switch (outcome.type) {
      case 'notice':
        return notice({ kind: outcome.kind, text: outcome.text });
      case 'overlay':
        return dispatch({ type: 'overlay', overlay: { kind: 'text', title: outcome.title, body: outcome.body } });
      case 'play':
        return play(outcome);
      case 'moved':
        // The action taken back is in ↑ as well as (when the line is empty) in the input line.
        if (outcome.restoreInput) history.add(outcome.restoreInput);
        return reload(id, { notice: { kind: 'info', text: outcome.text }, restoreInput: outcome.restoreInput });
      case 'edit':
        return edit(outcome, id);
      case 'tree':
        return dispatch({ type: 'overlay', overlay: { kind: 'tree', points: outcome.points, jump: outcome.jump } });
      case 'history':
        return dispatch({ type: 'overlay', overlay: { kind: 'history', messages: outcome.messages } });
      case 'menu':
        return onMenu();
      case 'quit':
        return onQuit();
      default:
        return assertNever(outcome);
    }
  };

  const performing = useRef(false);

  /** Runs a step that gives an outcome (a command, a jump, an edit saved) and shows it, or why it failed. */
  const perform = async (step: () => Promise<CommandOutcome>): Promise<void> => {
    const id = game.get().sessionId;
    if (!id) return;
    // One at a time: a second move started before the first is saved would be refused as played elsewhere.
    if (performing.current) return notice({ kind: 'info', text: STILL_RUNNING });
    performing.current = true;
    try {
      await show(await step(), id);
    } catch (error) {
      notice({ kind: 'error', text: (error as Error).message });
    } finally {
      performing.current = false;
    }
  };

  const submit = async (line: string) => {
    const text = line.trim();
    const busy = game.get().turn !== null;
    if (text && busy) return notice({ kind: 'info', text: STILL_WRITING });
    if (!text && !busy) {
      dispatch({ type: 'typed', input: '' });
      return notice({ kind: 'info', text: NOTHING_TYPED });
    }
    const ctx = commandContext;
    if (!text || !ctx) return;
    if (text.startsWith('/')) {
      const parsed = parseCommandLine(text);
      // A slash command that is none keeps the line, to be corrected.
      if ('unknown' in parsed) return notice({ kind: 'error', text: unknownCommand(parsed.unknown) });
    }
    // The line is kept until the command before it is done.
    if (performing.current) return notice({ kind: 'info', text: STILL_RUNNING });
    notice(null);
    history.add(text);
    dispatch({ type: 'typed', input: '' });
    if (text.startsWith('/')) return perform(() => runCommand(ctx, text));
    await play({ run: (options) => engine.takeTurn(user, ctx.sessionId, text, options), action: text });
  };

  // Alt+← / Alt+→ (and the other ways terminals send them): the tellings of the last turn, as /swipe.
  useKeys(
    (input, key) => {
      const direction = swipeKey(input, key);
      if (!direction) return;
      const ctx = commandContext;
      if (game.get().turn !== null) notice({ kind: 'info', text: STILL_WRITING });
      else if (ctx) void perform(() => runCommand(ctx, `/swipe ${direction}`));
      return true;
    },
    { isActive: state.overlay === null, priority: KEY_PRIORITY.shortcut },
  );

  const { overlay, turn, input } = state;
  const busy = turn !== null;
  const closeOverlay = () => dispatch({ type: 'overlayClosed' });
  const boxWidth = Math.min(width, 100);
  const cycling = tabCycle.current?.shown === input ? tabCycle.current : null;
  const suggestions = cycling
    ? cycling.candidates.map((text, i) => suggestionOf(text, i === cycling.index))
    : completions(input).map((c) => suggestionOf(`/${c.name}`, false));
  return (
    <Box flexDirection="column">
      <SafeStatic key={state.printed} items={state.items}>
        {(item) => <MessageView key={item.key} item={item} width={width} />}
      </SafeStatic>
      {turn?.pending ? <MessageView item={turn.pending} width={width} /> : null}
      {turn ? (
        <Box marginBottom={turn.pending?.kind === 'player' ? 1 : 0}>
          <Text>
            {turn.text ? (
              renderMarkdown(turn.text, Math.max(20, width - 2))
            ) : (
              <Text dimColor>{turn.waiting ? `The narrator: ${turn.waiting}…` : 'The narrator is thinking…'}</Text>
            )}
          </Text>
        </Box>
      ) : null}
      {overlay?.kind === 'text' ? <Overlay title={overlay.title} body={overlay.body} width={boxWidth} onClose={closeOverlay} /> : null}
      {overlay?.kind === 'history' ? <Pager title="The whole story (this branch)" messages={overlay.messages} width={boxWidth} onClose={closeOverlay} /> : null}
      {overlay?.kind === 'tree' ? (
        <TreeView
          points={overlay.points}
          width={boxWidth}
          onClose={closeOverlay}
          onChoose={(id) => {
            closeOverlay();
            void perform(() => overlay.jump(id));
          }}
        />
      ) : null}
      {overlay?.kind === 'edit' ? (
        <EditBox
          title={overlay.title}
          saves={overlay.saves}
          original={overlay.draft ?? overlay.original}
          width={boxWidth}
          onCancel={closeOverlay}
          onSave={(text) => {
            closeOverlay();
            const id = game.get().sessionId;
            if (id) void saveEdit(overlay, text, id).catch((e: Error) => notice({ kind: 'error', text: e.message }));
          }}
        />
      ) : null}
      <Notice kind={state.notice?.kind ?? 'info'} text={state.notice?.text ?? null} />
      <Box borderStyle="single" borderColor={colour('gray')} paddingX={1}>
        <TextField
          value={input}
          onChange={(typed) => dispatch({ type: 'typed', input: typed })}
          onSubmit={(line) => void submit(line)}
          // Typing ahead while the narrator writes is kept, to be sent once the narration is done.
          focus={!overlay}
          placeholder={busy ? '' : 'What do you do? (/help for commands)'}
          onHistory={(direction) => dispatch({ type: 'typed', input: history.move(direction, game.get().input) })}
          onTab={(typed) => {
            const completed = completeCommand(typed, tabCycle.current);
            tabCycle.current = completed?.cycle ?? null;
            return completed?.text;
          }}
        />
      </Box>
      {suggestions.length > 0 && !busy ? (
        <Box flexDirection="column" paddingX={1}>
          {suggestions.map((row) => (
            <Text key={row.text} dimColor={!row.chosen} bold={row.chosen}>
              {cycling ? (row.chosen ? '› ' : '  ') : ''}
              {row.text} — {row.description}
            </Text>
          ))}
        </Box>
      ) : null}
      <StatusBar
        model={state.narrator?.model ?? engine.narratorLabel}
        temperature={state.narrator?.temperature ?? null}
        maxTokens={state.narrator?.maxTokens ?? null}
        prompt={state.prompt}
        width={width}
        stats={state.stats}
        sessionTokens={state.sessionTokens}
        storage={services.storage}
        offline={engine.offline}
        busy={busy}
        telling={state.telling}
      />
    </Box>
  );
}
