import { render } from 'ink';
import { App } from './App.js';
import { CancelContext, type CancelRegistry } from './cancel.js';
import { ServicesContext } from './context.js';
import { guardedStdout } from './guarded-stdout.js';
import type { AppServices } from './services.js';

/** The longest a signal waits for the narration in progress to be saved. */
const SIGNAL_GRACE_MS = 3000;

/**
 * Runs the TUI until the player quits; Ink restores the terminal on the way out. SIGTERM and
 * SIGHUP (a closed terminal, `tmux kill-session`, a shutdown) stop the narration in progress as
 * Ctrl+C does, so that its text and the action are saved, then end the game: the result is then
 * the signal that ended it.
 */
export type EndingSignal = 'SIGTERM' | 'SIGHUP';

export async function runTui(services: AppServices, options: { firstRun: boolean | undefined; continueLast: boolean }): Promise<EndingSignal | null> {
  const cancel: CancelRegistry = { current: null, inFlight: null };
  let signalled: EndingSignal | null = null;
  const app = render(
    <ServicesContext.Provider value={services}>
      <CancelContext.Provider value={cancel}>
        <App firstRun={options.firstRun} continueLast={options.continueLast} />
      </CancelContext.Provider>
    </ServicesContext.Provider>,
    { exitOnCtrlC: false, stdout: guardedStdout() },
  );
  const onSignal = (name: EndingSignal) => async () => {
    if (signalled !== null) return;
    signalled = name;
    cancel.current?.();
    await Promise.race([cancel.inFlight ?? Promise.resolve(), new Promise((resolve) => setTimeout(resolve, SIGNAL_GRACE_MS).unref())]);
    try {
      app.unmount();
    } catch {
      // The terminal may be gone (SIGHUP): there is nothing left to restore.
    }
  };
  const handlers = { SIGTERM: onSignal('SIGTERM'), SIGHUP: onSignal('SIGHUP') };
  // A terminal that is gone fails writes (EIO) before or instead of the hang-up: the same ending.
  const onTerminalGone = () => void handlers.SIGHUP();
  for (const [name, handler] of Object.entries(handlers)) process.on(name, handler);
  process.stdout.on('error', onTerminalGone);
  try {
    await app.waitUntilExit();
  } finally {
    for (const [name, handler] of Object.entries(handlers)) process.off(name, handler);
    process.stdout.off('error', onTerminalGone);
  }
  return signalled;
}
