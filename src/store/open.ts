import fs from 'node:fs';
import type { Config } from '../config/env.js';
import { openOnFirstUse } from './deferred.js';
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
  const [engine, location] = config.mongo.uri ? (['mongodb', `MongoDB database ${config.mongo.databaseName}`] as const) : (['sqlite', databaseFile(config.dataDir)] as const);
  return openOnFirstUse(engine, location, async () => {
    const store = await openStore(config);
    try {
      await prepare(store);
    } catch (error) {
      await store.close();
      throw error;
    }
    return store;
  });
}

/** Before opening: a SQLite store without its file is new (no accounts yet); MongoDB cannot tell. */
export function looksNew(config: Config): boolean {
  return !config.mongo.uri && !fs.existsSync(databaseFile(config.dataDir));
}
