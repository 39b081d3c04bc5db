import { StoreUnavailableError } from './errors.js';
import type { Store, StoreEngine } from './types.js';

/**
 * A store that opens on its first use: the TUI draws its first frame while the database opens (a
 * remote MongoDB can take a while to connect). Every call waits for the one open and shares its
 * failure; the open is not retried, as a store that cannot open ends the game anyway. Closed, it
 * takes no more calls; closed while opening, it tells `open` (through the signal) to stop short.
 */
export function openOnFirstUse(engine: StoreEngine, location: string, open: (signal: AbortSignal) => Promise<Store>): Store {
  const closing = new AbortController();
  let opening: Promise<Store> | undefined;
  const opened = () => {
    if (closing.signal.aborted) return Promise.reject(new StoreUnavailableError('The store is closed.'));
    opening ??= open(closing.signal);
    return opening;
  };
  const close = async () => {
    closing.abort();
    const store = await opening?.catch(() => undefined);
    await store?.close();
  };
  return new Proxy({} as Store, {
    get(_target, property) {
      if (property === 'engine') return engine;
      if (property === 'location') return location;
      if (property === 'close') return close;
      // Not a promise itself: `await store` must give the store back.
      if (property === 'then' || typeof property === 'symbol') return undefined;
      return async (...args: unknown[]) => {
        const store = (await opened()) as unknown as Record<string, unknown>;
        const method = store[property];
        if (typeof method !== 'function') throw new TypeError(`The store has no method ${property}.`);
        return method.apply(store, args);
      };
    },
  });
}
