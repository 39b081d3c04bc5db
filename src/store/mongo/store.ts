import { randomUUID } from 'node:crypto';
import { MongoClient, MongoServerError, type Collection, type Db, type Filter } from 'mongodb';
import { redactText } from '../../logging/redact.js';
import { ConflictError, DuplicateError, NotFoundError, StoreUnavailableError } from '../errors.js';
import { instrumented } from '../instrument.js';
import {
  branchIds,
  MESSAGE_ORDER,
  MESSAGE_ORDER_INDEX,
  messageFromDoc,
  messageToDoc,
  parentsFirst,
  scenarioFromDoc,
  scenarioToDoc,
  sessionFromDoc,
  sessionToDoc,
  stateToDoc,
  steeringToSet,
  type MessageDoc,
  type SessionDoc,
} from './docs.js';
import { CLIENT_OPTIONS, explainUriError, mongoLocation, withoutUriSecrets } from './uri.js';
import type {
  HeadUpdate,
  LockoutPolicy,
  LoginReservation,
  MessageRecord,
  NewMessage,
  PublicUser,
  ScenarioRecord,
  SessionRecord,
  SessionSteering,
  SessionSummary,
  Store,
  StoreCounts,
  StoryState,
  SystemPromptRecord,
  UserRecord,
} from '../types.js';

const DUPLICATE_KEY = 11000;

const isDuplicate = (error: unknown) => error instanceof MongoServerError && error.code === DUPLICATE_KEY;

/**
 * Up to this many messages, a branch is found in one `$graphLookup` from the head (a turn's
 * prompt reads the last few); past it (a whole story: `/story`, an export, a loaded game), from
 * the session's `_id`/`parent_id` pairs, which stay small however long the story. Either way the
 * messages then come as documents of their own: a long story as one document (the head with its
 * ancestors) would pass MongoDB's 16 MiB limit, and `$graphLookup`'s 100 MB.
 */
const BRANCH_LOOKUP_LIMIT = 64;
/** Ids per `$in` when the messages of a branch are fetched. */
const FETCH_BATCH = 500;

/**
 * The claim of the first account (see createFirstUser): `claim` tells one attempt's from
 * another's (claims written before it have none), `at` is when it was made.
 */
interface FirstUserClaim {
  _id: 'first_user';
  username: string;
  at: Date;
  claim?: string;
}
/**
 * How long a claim without its user is taken for a first run still at work (it writes the user
 * one round trip after the claim); older, it was left by a first run that crashed, and the next
 * one takes it over. Clocks of machines sharing a database must agree within this.
 */
export const FIRST_USER_CLAIM_MS = 30_000;

/** The MongoDB store (MONGODB_URI set): collections of SPEC §6, indexes made at start. */
export class MongoStore implements Store {
  readonly engine = 'mongodb' as const;
  readonly location: string;
  private readonly users: Collection<UserRecord>;
  private readonly scenarios: Collection<ScenarioRecord>;
  private readonly prompts: Collection<SystemPromptRecord>;
  private readonly sessions: Collection<SessionDoc>;
  private readonly messages: Collection<MessageDoc>;
  private readonly meta: Collection<FirstUserClaim>;

  private constructor(
    private readonly client: Pick<MongoClient, 'close'>,
    db: Db,
    uri: string,
  ) {
    this.location = mongoLocation(uri, db.databaseName);
    this.users = db.collection<UserRecord>('users');
    this.scenarios = db.collection<ScenarioRecord>('scenarios');
    this.prompts = db.collection<SystemPromptRecord>('system_prompts');
    this.sessions = db.collection<SessionDoc>('game_sessions');
    this.messages = db.collection<MessageDoc>('messages');
    this.meta = db.collection<FirstUserClaim>('storyos_meta');
  }

  /**
   * A store on a database whose client is already connected, its indexes not made: open()
   * connects and makes them; tests give a stand-in database here.
   */
  static over(client: Pick<MongoClient, 'close'>, db: Db, uri: string): MongoStore {
    return new MongoStore(client, db, uri);
  }

  /** Connects (within CLIENT_OPTIONS' server selection timeout) and makes the indexes; a failure is one sentence showing the hosts, never the secrets. */
  static async open(uri: string, databaseName: string): Promise<MongoStore> {
    let client: MongoClient;
    try {
      client = new MongoClient(uri, CLIENT_OPTIONS);
    } catch (error) {
      throw new StoreUnavailableError(`Cannot use the MongoDB connection string ${mongoLocation(uri, databaseName)}: ${explainUriError(error, uri)}.`);
    }
    try {
      await client.connect();
      const store = new MongoStore(client, client.db(databaseName), uri);
      await store.createIndexes();
      return store;
    } catch (error) {
      await client.close().catch(() => {});
      const reason = withoutUriSecrets(redactText((error as Error).message).split('\n')[0] ?? '', uri);
      throw new StoreUnavailableError(
        `Cannot reach MongoDB at ${mongoLocation(uri, databaseName)}: ${reason} (check MONGODB_URI and that the server is running).`,
      );
    }
  }

  /** Idempotent: creating an index that exists is a no-op. */
  private async createIndexes(): Promise<void> {
    await Promise.all([
      this.users.createIndex({ username_lower: 1 }, { unique: true }),
      this.scenarios.createIndex({ scenario_id: 1 }, { unique: true }),
      this.prompts.createIndex({ name: 1, version: 1 }, { unique: true }),
      this.sessions.createIndex({ user: 1, updated_at: -1 }),
      this.messages.createIndex({ session_id: 1, parent_id: 1 }),
      this.messages.createIndex(MESSAGE_ORDER_INDEX),
    ]);
  }

  private op<T>(operation: string, run: () => Promise<T>, context?: Record<string, string | number>): Promise<T> {
    return instrumented('mongodb', operation, run, context);
  }

  async close(): Promise<void> {
    await this.client.close();
  }

  counts(): Promise<StoreCounts> {
    return this.op('counts', async () => {
      const [users, scenarios, system_prompts, game_sessions, messages] = await Promise.all([
        this.users.countDocuments(),
        this.scenarios.countDocuments(),
        this.prompts.countDocuments(),
        this.sessions.countDocuments(),
        this.messages.countDocuments(),
      ]);
      return { users, scenarios, system_prompts, game_sessions, messages };
    });
  }

  countUsers(): Promise<number> {
    return this.op('count_users', () => this.users.countDocuments());
  }

  createUser(user: UserRecord): Promise<void> {
    return this.op(
      'create_user',
      async () => {
        try {
          await this.users.insertOne({ ...user });
        } catch (error) {
          if (isDuplicate(error)) throw new DuplicateError(`The username ${user.username} is taken.`);
          throw error;
        }
      },
      { rows: 1 },
    );
  }

  findUser(usernameLower: string): Promise<UserRecord | null> {
    return this.op('find_user', () => this.users.findOne({ username_lower: usernameLower }, { projection: { _id: 0 } }));
  }

  listUsers(): Promise<PublicUser[]> {
    return this.op(
      'list_users',
      () =>
        this.users
          .find({}, { projection: { _id: 0, password_hash: 0 } })
          .sort({ username_lower: 1 })
          .toArray() as Promise<PublicUser[]>,
    );
  }

  updateLoginState(usernameLower: string, state: Pick<UserRecord, 'failed_attempts' | 'locked_until' | 'last_login_at'>): Promise<void> {
    return this.op(
      'update_login_state',
      async () => {
        await this.users.updateOne({ username_lower: usernameLower }, { $set: state });
      },
      { rows: 1 },
    );
  }

  /**
   * One findOneAndUpdate, so the decision and the count are one atomic step on the server: the
   * filter admits only an account that is not locked (no lock, or one that has expired) and has
   * fewer than `maxFailures` attempts counted; the pipeline counts this one (from 0 after an
   * expired lock) and locks when it reaches the limit. When nothing matched, a read tells a
   * refused attempt from an unknown user (it decides nothing).
   */
  reserveLoginAttempt(usernameLower: string, now: Date, policy: LockoutPolicy): Promise<LoginReservation | null> {
    return this.op('reserve_login_attempt', async () => {
      const noLock = { $eq: [{ $ifNull: ['$locked_until', null] }, null] };
      const after = await this.users.findOneAndUpdate(
        { username_lower: usernameLower, $or: [{ locked_until: { $lte: now } }, { locked_until: null, failed_attempts: { $lt: policy.maxFailures } }] },
        [
          { $set: { failed_attempts: { $add: [{ $cond: [noLock, { $ifNull: ['$failed_attempts', 0] }, 0] }, 1] } } },
          { $set: { locked_until: { $cond: [{ $gte: ['$failed_attempts', policy.maxFailures] }, new Date(now.getTime() + policy.lockMs), null] } } },
        ],
        { returnDocument: 'after', projection: { _id: 0, failed_attempts: 1, locked_until: 1 } },
      );
      if (after) return { granted: true, failed_attempts: after.failed_attempts, locked_until: after.locked_until ?? null };
      const user = await this.users.findOne({ username_lower: usernameLower }, { projection: { _id: 0, failed_attempts: 1, locked_until: 1 } });
      return user ? { granted: false, failed_attempts: user.failed_attempts, locked_until: user.locked_until ?? null } : null;
    });
  }

  /** One conditional update: the count and the lock are cleared only if no other attempt locked the account since the reservation. */
  completeLogin(usernameLower: string, lockedUntil: Date | null, at: Date): Promise<boolean> {
    return this.op(
      'complete_login',
      async () => {
        const unchanged: Filter<UserRecord>[] = [{ locked_until: null }];
        if (lockedUntil) unchanged.push({ locked_until: lockedUntil });
        const result = await this.users.updateOne(
          { username_lower: usernameLower, $or: unchanged },
          { $set: { failed_attempts: 0, locked_until: null, last_login_at: at } },
        );
        return result.matchedCount > 0;
      },
      { rows: 1 },
    );
  }

  private async anyUser(): Promise<boolean> {
    return (await this.users.countDocuments({}, { limit: 1 })) > 0;
  }

  /**
   * Whether this attempt holds the claim of the first account: it wrote it, or took over one
   * left by a first run that crashed before its user (no user, and older than
   * FIRST_USER_CLAIM_MS; of two attempts taking it over, the replace lets one win).
   */
  private async claimFirstUser(claim: FirstUserClaim): Promise<boolean> {
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        await this.meta.insertOne(claim);
        return true;
      } catch (error) {
        if (!isDuplicate(error)) throw error;
      }
      const held = await this.meta.findOne({ _id: 'first_user' });
      if (!held) continue; // given up meanwhile: claim it again
      if (await this.anyUser()) return false;
      if (claim.at.getTime() - held.at.getTime() < FIRST_USER_CLAIM_MS) return false;
      const stale = held.claim === undefined ? { _id: 'first_user' as const, at: held.at } : { _id: 'first_user' as const, claim: held.claim };
      return (await this.meta.findOneAndReplace(stale, claim)) !== null;
    }
    return false;
  }

  /**
   * A claim document with a fixed id settles two first runs at once: only one insert of it
   * succeeds. (A standalone mongod has no multi-document transactions, so the claim and the user
   * are two writes.) The claim never outlives a failure: a failed user insert gives it up, and
   * one left by a crash is taken over by the next first run once FIRST_USER_CLAIM_MS has passed.
   */
  createFirstUser(user: UserRecord): Promise<boolean> {
    return this.op('create_first_user', async () => {
      if (await this.anyUser()) return false;
      const claim: FirstUserClaim = { _id: 'first_user', username: user.username, at: new Date(), claim: randomUUID() };
      if (!(await this.claimFirstUser(claim))) return false;
      try {
        await this.users.insertOne({ ...user });
      } catch (error) {
        await this.meta.deleteOne({ _id: 'first_user', claim: claim.claim }).catch(() => {});
        // The name was taken meanwhile (`storyos users add`): there is an account now.
        if (isDuplicate(error)) return false;
        throw error;
      }
      return true;
    });
  }

  saveScenario(scenario: ScenarioRecord): Promise<void> {
    return this.op(
      'save_scenario',
      async () => {
        const { created_by, created_at, ...fields } = scenarioToDoc(scenario);
        // A scenario saved without world info replaces one that had some: the field goes.
        await this.scenarios.updateOne(
          { scenario_id: scenario.scenario_id },
          { $set: fields, $setOnInsert: { created_by, created_at }, ...(fields.world_info ? {} : { $unset: { world_info: '' } }) },
          { upsert: true },
        );
      },
      { scenario_id: scenario.scenario_id },
    );
  }

  getScenario(scenarioId: string): Promise<ScenarioRecord | null> {
    return this.op('get_scenario', async () => {
      const doc = await this.scenarios.findOne({ scenario_id: scenarioId }, { projection: { _id: 0 } });
      return doc ? scenarioFromDoc(doc) : null;
    });
  }

  listScenarios(): Promise<ScenarioRecord[]> {
    return this.op('list_scenarios', async () =>
      (
        await this.scenarios
          .find({}, { projection: { _id: 0 } })
          .sort({ name: 1, scenario_id: 1 })
          .toArray()
      ).map(scenarioFromDoc),
    );
  }

  deleteScenario(scenarioId: string): Promise<boolean> {
    return this.op('delete_scenario', async () => (await this.scenarios.deleteOne({ scenario_id: scenarioId })).deletedCount > 0);
  }

  /** A unique (name, version) index settles two admins saving at once: the loser retries with the next version. */
  addSystemPrompt(name: string, content: string, createdBy: string, at: Date): Promise<SystemPromptRecord> {
    return this.op('add_system_prompt', async () => {
      for (;;) {
        const latest = await this.prompts.find({ name }).sort({ version: -1 }).limit(1).next();
        const record: SystemPromptRecord = { name, version: (latest?.version ?? 0) + 1, content, active: false, created_at: at, created_by: createdBy };
        try {
          await this.prompts.insertOne({ ...record });
        } catch (error) {
          if (isDuplicate(error)) continue;
          throw error;
        }
        await this.activate(name, record.version);
        return { ...record, active: true };
      }
    });
  }

  importSystemPrompt(prompt: SystemPromptRecord): Promise<boolean> {
    return this.op('import_system_prompt', async () => {
      const result = await this.prompts.updateOne({ name: prompt.name, version: prompt.version }, { $setOnInsert: { ...prompt } }, { upsert: true });
      return result.upsertedCount > 0;
    });
  }

  getActiveSystemPrompt(name: string): Promise<SystemPromptRecord | null> {
    return this.op('get_active_system_prompt', () => this.prompts.findOne({ name, active: true }, { projection: { _id: 0 }, sort: { version: -1 } }));
  }

  listSystemPrompts(name: string): Promise<SystemPromptRecord[]> {
    return this.op('list_system_prompts', () =>
      this.prompts
        .find({ name }, { projection: { _id: 0 } })
        .sort({ version: 1 })
        .toArray(),
    );
  }

  /** The chosen version first, then the others off: a crash in between leaves two active, and the newest wins. */
  private async activate(name: string, version: number): Promise<void> {
    await this.prompts.updateOne({ name, version }, { $set: { active: true } });
    await this.prompts.updateMany({ name, version: { $ne: version } }, { $set: { active: false } });
  }

  activateSystemPrompt(name: string, version: number): Promise<boolean> {
    return this.op('activate_system_prompt', async () => {
      if (!(await this.prompts.findOne({ name, version }))) return false;
      await this.activate(name, version);
      return true;
    });
  }

  createSession(session: SessionRecord): Promise<void> {
    return this.op(
      'create_session',
      async () => {
        await this.sessions.insertOne(sessionToDoc(session));
      },
      { session: session.id },
    );
  }

  getSession(id: string): Promise<SessionRecord | null> {
    return this.op(
      'get_session',
      async () => {
        const doc = await this.sessions.findOne({ _id: id });
        return doc ? sessionFromDoc(doc) : null;
      },
      { session: id },
    );
  }

  /** One updateOne setting only the fields given. */
  updateSteering(sessionId: string, steering: SessionSteering, expected?: SessionSteering): Promise<boolean> {
    return this.op(
      'update_steering',
      async () => {
        const set = steeringToSet(steering);
        const exists = async () => (await this.sessions.countDocuments({ _id: sessionId }, { limit: 1 })) > 0;
        if (Object.keys(set).length === 0) {
          if (!(await exists())) throw new NotFoundError(`No game session ${sessionId}.`);
          return true;
        }
        // Each field as it was read (written by the same code, so in the same field order); null matches one never set.
        const was = expected ? (steeringToSet(expected) as Record<string, unknown>) : {};
        const unchanged = expected ? Object.fromEntries(Object.keys(set).map((field) => [field, was[field] ?? null])) : {};
        const result = await this.sessions.updateOne({ _id: sessionId, ...unchanged }, { $set: set });
        if (result.matchedCount > 0) return true;
        if (!(await exists())) throw new NotFoundError(`No game session ${sessionId}.`);
        return false;
      },
      { session: sessionId, rows: 1 },
    );
  }

  listSessions(user: string | null): Promise<SessionSummary[]> {
    return this.op('get_user_game_sessions', async () => {
      const docs = await this.sessions
        .find(user === null ? {} : { user }, {
          projection: { _id: 1, user: 1, scenario_id: 1, scenario_name: 1, created_at: 1, updated_at: 1, turn_count: 1, 'state.last_scene': 1 },
        })
        .sort({ updated_at: -1, created_at: -1, _id: 1 })
        .toArray();
      return docs.map((d) => ({
        id: d._id,
        user: d.user,
        scenario_id: d.scenario_id,
        scenario_name: d.scenario_name,
        created_at: d.created_at,
        updated_at: d.updated_at,
        turn_count: d.turn_count,
        last_scene: d.state?.last_scene ?? '',
      }));
    });
  }

  /** The session first, so that a crash in between leaves unreachable messages, never a session without them. */
  deleteSession(id: string): Promise<boolean> {
    return this.op(
      'delete_session',
      async () => {
        const deleted = (await this.sessions.deleteOne({ _id: id })).deletedCount > 0;
        await this.messages.deleteMany({ session_id: id });
        return deleted;
      },
      { session: id },
    );
  }

  private sessionFilter(sessionId: string, expectedHead?: string | null): Filter<SessionDoc> {
    return expectedHead === undefined ? { _id: sessionId } : { _id: sessionId, head: expectedHead };
  }

  /** After a filter with `expectedHead` matched nothing: the session is gone, or its head moved. */
  private async missedSession(sessionId: string): Promise<never> {
    if (!(await this.sessions.findOne({ _id: sessionId }, { projection: { _id: 1 } }))) throw new NotFoundError(`No game session ${sessionId}.`);
    throw new ConflictError(`Game session ${sessionId} was played elsewhere meanwhile.`);
  }

  private async updateHead(sessionId: string, head: string, update: HeadUpdate, expectedHead?: string | null): Promise<void> {
    const result = await this.sessions.updateOne(this.sessionFilter(sessionId, expectedHead), {
      $set: {
        head,
        turn_count: update.turn_count,
        usage: update.usage,
        state: stateToDoc(update.state),
        updated_at: update.updated_at,
        ...(update.choices === undefined ? {} : { choices: update.choices.map(({ parent, child }) => ({ parent, child })) }),
      },
    });
    if (result.matchedCount === 0) await this.missedSession(sessionId);
  }

  /**
   * The next `count` places in the session's order, taken atomically from its counter (two
   * writers get places of their own; a refused append leaves a gap, never a tie). With
   * `expectedHead`, a head that moved is refused here, before anything is written.
   */
  private async reserveSeq(sessionId: string, count: number, expectedHead?: string | null): Promise<number> {
    const after = await this.sessions.findOneAndUpdate(
      this.sessionFilter(sessionId, expectedHead),
      { $inc: { message_seq: count } },
      { returnDocument: 'after', projection: { message_seq: 1 } },
    );
    if (!after) return this.missedSession(sessionId);
    return (after.message_seq ?? count) - count + 1;
  }

  /**
   * Each message gets its place in the session's order (`seq`), then the messages are written,
   * then the head moves to them: a crash in between, or a head that moved meanwhile, leaves the
   * old head (still valid) and unreachable messages.
   */
  appendMessages(sessionId: string, messages: NewMessage[], update: HeadUpdate, expectedHead?: string | null): Promise<void> {
    return this.op(
      'append_messages',
      async () => {
        const first = await this.reserveSeq(sessionId, messages.length, expectedHead);
        await this.messages.insertMany(messages.map((message, i) => messageToDoc(sessionId, message, first + i)));
        await this.updateHead(sessionId, (messages[messages.length - 1] as NewMessage).id, update, expectedHead);
      },
      { session: sessionId, rows: messages.length },
    );
  }

  setHead(sessionId: string, messageId: string, update: HeadUpdate, expectedHead?: string | null): Promise<void> {
    return this.op(
      'set_head',
      async () => {
        if (!(await this.messages.findOne({ _id: messageId, session_id: sessionId }, { projection: { _id: 1 } }))) {
          throw new NotFoundError(`No message ${messageId} in game session ${sessionId}.`);
        }
        await this.updateHead(sessionId, messageId, update, expectedHead);
      },
      { session: sessionId, rows: 1 },
    );
  }

  updateMessageState(sessionId: string, messageId: string, state: StoryState): Promise<void> {
    return this.op(
      'update_message_state',
      async () => {
        const stored = stateToDoc(state);
        const result = await this.messages.updateOne({ _id: messageId, session_id: sessionId }, { $set: { state: stored } });
        if (result.matchedCount === 0) throw new NotFoundError(`No message ${messageId} in game session ${sessionId}.`);
        await this.sessions.updateOne({ _id: sessionId, head: messageId }, { $set: { state: stored } });
      },
      { session: sessionId, rows: 1 },
    );
  }

  getMessage(id: string): Promise<MessageRecord | null> {
    return this.op('get_message', async () => {
      const doc = await this.messages.findOne({ _id: id });
      return doc ? messageFromDoc(doc) : null;
    });
  }

  /** The ids of the branch's last `limit` messages, oldest first (see BRANCH_LOOKUP_LIMIT). */
  private async branchIds(sessionId: string, headId: string, limit: number): Promise<string[]> {
    if (limit > BRANCH_LOOKUP_LIMIT) {
      const links = await this.messages.find({ session_id: sessionId }, { projection: { _id: 1, parent_id: 1 } }).toArray();
      return branchIds(links, headId, limit);
    }
    const [head] = await this.messages
      .aggregate<{ _id: string; ancestors: Array<{ _id: string; depth: number }> }>([
        { $match: { _id: headId, session_id: sessionId } },
        ...(limit > 1
          ? [
              {
                $graphLookup: {
                  from: this.messages.collectionName,
                  startWith: '$parent_id',
                  connectFromField: 'parent_id',
                  connectToField: '_id',
                  as: 'ancestors',
                  maxDepth: limit - 2,
                  depthField: 'depth',
                  restrictSearchWithMatch: { session_id: sessionId },
                },
              },
            ]
          : [{ $addFields: { ancestors: [] } }]),
        { $project: { _id: 1, ancestors: { $map: { input: '$ancestors', in: { _id: '$$this._id', depth: '$$this.depth' } } } } },
      ])
      .toArray();
    if (!head) return [];
    return [...[...head.ancestors].sort((a, b) => b.depth - a.depth).map((a) => a._id), head._id];
  }

  getBranch(sessionId: string, headId: string, limit: number): Promise<MessageRecord[]> {
    return this.op(
      'get_branch',
      async () => {
        if (limit <= 0) return [];
        const ids = await this.branchIds(sessionId, headId, limit);
        const found = new Map<string, MessageDoc>();
        for (let i = 0; i < ids.length; i += FETCH_BATCH) {
          for (const doc of await this.messages.find({ _id: { $in: ids.slice(i, i + FETCH_BATCH) }, session_id: sessionId }).toArray()) found.set(doc._id, doc);
        }
        return ids.flatMap((id) => {
          const doc = found.get(id);
          return doc ? [messageFromDoc(doc)] : [];
        });
      },
      { session: sessionId, limit },
    );
  }

  getChildren(sessionId: string, parentId: string | null): Promise<MessageRecord[]> {
    return this.op('get_children', async () =>
      (await this.messages.find({ session_id: sessionId, parent_id: parentId }).sort(MESSAGE_ORDER).toArray()).map(messageFromDoc),
    );
  }

  getChildrenOf(sessionId: string, parentIds: Array<string | null>): Promise<MessageRecord[]> {
    return this.op(
      'get_children',
      async () =>
        parentsFirst(
          (
            await this.messages
              .find({ session_id: sessionId, parent_id: { $in: parentIds } })
              .sort(MESSAGE_ORDER)
              .toArray()
          ).map(messageFromDoc),
        ),
      { session: sessionId },
    );
  }

  listMessages(sessionId: string): Promise<MessageRecord[]> {
    return this.op(
      'list_messages',
      async () => parentsFirst((await this.messages.find({ session_id: sessionId }).sort(MESSAGE_ORDER).toArray()).map(messageFromDoc)),
      { session: sessionId },
    );
  }

  /**
   * Messages first (numbered in the order given), then the session with its counter past them: a
   * crash in between is finished by running the migration again.
   */
  importSession(session: SessionRecord, messages: MessageRecord[]): Promise<boolean> {
    return this.op(
      'import_session',
      async () => {
        if (await this.sessions.findOne({ _id: session.id }, { projection: { _id: 1 } })) return false;
        if (messages.length) {
          await this.messages.bulkWrite(
            messages.map((message, i) => {
              const { _id, ...doc } = messageToDoc(session.id, message, i + 1);
              return { updateOne: { filter: { _id }, update: { $setOnInsert: doc }, upsert: true } };
            }),
            { ordered: false },
          );
        }
        const { _id, ...doc } = sessionToDoc(session);
        await this.sessions.updateOne({ _id }, { $setOnInsert: { ...doc, message_seq: messages.length } }, { upsert: true });
        return true;
      },
      { session: session.id },
    );
  }
}
