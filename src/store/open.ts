import type { Config } from '../config/env.js';
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
