import { Box, Text, useStdout } from 'ink';
import { CLEAR_SCREEN } from '../clear-screen.js';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { TurnError, type PlayOptions, type TurnResult } from '../../game/engine.js';
import { waitSentence } from '../../game/waiting.js';
import { getLogger } from '../../logging/logger.js';
import type { MessageRecord, PublicUser } from '../../store/types.js';
import { useCancelRegistry } from '../cancel.js';
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
import { MessageView, type StoryItem } from '../components/MessageView.js';
import { SafeStatic } from '../components/SafeStatic.js';
import { Notice, type NoticeKind } from '../components/Notice.js';
import { Overlay } from '../components/Overlay.js';
import { StatusBar, type TurnStats } from '../components/StatusBar.js';
import { TextField } from '../components/TextField.js';
import { useServices } from '../context.js';
import { useInputHistory } from '../hooks/useInputHistory.js';
import { useTerminalWidth } from '../hooks/useTerminalWidth.js';
import { renderMarkdown } from '../markdown.js';
import { colour } from '../theme.js';

const STILL_WRITING = 'The narrator is still writing: press Enter again when it is done, or Ctrl+C to stop it.';
/** Enter on an empty line (or only spaces). */
const NOTHING_TYPED = 'Type what you do, then Enter; /help lists the commands.';
const log = getLogger('tui');
/** Messages shown when a game is loaded; older ones are in the export. */
const SHOWN_ON_LOAD = 60;
/** The streaming message is redrawn at most this often. */
const FLUSH_MS = 40;

/** The keys of the game screen, for /help. */
const KEYS_HELP =
  'Keys: ↑↓ earlier inputs · Tab completes a command (again: the next one that fits) · Ctrl+C cancels the narration, twice within two seconds quits';

/** A row of the completion list: a command's usage (or the argument Tab would put in), and what it does. */
function suggestionOf(text: string, chosen: boolean): { text: string; description: string; chosen: boolean } {
  const command = findCommand(text.slice(1).split(' ')[0] ?? '');
  const shown = command && !text.trim().includes(' ') ? usageOf(command) : text.trim();
  return { text: shown, description: command?.description ?? '', chosen };
}

export type GameStart = { kind: 'new'; scenarioId: string } | { kind: 'load'; sessionId: string };

function toItem(m: MessageRecord): StoryItem {
  return {
    key: m.id,
    kind: m.sender === 'player' ? 'player' : 'narration',
    text: m.content,
    ending: m.narration?.interrupted ? m.narration.finish_reason : undefined,
  };
}

const UNANSWERED = 'Your last action has no narration yet (the game ended first): it is in the input line; Enter sends it, /undo takes it back.';

function statsOf(result: TurnResult): TurnStats {
  const streamMs = result.durationMs - (result.ttftMs ?? 0);
  return {
    ttftMs: result.ttftMs,
    waitedMs: result.waitedMs,
    tokensPerSecond: streamMs > 0 ? (result.usage.tokens_out * 1000) / streamMs : null,
    turnTokens: result.usage.tokens_in + result.usage.tokens_out,
  };
}

export function GameScreen({ user, start, onMenu, onQuit }: { user: PublicUser; start: GameStart; onMenu: () => void; onQuit: () => void }) {
  const services = useServices();
  const { engine } = services;
  const width = useTerminalWidth();
  const { write } = useStdout();
  const cancel = useCancelRegistry();
  const history = useInputHistory();
  const [sessionId, setSessionId] = useState<string | null>(start.kind === 'load' ? start.sessionId : null);
  const [items, setItems] = useState<StoryItem[]>([]);
  const [staticKey, setStaticKey] = useState(0);
  /** What stands above the narration being written: the player's action, or a note such as /retry's. */
  const [pending, setPending] = useState<StoryItem | null>(null);
  const [streamText, setStreamText] = useState('');
  // A new game narrates its opening as soon as the screen opens: no input line is offered before it.
  const [busy, setBusy] = useState(start.kind === 'new');
  const [input, setInput] = useState('');
  const [overlay, setOverlay] = useState<{ title: string; body: string } | null>(null);
  const [notice, setNotice] = useState<{ kind: NoticeKind; text: string } | null>(null);
  const [stats, setStats] = useState<TurnStats | null>(null);
  /** While the narrator is tried again: why, the wait and the attempt. */
  const [waiting, setWaiting] = useState<string | null>(null);
  const [sessionTokens, setSessionTokens] = useState(0);
  const buffer = useRef('');
  /** Tab going through the commands a prefix fits (/c: /continue, /context). */
  const tabCycle = useRef<TabCycle | null>(null);
  const abort = useRef<AbortController | null>(null);
  // The latest values for callbacks made in an earlier render (a key can arrive before the re-render).
  const busyNow = useRef(busy);
  const typedNow = useRef(input);
  typedNow.current = input;

  /** Clears the terminal and prints the finished messages again (<Static> prints each once). */
  const reprintStory = useCallback(() => {
    write(CLEAR_SCREEN);
    setStaticKey((k) => k + 1);
  }, [write]);

  const reload = useCallback(
    async (id: string) => {
      const transcript = await engine.transcript(user, id, SHOWN_ON_LOAD);
      const session = await engine.openSession(user, id);
      setSessionTokens(session.usage.tokens_in + session.usage.tokens_out);
      // An action saved without its narration waits in the input line, not in the story.
      const unanswered = transcript.at(-1)?.sender === 'player' ? transcript.pop() : undefined;
      setItems(transcript.map(toItem));
      if (unanswered && !typedNow.current.trim()) {
        setInput(unanswered.content);
        setNotice({ kind: 'info', text: UNANSWERED });
      }
      reprintStory();
    },
    [engine, user, reprintStory],
  );

  /** On a resize the story is printed again, rewrapped to the new width. */
  const firstWidth = useRef(width);
  useEffect(() => {
    if (width === firstWidth.current) return;
    firstWidth.current = width;
    reprintStory();
  }, [width, reprintStory]);

  /**
   * The box leaves the rows it took blank below the input line (Ink draws in place, and the
   * terminal does not scroll back): once it is gone the story is printed again, so the input
   * sits under it.
   */
  const reprintAfterOverlay = useRef(false);
  const closeOverlay = useCallback(() => {
    reprintAfterOverlay.current = true;
    setOverlay(null);
  }, []);
  useEffect(() => {
    if (overlay || !reprintAfterOverlay.current) return;
    reprintAfterOverlay.current = false;
    reprintStory();
  }, [overlay, reprintStory]);

  /** A failed action goes back in the input line, unless the player typed ahead: then ↑ recalls it. */
  const keepFailedAction = (error: unknown): string => {
    // A narration kept for /retry to save keeps its action with it.
    if (!(error instanceof TurnError && error.action) || error.unsavedNarration !== null) return '';
    if (typedNow.current.trim()) return ' Your action is kept: ↑ recalls it, /retry sends it again.';
    setInput(error.action);
    return ' Your action is back in the input line.';
  };

  // biome-ignore lint/correctness/useExhaustiveDependencies: reads the latest input through refs; made once so commands keep one play
  const play = useCallback(
    async (run: (options: PlayOptions) => Promise<TurnResult>, action: string | null = null, note: string | null = null, savesShown = false) => {
      const controller = new AbortController();
      abort.current = controller;
      let settle!: () => void;
      cancel.inFlight = new Promise<void>((resolve) => (settle = resolve));
      buffer.current = '';
      busyNow.current = true;
      setBusy(true);
      setNotice(null);
      const before: StoryItem | null = action ? { key: 'pending', kind: 'player', text: action } : note ? { key: 'pending', kind: 'system', text: note } : null;
      setPending(before);
      setStreamText('');
      setWaiting(null);
      const timer = setInterval(() => setStreamText(buffer.current), FLUSH_MS);
      const onText = (t: string) => {
        if (!buffer.current) setWaiting(null);
        buffer.current += t;
      };
      try {
        const result = await run({ signal: controller.signal, onText, onWait: (wait) => setWaiting(waitSentence(wait)) });
        setSessionId(result.session.id);
        const saved: StoryItem = { key: `${result.message.id}-saved`, kind: 'system', text: '✓ Saved.' };
        setItems((previous) => [
          ...previous,
          ...(savesShown ? [saved] : [...(before ? [{ ...before, key: `${result.message.id}-${before.kind}` }] : []), toItem(result.message)]),
        ]);
        setStats(statsOf(result));
        setSessionTokens(result.session.usage.tokens_in + result.session.usage.tokens_out);
        if (result.notice) setNotice({ kind: 'error', text: result.notice });
      } catch (error) {
        // Cancelled before the first token: this is the one thing said of it (the app says nothing).
        const cancelled = error instanceof TurnError && error.failure.kind === 'cancelled';
        const unsaved = error instanceof TurnError ? error.unsavedNarration : null;
        // Shown once: a failed /retry of its save leaves it as it stands.
        if (unsaved !== null && !savesShown) {
          const key = `unsaved-${Date.now()}`;
          setItems((previous) => [
            ...previous,
            ...(before ? [{ ...before, key: `${key}-${before.kind}` }] : []),
            { key, kind: 'narration', text: unsaved, ending: 'unsaved' },
          ]);
        }
        setNotice({ kind: cancelled ? 'info' : 'error', text: `${(error as Error).message}${keepFailedAction(error)}` });
      } finally {
        clearInterval(timer);
        abort.current = null;
        settle();
        cancel.inFlight = null;
        setWaiting(null);
        busyNow.current = false;
        setNotice((shown) => (shown?.text === STILL_WRITING ? null : shown));
        setBusy(false);
        setPending(null);
        setStreamText('');
      }
    },
    [],
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

  /** A loaded game; one whose process ended before its opening was saved has it told now. */
  const openGame = async (id: string) => {
    if (!(await engine.needsOpening(user, id))) return reload(id);
    busyNow.current = true;
    setBusy(true);
    await play((options) => engine.tellOpening(user, id, options), null, 'This game had no opening yet (it was cut short); here it is:');
  };

  // biome-ignore lint/correctness/useExhaustiveDependencies: runs once: the game starts when the screen opens
  useEffect(() => {
    log.debug('Screen: game', { user_id: user.username, start: start.kind });
    if (start.kind === 'new') void play((options) => engine.newSession(user, start.scenarioId, options));
    else void openGame(start.sessionId).catch((e: Error) => setNotice({ kind: 'error', text: e.message }));
  }, []);

  const commandContext = useMemo<CommandContext | null>(
    () =>
      sessionId
        ? {
            user,
            sessionId,
            engine,
            keys: KEYS_HELP,
            exportSession: (format, file, options) => services.exportSession(user, sessionId, format, file, options),
          }
        : null,
    [sessionId, user, engine, services],
  );

  /** Shows what a command did: the one place each kind of outcome is handled. */
  const show = async (outcome: CommandOutcome, id: string): Promise<void> => {
    switch (outcome.type) {
      case 'notice':
        return setNotice({ kind: outcome.kind, text: outcome.text });
      case 'overlay':
        return setOverlay({ title: outcome.title, body: outcome.body });
      case 'play':
        return play(outcome.run, outcome.action ?? null, outcome.note ?? null, outcome.savesShown ?? false);
      case 'moved':
        await reload(id);
        if (outcome.restoreInput && !typedNow.current.trim()) setInput(outcome.restoreInput);
        return setNotice({ kind: 'info', text: outcome.text });
      case 'edit':
      case 'tree':
      case 'history':
        return setNotice({ kind: 'error', text: `/${outcome.type} is not in this screen yet.` });
      case 'menu':
        return onMenu();
      case 'quit':
        return onQuit();
      default:
        return assertNever(outcome);
    }
  };

  const submit = async (line: string) => {
    const text = line.trim();
    if (text && busyNow.current) return setNotice({ kind: 'info', text: STILL_WRITING });
    if (!text && !busyNow.current) {
      setInput('');
      return setNotice({ kind: 'info', text: NOTHING_TYPED });
    }
    if (!text || !commandContext) return;
    if (text.startsWith('/')) {
      const parsed = parseCommandLine(text);
      // A slash command that is none keeps the line, to be corrected.
      if ('unknown' in parsed) return setNotice({ kind: 'error', text: unknownCommand(parsed.unknown) });
    }
    setNotice(null);
    history.add(text);
    setInput('');
    if (text.startsWith('/')) {
      try {
        await show(await runCommand(commandContext, text), commandContext.sessionId);
      } catch (error) {
        setNotice({ kind: 'error', text: (error as Error).message });
      }
      return;
    }
    await play((options) => engine.takeTurn(user, commandContext.sessionId, text, options), text);
  };

  const cycling = tabCycle.current?.shown === input ? tabCycle.current : null;
  const suggestions = cycling
    ? cycling.candidates.map((text, i) => suggestionOf(text, i === cycling.index))
    : completions(input).map((c) => suggestionOf(`/${c.name}`, false));
  return (
    <Box flexDirection="column">
      <SafeStatic key={staticKey} items={items}>
        {(item) => <MessageView key={item.key} item={item} width={width} />}
      </SafeStatic>
      {pending ? <MessageView item={pending} width={width} /> : null}
      {busy ? (
        <Box marginBottom={pending?.kind === 'player' ? 1 : 0}>
          <Text>
            {streamText ? (
              renderMarkdown(streamText, Math.max(20, width - 2))
            ) : (
              <Text dimColor>{waiting ? `The narrator: ${waiting}…` : 'The narrator is thinking…'}</Text>
            )}
          </Text>
        </Box>
      ) : null}
      {overlay ? <Overlay title={overlay.title} body={overlay.body} width={Math.min(width, 100)} onClose={closeOverlay} /> : null}
      <Notice kind={notice?.kind ?? 'info'} text={notice?.text ?? null} />
      <Box borderStyle="single" borderColor={colour('gray')} paddingX={1}>
        <TextField
          value={input}
          onChange={setInput}
          onSubmit={(line) => void submit(line)}
          // Typing ahead while the narrator writes is kept, to be sent once the narration is done.
          focus={!overlay}
          placeholder={busy ? '' : 'What do you do? (/help for commands)'}
          onHistory={(direction) => setInput(history.move(direction, input))}
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
      <StatusBar model={engine.narratorLabel} stats={stats} sessionTokens={sessionTokens} storage={services.storage} offline={engine.offline} busy={busy} />
    </Box>
  );
}
