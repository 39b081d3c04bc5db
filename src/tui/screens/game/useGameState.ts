import { useState, useSyncExternalStore } from 'react';
import { type GameAction, type GameState, gameReducer } from './reducer.js';

/**
 * The game screen's state in one reducer, held outside React so that `get()` is the state after
 * the last action even before React renders it (a key, or a narration's end, can come first).
 * `onReprint` runs before the render of a state that prints the story again (it clears the
 * terminal: <Static> prints each message once, so the new print must start on a clean screen).
 */
export class GameStore {
  private state: GameState;
  private readonly listeners = new Set<() => void>();

  constructor(
    initial: GameState,
    private readonly onReprint: () => void,
  ) {
    this.state = initial;
  }

  get = (): GameState => this.state;

  dispatch = (action: GameAction): void => {
    const next = gameReducer(this.state, action);
    if (next === this.state) return;
    if (next.printed !== this.state.printed) this.onReprint();
    this.state = next;
    for (const listener of [...this.listeners]) listener();
  };

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };
}

/** The screen's GameStore, made once, and its state as of this render. */
export function useGameState(initial: () => GameState, onReprint: () => void): [GameState, GameStore] {
  const [store] = useState(() => new GameStore(initial(), onReprint));
  const state = useSyncExternalStore(store.subscribe, store.get);
  return [state, store];
}
