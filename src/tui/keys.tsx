import { useInput, type Key } from 'ink';
import { createContext, useCallback, useContext, useLayoutEffect, useRef, useState, type ReactNode } from 'react';

/**
 * A key's handler. It may hand back the part of a chunk it did not use, for the next screen, or
 * `true`: the key is taken, and handlers of a lower priority do not see it.
 */
export type KeyHandler = (input: string, key: Key) => string | boolean | void;

/**
 * Who sees a key first: an overlay (it takes every key but Ctrl+C while it is open), then the
 * screen's shortcuts (Alt+← among tellings), then the screen's fields and lists.
 */
export const KEY_PRIORITY = { screen: 0, shortcut: 1, overlay: 2 } as const;

/** Ctrl+C: never taken by an overlay or a shortcut, so it always cancels (and twice, quits). */
export const isCtrlC = (input: string, key: Key) => key.ctrl && input === 'c';

/** How long a key waits for the commit of the one before it (a commit that never comes). */
const MAX_COMMIT_WAIT_MS = 100;
/** How long keys wait for a loading list before they are no longer kept for it. */
export const MAX_HOLD_MS = 3000;

/** The flags of plain text: what is handed back from a chunk is text, whatever key it came with. */
export const TEXT_KEY: Key = {
  upArrow: false,
  downArrow: false,
  leftArrow: false,
  rightArrow: false,
  pageDown: false,
  pageUp: false,
  home: false,
  end: false,
  return: false,
  escape: false,
  ctrl: false,
  shift: false,
  tab: false,
  backspace: false,
  delete: false,
  meta: false,
  super: false,
  hyper: false,
  capsLock: false,
  numLock: false,
};

/**
 * Control bytes a chunk of text may hold that are keys of their own: Ctrl+A to Ctrl+Z and the
 * like, but not Tab, Enter (CR or LF) and Backspace (Ctrl+H), which text fields and forms apply
 * in a chunk themselves (a paste's line breaks, a password manager's "name Tab password Enter").
 */
const CONTROL_KEY = /[\u0000-\u0007\u000b\u000c\u000e-\u001a\u001c-\u001f]/u;

/**
 * Ink hands over a read of the terminal as one input, split only at escape sequences: keys
 * typed fast, sent over a slow link or by a script come together ("abc" and Ctrl+U, or Ctrl+C
 * twice), and Ink reads such a chunk as text, so its control keys would be lost. This splits the
 * chunk into its text and its control keys, each a key as Ink gives a lone one (Ctrl+U: `u` with
 * `ctrl`).
 */
export function splitChunk(input: string, key: Key): Array<[string, Key]> {
  if (input.length < 2 || key.ctrl || key.meta || !CONTROL_KEY.test(input)) return [[input, key]];
  const keys: Array<[string, Key]> = [];
  for (const piece of input.split(new RegExp(`(${CONTROL_KEY.source})`, 'u'))) {
    if (!piece) continue;
    const code = piece.charCodeAt(0);
    if (piece.length === 1 && code >= 1 && code <= 26) keys.push([String.fromCharCode(code + 96), { ...TEXT_KEY, ctrl: true }]);
    else keys.push([piece, TEXT_KEY]);
  }
  return keys;
}

/**
 * Keys in order, each handed to the handlers only once the screen the key before asked for is
 * committed (React commits a key's changes later than the key is handled, and Ink's own
 * `useInput` subscribes later still). Ctrl+C never waits; while a list loads (a hold), keys wait
 * for it, for up to MAX_HOLD_MS, and Esc goes through at once and drops them.
 */
export class KeyQueue {
  /** Highest priority first; of one priority, in the order they were added. */
  private handlers: Array<{ handler: { current: KeyHandler }; priority: number }> = [];
  private queue: Array<[string, Key]> = [];
  private holds = 0;
  private sent = 0;
  private waiting: NodeJS.Timeout | null = null;

  /** `commit(n)`: make React commit, then call `committed(n)`. */
  constructor(private readonly commit: (sequence: number) => void) {}

  add(handler: { current: KeyHandler }, priority: number = KEY_PRIORITY.screen): () => void {
    const entry = { handler, priority };
    const at = this.handlers.findIndex((other) => other.priority < priority);
    this.handlers.splice(at < 0 ? this.handlers.length : at, 0, entry);
    return () => {
      this.handlers = this.handlers.filter((other) => other !== entry);
    };
  }

  /** Keys wait until the returned release is called (or MAX_HOLD_MS pass). */
  hold(): () => void {
    this.holds += 1;
    let held = true;
    const release = () => {
      if (!held) return;
      held = false;
      clearTimeout(expiry);
      this.holds -= 1;
      // Not within the commit that released it: keys handled there would nest React updates.
      queueMicrotask(() => this.pump());
    };
    // Neither timer keeps the process alive once the app has ended.
    const expiry = setTimeout(release, MAX_HOLD_MS).unref();
    return release;
  }

  push(input: string, key: Key): void {
    if (key.ctrl && input === 'c') return void this.deliver(input, key);
    if (key.escape && this.holds > 0) {
      this.queue = [];
      return void this.deliver(input, key);
    }
    this.queue.push([input, key]);
    this.pump();
  }

  /** React committed the changes of key number `sequence`. */
  committed(sequence: number): void {
    if (sequence !== this.sent || !this.waiting) return;
    clearTimeout(this.waiting);
    this.waiting = null;
    this.pump();
  }

  private pump(): void {
    if (this.waiting || this.holds > 0) return;
    const next = this.queue.shift();
    if (!next) return;
    const unused = this.deliver(...next);
    if (unused) this.queue.unshift([unused, TEXT_KEY]);
    const sequence = ++this.sent;
    this.waiting = setTimeout(() => this.committed(sequence), MAX_COMMIT_WAIT_MS).unref();
    this.commit(sequence);
  }

  private deliver(input: string, key: Key): string | undefined {
    let unused: string | undefined;
    for (const { handler } of [...this.handlers]) {
      const left = handler.current(input, key);
      if (left === true) break;
      if (typeof left === 'string' && left && unused === undefined) unused = left;
    }
    return unused;
  }
}

const KeyQueueContext = createContext<KeyQueue | null>(null);

/** The app's one subscription to Ink's input, through a KeyQueue to the handlers of `useKeys`. */
export function KeyRouter({ children }: { children: ReactNode }) {
  const [committed, setCommitted] = useState(0);
  const [queue] = useState(() => new KeyQueue(setCommitted));
  // After the commit, not within it: keys handled inside a commit would nest React updates.
  useLayoutEffect(() => queueMicrotask(() => queue.committed(committed)), [queue, committed]);
  useInput(
    useCallback(
      (input: string, key: Key) => {
        for (const [text, flags] of splitChunk(input, key)) queue.push(text, flags);
      },
      [queue],
    ),
  );
  return <KeyQueueContext.Provider value={queue}>{children}</KeyQueueContext.Provider>;
}

/**
 * Ink's `useInput`, through the app's KeyRouter when there is one (alone, as in a component
 * test, Ink's own, where every handler sees every key whatever its priority). The handler
 * registers while React commits, so the next key finds it.
 */
export function useKeys(handler: KeyHandler, { isActive = true, priority = KEY_PRIORITY.screen }: { isActive?: boolean; priority?: number } = {}) {
  const queue = useContext(KeyQueueContext);
  const latest = useRef(handler);
  useLayoutEffect(() => {
    latest.current = handler;
  });
  useLayoutEffect(() => {
    if (!queue || !isActive) return;
    return queue.add(latest, priority);
  }, [queue, isActive, priority]);
  useInput(
    (input, key) => {
      for (const [text, flags] of splitChunk(input, key)) handler(text, flags);
    },
    { isActive: queue === null && isActive },
  );
}

/** While `active`, keys wait for the screen (a list still loading) instead of reaching nothing. */
export function useHoldKeys(active = true) {
  const queue = useContext(KeyQueueContext);
  useLayoutEffect(() => {
    if (!queue || !active) return;
    return queue.hold();
  }, [queue, active]);
}
