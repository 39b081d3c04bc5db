import { MongoServerError, type Db } from 'mongodb';
import { MongoStore } from '../../src/store/mongo/store.js';

type Doc = Record<string, unknown>;

const same = (a: unknown, b: unknown) => (a instanceof Date && b instanceof Date ? a.getTime() === b.getTime() : a === b);
const matches = (doc: Doc, filter: Doc) => Object.entries(filter).every(([key, value]) => same(doc[key], value));

/**
 * An in-memory stand-in for the few collection calls the first-user claim makes (equality filters
 * only), with a MongoDB server's duplicate-key error, and failures to order: `failNext.insertOne`
 * makes the next insertOne throw that error.
 */
export class FakeCollection {
  readonly docs: Doc[] = [];
  readonly failNext: Partial<Record<'insertOne' | 'deleteOne', Error>> = {};

  constructor(
    readonly collectionName: string,
    private readonly unique: string[],
  ) {}

  private fail(method: 'insertOne' | 'deleteOne'): void {
    const error = this.failNext[method];
    if (error) {
      delete this.failNext[method];
      throw error;
    }
  }

  async insertOne(doc: Doc): Promise<{ acknowledged: true }> {
    await Promise.resolve();
    this.fail('insertOne');
    for (const key of this.unique) {
      if (doc[key] !== undefined && this.docs.some((d) => same(d[key], doc[key])))
        throw new MongoServerError({ message: `E11000 duplicate key error collection: ${this.collectionName} index: ${key}`, code: 11000 });
    }
    this.docs.push({ ...doc });
    return { acknowledged: true };
  }

  async countDocuments(filter: Doc = {}): Promise<number> {
    await Promise.resolve();
    return this.docs.filter((d) => matches(d, filter)).length;
  }

  async findOne(filter: Doc): Promise<Doc | null> {
    await Promise.resolve();
    const found = this.docs.find((d) => matches(d, filter));
    return found ? { ...found } : null;
  }

  async findOneAndReplace(filter: Doc, replacement: Doc): Promise<Doc | null> {
    await Promise.resolve();
    const i = this.docs.findIndex((d) => matches(d, filter));
    if (i < 0) return null;
    const before = this.docs[i] as Doc;
    this.docs[i] = { ...replacement, _id: before._id };
    return before;
  }

  /** `$set`, `$unset` and `$setOnInsert` of top-level fields, with `upsert`; every update is recorded in `updates`. */
  readonly updates: Array<{ filter: Doc; update: Doc }> = [];

  async updateOne(filter: Doc, update: Doc, options: { upsert?: boolean } = {}): Promise<{ matchedCount: number; upsertedCount: number }> {
    await Promise.resolve();
    this.updates.push({ filter, update });
    const { $set = {}, $unset = {}, $setOnInsert = {} } = update as Record<'$set' | '$unset' | '$setOnInsert', Doc | undefined>;
    let doc = this.docs.find((d) => matches(d, filter));
    const inserted = !doc && options.upsert === true;
    if (!doc && !inserted) return { matchedCount: 0, upsertedCount: 0 };
    if (!doc) {
      doc = { _id: filter._id ?? `fake-${this.docs.length + 1}`, ...filter, ...$setOnInsert };
      this.docs.push(doc);
    }
    Object.assign(doc, structuredClone($set));
    for (const key of Object.keys($unset)) delete doc[key];
    return { matchedCount: inserted ? 0 : 1, upsertedCount: inserted ? 1 : 0 };
  }

  async deleteOne(filter: Doc): Promise<{ deletedCount: number }> {
    await Promise.resolve();
    this.fail('deleteOne');
    const i = this.docs.findIndex((d) => matches(d, filter));
    if (i >= 0) this.docs.splice(i, 1);
    return { deletedCount: i >= 0 ? 1 : 0 };
  }
}

/** A MongoStore over fake collections (only what the first-user claim, the steering and a scenario's save use works). */
export function storeOverFakes(): {
  store: MongoStore;
  users: FakeCollection;
  meta: FakeCollection;
  sessions: FakeCollection;
  scenarios: FakeCollection;
} {
  const collections = new Map<string, FakeCollection>([
    ['users', new FakeCollection('users', ['_id', 'username_lower'])],
    ['storyos_meta', new FakeCollection('storyos_meta', ['_id'])],
    ['game_sessions', new FakeCollection('game_sessions', ['_id'])],
    ['scenarios', new FakeCollection('scenarios', ['_id', 'scenario_id'])],
  ]);
  const db = { databaseName: 'fake', collection: (name: string) => collections.get(name) ?? new FakeCollection(name, ['_id']) };
  // The stand-in covers only the calls made; the cast says so.
  const store = MongoStore.over({ close: async () => {} }, db as unknown as Db, 'mongodb://storyos:hunter22@fake.example/');
  const get = (name: string) => collections.get(name) as FakeCollection;
  return { store, users: get('users'), meta: get('storyos_meta'), sessions: get('game_sessions'), scenarios: get('scenarios') };
}
