import type { Command } from 'commander';

type Action = (args: string[], options: Record<string, unknown>) => Promise<number>;

/**
 * A commander action that imports its implementation only when it runs, so that start-up
 * loads only the command being used. The action's result is the exit code.
 */
export function lazyAction<M extends Record<string, unknown>>(load: () => Promise<M>, name: keyof M & string) {
  return async (...args: unknown[]) => {
    const module = await load();
    const command = args[args.length - 1] as Command;
    process.exitCode = await (module[name] as Action)(command.processedArgs as string[], command.opts());
  };
}
