import { randomBytes } from 'node:crypto';
import { MongoClient } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { secretValues } from '../../src/config/env.js';
import { setKnownSecrets } from '../../src/logging/redact.js';
import { StoreUnavailableError } from '../../src/store/errors.js';
import { MongoStore } from '../../src/store/mongo/store.js';
import { storeContract } from './contract.js';

const uri = process.env.STORYOS_TEST_MONGODB_URI;

/** A store on a database of its own, dropped when the store is closed. */
async function openFresh(serverUri: string): Promise<MongoStore> {
  const database = `storyos_test_${randomBytes(6).toString('hex')}`;
  const store = await MongoStore.open(serverUri, database);
  const close = store.close.bind(store);
  store.close = async () => {
    const admin = new MongoClient(serverUri);
    try {
      await admin.db(database).dropDatabase();
    } finally {
      await admin.close();
      await close();
    }
  };
  return store;
}

if (uri) {
  storeContract('MongoDB', () => openFresh(uri));
} else {
  describe.skip('MongoDB store contract (set STORYOS_TEST_MONGODB_URI to a MongoDB server to run it)', () => {
    it('needs a server', () => {});
  });
}

describe('MongoDB unreachable', () => {
  it('fails within the server selection timeout with one clear sentence naming the host, without the password, even with the log redactor primed from MONGODB_URI as the CLI and the game prime it', async () => {
    const uri = 'mongodb://storyos:s3cretpass@127.0.0.1:1/?directConnection=true';
    setKnownSecrets(secretValues({ MONGODB_URI: uri }));
    try {
      const started = Date.now();
      const error = await MongoStore.open(uri, 'games').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StoreUnavailableError);
      expect((error as Error).message).toMatch(/^Cannot reach MongoDB at mongodb:\/\/storyos:\[REDACTED\]@127\.0\.0\.1:1\/\?directConnection=true \(database games\): .* \(check MONGODB_URI and that the server is running\)\.$/);
      expect((error as Error).message).not.toContain('s3cretpass');
      expect(Date.now() - started).toBeLessThan(15_000);
    } finally {
      setKnownSecrets([]);
    }
  });

  it('refuses a connection string the driver refuses in one sentence (db migrate --to, before any connection)', async () => {
    const error = await MongoStore.open('mongodb://storyos:s3cretpass@127.0.0.1:99999/', 'games').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect((error as Error).message).toBe('Cannot use the MongoDB connection string mongodb://storyos:[REDACTED]@127.0.0.1:99999/ (database games): the port of 127.0.0.1:99999 is not a number from 1 to 65535.');
  });
});
