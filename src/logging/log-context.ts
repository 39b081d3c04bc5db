import { AsyncLocalStorage } from 'node:async_hooks';
import { randomBytes } from 'node:crypto';
import type { LogContext } from './format.js';

/**
 * Context every log line written inside a scope carries, whatever module writes it: the engine
 * binds `session` and `turn` once for a turn, and the store's and the narrator's lines written
 * during it (the background story-state update too: AsyncLocalStorage follows the promises started
 * inside) carry them. The same idea as pino's `child(bindings)`, for code that has no logger passed in.
 */
interface Scope {
  bindings: LogContext;
  /** Per-scope counters (count and milliseconds), e.g. the database operations of a turn. */
  tallies: Map<string, Tally>;
}

export interface Tally {
  count: number;
  ms: number;
}

const storage = new AsyncLocalStorage<Scope>();

/**
 * Runs `fn` (sync or async) with `bindings` added to every log line written inside it. Nested
 * scopes add to the outer one's bindings (the inner value wins); tallies belong to the innermost.
 */
export function withLogContext<T>(bindings: LogContext, fn: () => T): T {
  const outer = storage.getStore();
  const scope: Scope = { bindings: outer ? { ...outer.bindings, ...bindings } : bindings, tallies: new Map() };
  return storage.run(scope, fn);
}

/** The bindings of the scope the caller runs in, if any. */
export function currentLogContext(): LogContext | undefined {
  return storage.getStore()?.bindings;
}

/**
 * A call's context with the scope's bindings after its own keys: a key the call gives wins, and
 * keeps its place (so `session` is never written twice, and lines read as before, with the bound
 * fields at their end). One `getStore()`; without a scope, the context as given.
 */
export function withBindings(context: LogContext | undefined): LogContext | undefined {
  const scope = storage.getStore();
  return scope ? merge(context, scope.bindings) : context;
}

/** `context`'s keys, then those of `bindings` it does not have. */
export function merge(context: LogContext | undefined, bindings: LogContext): LogContext {
  if (!context) return bindings;
  const merged: LogContext = { ...context };
  for (const key in bindings) if (!(key in merged)) merged[key] = bindings[key];
  return merged;
}

/** Counts one event of `name` taking `ms` in the current scope (nothing outside one). */
export function tally(name: string, ms: number): void {
  const tallies = storage.getStore()?.tallies;
  if (!tallies) return;
  const t = tallies.get(name);
  if (t) {
    t.count++;
    t.ms += ms;
  } else tallies.set(name, { count: 1, ms });
}

/** What `tally` counted of `name` in the current scope so far. */
export function tallyOf(name: string): Tally | undefined {
  return storage.getStore()?.tallies.get(name);
}

/**
 * A turn id: `t` and 8 hex digits (`t3f9a2c01`), random, new for each operation. Short enough to
 * read and grep, and unlikely to repeat within a game (32 bits: about one chance in 8,000 for
 * 1,000 turns); `logs replay` groups a game's lines by it.
 */
export function newTurnId(): string {
  return `t${randomBytes(4).toString('hex')}`;
}
