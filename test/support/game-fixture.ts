import { afterEach, beforeEach } from 'vitest';
import { Accounts } from '../../src/auth/accounts.js';
import { seedStore } from '../../src/game/seed.js';
import { SqliteStore } from '../../src/store/sqlite/store.js';
import type { PublicUser } from '../../src/store/types.js';
import { FakeLlmServer } from './fake-llm-server.js';
import { tempDir } from './temp.js';

export interface GameFixture {
  server: FakeLlmServer;
  store: SqliteStore;
  alice: PublicUser;
}

/**
 * For each test: the fake narrator, a seeded SQLite store on a real file and the player alice
 * (password `password123`); stopped and closed after it. Read the fields inside a test.
 */
export function setUpGameFixture(): GameFixture {
  const fixture = {} as GameFixture;
  beforeEach(async () => {
    fixture.server = await new FakeLlmServer().start();
    fixture.store = SqliteStore.open(tempDir());
    await seedStore(fixture.store);
    fixture.alice = await new Accounts(fixture.store).createUser('alice', 'password123', 'user', 'test');
  });
  afterEach(async () => {
    await fixture.server.stop();
    await fixture.store.close();
  });
  return fixture;
}
