import { render } from 'ink';
import { App } from './App.js';
import { CancelContext, type CancelRegistry } from './cancel.js';
import { ServicesContext } from './context.js';
import type { AppServices } from './services.js';

/** Runs the TUI until the player quits; Ink restores the terminal on the way out. */
export async function runTui(services: AppServices, options: { firstRun: boolean | undefined; continueLast: boolean }): Promise<void> {
  const cancel: CancelRegistry = { current: null };
  const app = render(
    <ServicesContext.Provider value={services}>
      <CancelContext.Provider value={cancel}>
        <App firstRun={options.firstRun} continueLast={options.continueLast} />
      </CancelContext.Provider>
    </ServicesContext.Provider>,
    { exitOnCtrlC: false },
  );
  await app.waitUntilExit();
}
