import { colour } from './theme.js';
import { Box, Text, useApp, useStdout } from 'ink';
import { lazy, Suspense, useCallback, useEffect, useRef, useState, type ReactElement } from 'react';
import { getLogger, logUserAction } from '../logging/logger.js';
import type { PublicUser } from '../store/types.js';
import { useCancelRegistry } from './cancel.js';
import { CLEAR_SCREEN } from './clear-screen.js';
import { Frame } from './components/Frame.js';
import { MenuMemory } from './components/Menu.js';
import { Waiting } from './components/Loading.js';
import { ScreenFailure } from './components/ScreenFailure.js';
import { announceFirstFrame } from './first-frame.js';
import { KeyRouter, useKeys } from './keys.js';
import { useServices } from './context.js';
import { AdminScreen } from './screens/AdminScreen.js';
import { FirstRunScreen } from './screens/FirstRunScreen.js';
import type { GameStart } from './screens/GameScreen.js';
import { LoadGameScreen } from './screens/LoadGameScreen.js';
import { LoginScreen } from './screens/LoginScreen.js';
import { MainMenuScreen, type MenuChoice } from './screens/MainMenuScreen.js';
import { NewGameScreen } from './screens/NewGameScreen.js';
import { ScenariosScreen } from './screens/ScenariosScreen.js';

const log = getLogger('tui');

/**
 * The game screen brings the Markdown renderer (marked-terminal and highlight.js), the heaviest
 * code in the TUI. It loads after the first frame, while the player logs in, so that the login
 * screen appears sooner.
 */
const loadGameScreen = () => import('./screens/GameScreen.js').then((module) => ({ default: module.GameScreen }));
const GameScreen = lazy(loadGameScreen);
/** Ctrl+C twice within this long quits. */
const DOUBLE_PRESS_MS = 2000;
const PRESS_AGAIN = 'Press Ctrl+C again to quit.';

export type Screen =
  | { name: 'opening' }
  | { name: 'first-run' }
  | { name: 'login' }
  | { name: 'menu' }
  | { name: 'new-game' }
  | { name: 'load-game' }
  | { name: 'scenarios' }
  | { name: 'admin' }
  | { name: 'game'; start: GameStart };

export interface AppProps {
  /**
   * Whether to open on the first-run screen: a guess made before the store opens, then checked;
   * undefined when nothing tells before (MongoDB), for a screen that waits for the store.
   */
  firstRun: boolean | undefined;
  /** `storyos play --continue`: straight into the last game after logging in. */
  continueLast?: boolean;
}

export function App(props: AppProps) {
  return (
    <KeyRouter>
      <Screens {...props} />
    </KeyRouter>
  );
}

function Screens({ firstRun, continueLast = false }: AppProps) {
  const services = useServices();
  const { exit } = useApp();
  const cancel = useCancelRegistry();
  const [screen, setScreen] = useState<Screen>(firstRun === undefined ? { name: 'opening' } : firstRun ? { name: 'first-run' } : { name: 'login' });
  const [user, setUser] = useState<PublicUser | null>(null);
  const [hint, setHint] = useState<string | null>(null);
  const lastCtrlC = useRef(0);
  /** Where each menu's cursor was, for coming back to it; forgotten when the player changes. */
  const [menus] = useState(() => new Map<string, unknown>());
  /**
   * Set to end the game: Ink exits once this is committed, so the last frame is the one without
   * the quit hint; with the store's failure to open, the screen clears and it ends with its sentence.
   */
  const [ending, setEnding] = useState<{ error?: Error } | null>(null);
  useEffect(() => {
    if (ending) exit(ending.error);
  }, [ending, exit]);

  const { write } = useStdout();
  const current = useRef<Screen['name']>(screen.name);
  const go = useCallback(
    (next: Screen) => {
      log.debug(`Screen: ${next.name}`);
      // The story stays printed above the screens unless cleared: the next player must not see it.
      if (current.current === 'game' && next.name !== 'game') write(CLEAR_SCREEN);
      current.current = next.name;
      setHint(null);
      setScreen(next);
    },
    [write],
  );

  const startedUp = useRef(false);
  useEffect(() => {
    if (startedUp.current) return;
    startedUp.current = true;
    const afterFirstFrame = setTimeout(() => {
      announceFirstFrame();
      // The store opens now, behind the first frame. Its first answer settles the first screen,
      // which was a guess (`firstRun`); a store that cannot open ends the game with its sentence.
      const firstScreen = current.current;
      services.accounts.needsFirstAdmin().then(
        (needed) => {
          const right = needed ? 'first-run' : 'login';
          if (current.current === firstScreen && firstScreen !== right) go({ name: right });
        },
        (error: unknown) => {
          log.error('The store failed on first use', { error: error instanceof Error ? error.message : String(error) });
          setEnding({ error: error instanceof Error ? error : new Error(String(error)) });
        },
      );
      // A failure shows when the game screen is opened (ScreenFailure), not here.
      loadGameScreen().catch(() => undefined);
      services.engine.warmUp();
    }, 0);
    return () => clearTimeout(afterFirstFrame);
  }, [services, go]);

  const quit = useCallback(() => {
    if (user) logUserAction(log, 'quit', user.username);
    else log.info(`Quit from the ${current.current} screen, not logged in`);
    // The last hint ("Press Ctrl+C again to quit.") is not left on the terminal.
    setHint(null);
    setEnding({});
  }, [user]);

  useKeys((input, key) => {
    if (!(key.ctrl && input === 'c')) {
      if (hint) setHint(null);
      return;
    }
    const cancelled = cancel.current?.() ?? false;
    if (cancelled !== false) {
      setHint(cancelled);
      lastCtrlC.current = 0;
      return;
    }
    const now = Date.now();
    if (now - lastCtrlC.current < DOUBLE_PRESS_MS) return quit();
    lastCtrlC.current = now;
    setHint(PRESS_AGAIN);
  });
  // The hint goes when it is no longer true: a Ctrl+C after the window does not quit.
  useEffect(() => {
    if (hint !== PRESS_AGAIN) return;
    const expiry = setTimeout(() => setHint((shown) => (shown === PRESS_AGAIN ? null : shown)), DOUBLE_PRESS_MS);
    return () => clearTimeout(expiry);
  }, [hint]);

  const loggedIn = async (who: PublicUser) => {
    menus.clear();
    setUser(who);
    const last = continueLast ? (await services.listSessions(who))[0] : undefined;
    go(last ? { name: 'game', start: { kind: 'load', sessionId: last.id } } : { name: 'menu' });
  };

  const choose = (choice: MenuChoice, last?: { id: string }) => {
    if (!user) return;
    logUserAction(log, `menu ${choice}`, user.username);
    if (choice === 'quit') return quit();
    if (choice === 'logout') {
      services.accounts.logout(user);
      menus.clear();
      setUser(null);
      return go({ name: 'login' });
    }
    if (choice === 'continue' && last) return go({ name: 'game', start: { kind: 'load', sessionId: last.id } });
    const next: Record<Exclude<MenuChoice, 'quit' | 'logout' | 'continue'>, Screen['name']> = {
      new: 'new-game',
      load: 'load-game',
      scenarios: 'scenarios',
      admin: 'admin',
    };
    go({ name: next[choice as keyof typeof next] } as Screen);
  };

  const toMenu = () => go({ name: 'menu' });
  if (ending?.error) return null;
  let body: ReactElement;
  switch (screen.name) {
    case 'opening':
      body = (
        <Frame title="Welcome" hints="Ctrl+C twice: quit">
          <Text dimColor>Opening the store…</Text>
        </Frame>
      );
      break;
    case 'first-run':
      body = <FirstRunScreen onDone={(u) => void loggedIn(u)} />;
      break;
    case 'login':
      body = <LoginScreen onDone={(u) => void loggedIn(u)} onQuit={quit} />;
      break;
    default:
      if (!user) {
        body = <Text>Not logged in.</Text>;
        break;
      }
      if (screen.name === 'menu') body = <MainMenuScreen user={user} onChoose={choose} />;
      else if (screen.name === 'new-game')
        body = <NewGameScreen onStart={(scenarioId) => go({ name: 'game', start: { kind: 'new', scenarioId } })} onBack={toMenu} />;
      else if (screen.name === 'load-game')
        body = <LoadGameScreen user={user} onOpen={(sessionId) => go({ name: 'game', start: { kind: 'load', sessionId } })} onBack={toMenu} />;
      else if (screen.name === 'scenarios') body = <ScenariosScreen user={user} onBack={toMenu} />;
      else if (screen.name === 'admin') body = <AdminScreen user={user} onBack={toMenu} />;
      else
        body = (
          <ScreenFailure what="The game screen" onBack={toMenu}>
            <Suspense fallback={<Waiting text="Opening the story…" />}>
              <GameScreen key={JSON.stringify(screen.start)} user={user} start={screen.start} onMenu={toMenu} onQuit={quit} />
            </Suspense>
          </ScreenFailure>
        );
  }
  return (
    <MenuMemory.Provider value={menus}>
      <Box flexDirection="column">
        {body}
        {hint ? <Text color={colour('yellow')}>{hint}</Text> : null}
      </Box>
    </MenuMemory.Provider>
  );
}
