/**
 * Emitted on `process` once the TUI's first frame is on the terminal: bare `storyos` keeps V8's
 * code cache then (src/launch/start-game.ts), holding the code of the start and not what loads
 * after it.
 */
export const FIRST_FRAME_EVENT = 'storyos:first-frame';

export function announceFirstFrame(): void {
  process.emit(FIRST_FRAME_EVENT as 'beforeExit', 0);
}
