import { UserFacingError } from '../config/errors.js';
import { sanitizeText } from '../llm/sanitize.js';

/** Exit codes shared by every command. */
export const EXIT = { ok: 0, noMatch: 1, usage: 2, failure: 1, hangUp: 129, interrupted: 130, terminated: 143 } as const;

/** How a signal ends the game: 128 + its number, as a shell reports it. */
export const EXIT_BY_SIGNAL = { SIGINT: EXIT.interrupted, SIGTERM: EXIT.terminated, SIGHUP: EXIT.hangUp } as const;

type Cleanup = () => Promise<void> | void;
const cleanups: Cleanup[] = [];

/** Runs before any exit we control: closes log files, the store, the terminal. */
export function onExit(cleanup: Cleanup): void {
  cleanups.push(cleanup);
}

export async function exit(code: number): Promise<never> {
  for (const cleanup of cleanups.splice(0).reverse()) {
    try {
      await cleanup();
    } catch {
      // Exiting anyway: a failing cleanup must not hide the exit code.
    }
  }
  if (code === EXIT.hangUp) {
    // After a hang-up the terminal is gone, and process.exit's reset of it aborts the process:
    // it ends by the signal itself, which a shell reports as 129 too.
    process.removeAllListeners('SIGHUP');
    process.kill(process.pid, 'SIGHUP');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  process.exit(code);
}

/** One line on stderr, never a stack trace, and nothing in it a terminal would act on. */
export function printError(message: string): void {
  process.stderr.write(`storyos: ${sanitizeText(message).replace(/\s*\n\s*/g, ' ')}\n`);
}

export function describeError(error: unknown): { message: string; code: number; expected: boolean } {
  if (error instanceof UserFacingError) return { message: error.message, code: error.exitCode, expected: true };
  const message = error instanceof Error ? error.message : String(error);
  return { message: `unexpected error: ${message.split('\n')[0]}`, code: EXIT.failure, expected: false };
}
