import { useInput, type Key } from 'ink';
import { createContext, useCallback, useContext, useLayoutEffect, useMemo, useRef, useState, type ReactNode } from 'react';

export type KeyHandler = (input: string, key: Key) => void;

interface KeyRegistry {
  add(handler: { current: KeyHandler }): () => void;
  /** Keys wait (Ctrl+C excepted) until the returned release is called. */
  hold(): () => void;
}

const KeyRegistryContext = createContext<KeyRegistry | null>(null);

/** Longest a key waits for the screen the key before it asked for (a commit that never comes). */
const MAX_WAIT_MS = 100;

/**
 * One subscription to Ink's input for the whole app, handing each key to the handlers of
 * `useKeys`. React draws a key's effects later, not while the key is handled, so a key that comes
 * at once after one that changed the screen (Enter, then a name typed, pasted or sent by a
 * password manager) would reach the old screen, or nothing. Each key therefore waits until React
 * has committed the one before it, and handlers register during that commit.
 */
export function KeyRouter({ children }: { children: ReactNode }) {
  const handlers = useRef(new Set<{ current: KeyHandler }>());
  const queue = useRef<Array<[string, Key]>>([]);
  const waiting = useRef<NodeJS.Timeout | null>(null);
  const holds = useRef(0);
  const [delivered, setDelivered] = useState(0);
  const registry = useMemo<KeyRegistry>(
    () => ({
      add(handler) {
        handlers.current.add(handler);
        return () => handlers.current.delete(handler);
      },
      hold() {
        holds.current += 1;
        return () => {
          holds.current -= 1;
          if (holds.current === 0) queueMicrotask(letNextThrough);
        };
      },
    }),
    [],
  );
  const deliverNext = useCallback(() => {
    if (holds.current > 0) return;
    const next = queue.current.shift();
    if (!next) return;
    for (const handler of [...handlers.current]) handler.current(...next);
    // Committed with whatever the handlers changed; the commit lets the next key through.
    setDelivered((count) => count + 1);
    waiting.current = setTimeout(letNextThrough, MAX_WAIT_MS);
  }, []);
  function letNextThrough() {
    if (waiting.current) clearTimeout(waiting.current);
    waiting.current = null;
    deliverNext();
  }
  // After the commit, not within it: keys handled inside a commit would nest React updates.
  useLayoutEffect(() => queueMicrotask(letNextThrough), [delivered]);
  useInput(
    useCallback((input: string, key: Key) => {
      // Ctrl+C (cancel, quit) is never kept waiting behind a screen that is still loading.
      if (holds.current > 0 && key.ctrl && input === 'c') {
        for (const handler of [...handlers.current]) handler.current(input, key);
        return;
      }
      queue.current.push([input, key]);
      if (!waiting.current) deliverNext();
    }, []),
  );
  return <KeyRegistryContext.Provider value={registry}>{children}</KeyRegistryContext.Provider>;
}

/** Ink's `useInput`, through the app's `KeyRouter` when there is one (alone, as in a component test, Ink's). */
export function useKeys(handler: KeyHandler, { isActive = true }: { isActive?: boolean } = {}) {
  const registry = useContext(KeyRegistryContext);
  const latest = useRef(handler);
  useLayoutEffect(() => {
    latest.current = handler;
  });
  useLayoutEffect(() => {
    if (!registry || !isActive) return;
    return registry.add(latest);
  }, [registry, isActive]);
  useInput(handler, { isActive: registry === null && isActive });
}

/**
 * While `active`, keys wait for the screen (a list still loading) instead of reaching nothing;
 * Ctrl+C still quits.
 */
export function useHoldKeys(active = true) {
  const registry = useContext(KeyRegistryContext);
  useLayoutEffect(() => {
    if (!registry || !active) return;
    return registry.hold();
  }, [registry, active]);
}
