import fs from 'node:fs';
import type { Config } from '../config/env.js';
import { openOnFirstUse } from './deferred.js';
import { StoreUnavailableError } from './errors.js';
import { mongoLocation } from './mongo/uri.js';
import { databaseFile } from './sqlite/file.js';
import type { Store } from './types.js';

/** MongoDB when MONGODB_URI is set, else the embedded SQLite file; only that driver is loaded. */
export async function openStore(config: Config): Promise<Store> {
  if (config.mongo.uri) {
    const { MongoStore } = await import('./mongo/store.js');
    return MongoStore.open(config.mongo.uri, config.mongo.databaseName);
  }
  const { SqliteStore } = await import('./sqlite/store.js');
  return SqliteStore.open(config.dataDir);
}

/**
 * The store of `openStore`, opened on its first use (see deferred.ts); `prepare` (seeding) runs
 * once it is open, before any other call reaches it.
 */
export function openStoreOnFirstUse(config: Config, prepare: (store: Store) => Promise<unknown>): Store {
  const [engine, location] = config.mongo.uri
    ? (['mongodb', mongoLocation(config.mongo.uri, config.mongo.databaseName)] as const)
    : (['sqlite', databaseFile(config.dataDir)] as const);
  return openOnFirstUse(engine, location, async (closing) => {
    const store = await openStore(config);
    try {
      // Closed while it opened (the player quit meanwhile): nothing more to write.
      if (closing.aborted) throw new StoreUnavailableError('The store was closed while it opened.');
      await prepare(store);
    } catch (error) {
      await store.close();
      throw error;
    }
    return store;
  });
}

/**
 * Before opening, whether the store is new (no accounts yet): a SQLite store is when its file
 * does not exist; for MongoDB nothing tells (undefined).
 */
export function looksNew(config: Config): boolean | undefined {
  return config.mongo.uri ? undefined : !fs.existsSync(databaseFile(config.dataDir));
}
