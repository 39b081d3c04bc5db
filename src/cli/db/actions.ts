import fs from 'node:fs';
import { secretValues } from '../../config/env.js';
import { UserFacingError } from '../../config/errors.js';
import { setKnownSecrets } from '../../logging/redact.js';
import { getLogger } from '../../logging/logger.js';
import { migrateStore, type MigrationProgress } from '../../store/migrate.js';
import { mongoUriProblem, mongoUriSecrets, redactMongoUri } from '../../store/mongo/uri.js';
import { databaseFile } from '../../store/sqlite/file.js';
import type { StoreCounts } from '../../store/types.js';
import { loadConfig, onExitClose, startCommandLogging, withStore } from '../context.js';
import { EXIT } from '../exit.js';
import { printJson, printOut } from '../output.js';

const COLLECTIONS: Array<keyof StoreCounts> = ['users', 'scenarios', 'system_prompts', 'game_sessions', 'messages'];

export function status(_args: string[], options: { json?: boolean }): Promise<number> {
  return withStore(async (store) => {
    const counts = await store.counts();
    const extra: Record<string, string | number> = {};
    if (store.engine === 'sqlite') {
      const { SqliteStore } = await import('../../store/sqlite/store.js');
      if (store instanceof SqliteStore) extra.schema_version = store.schemaVersion();
      extra.size_bytes = fs.statSync(store.location).size;
    }
    if (options.json) {
      printJson({ engine: store.engine, location: store.location, ...extra, counts });
      return EXIT.ok;
    }
    const lines = [
      `${'engine'.padEnd(15)} ${store.engine}`,
      `${'location'.padEnd(15)} ${store.location}`,
      ...Object.entries(extra).map(([k, v]) => `${k.padEnd(15)} ${v}`),
      '',
      ...COLLECTIONS.map((c) => `${c.padEnd(15)} ${counts[c]}`),
    ];
    printOut(`${lines.join('\n')}\n`);
    return EXIT.ok;
  });
}

async function progressBar(): Promise<MigrationProgress> {
  const { default: cliProgress } = await import('cli-progress');
  const bar = new cliProgress.SingleBar(
    { format: 'Migrating [{bar}] {percentage}% | {value}/{total} | {what}', stream: process.stderr, noTTYOutput: true, notTTYSchedule: 1000, hideCursor: true },
    cliProgress.Presets.shades_classic,
  );
  return {
    start: (total) => bar.start(total, 0, { what: '' }),
    tick: (what) => bar.increment(1, { what }),
    stop: () => bar.stop(),
  };
}

/**
 * Copies the embedded store into MongoDB. Refused, with nothing created or written, when the
 * connection string is not one the driver accepts (exit 2) or when there is no embedded store
 * (exit 1): no file at STORYOS_DATA_DIR/storyos.db, an empty file, or a store without records.
 */
export async function migrate(_args: string[], options: { to: string; database?: string }): Promise<number> {
  if (!/^mongodb(\+srv)?:\/\/\S+$/.test(options.to)) throw new UserFacingError('--to must be a mongodb:// or mongodb+srv:// connection string.');
  const problem = mongoUriProblem(options.to);
  if (problem !== null) throw new UserFacingError(`--to is not a connection string the MongoDB driver accepts: ${problem}.`);
  const config = loadConfig();
  const file = databaseFile(config.dataDir);
  const size = fs.statSync(file, { throwIfNoEntry: false })?.size;
  if (size === undefined)
    throw new UserFacingError(`There is no embedded store to migrate: ${file} does not exist (set STORYOS_DATA_DIR to the folder that holds storyos.db).`, 1);
  if (size === 0) throw new UserFacingError(`There is no embedded store to migrate: ${file} is empty.`, 1);
  await startCommandLogging(config);
  // The target's password is not in the environment: the log redactor learns it here.
  setKnownSecrets([...secretValues(), ...mongoUriSecrets(options.to)]);
  const { SqliteStore } = await import('../../store/sqlite/store.js');
  const { MongoStore } = await import('../../store/mongo/store.js');
  const source = SqliteStore.open(config.dataDir);
  onExitClose(source);
  if (Object.values(await source.counts()).every((n) => n === 0))
    throw new UserFacingError(`There is nothing to migrate: the embedded store ${file} holds no records.`, 1);
  const target = await MongoStore.open(options.to, options.database ?? config.mongo.databaseName);
  onExitClose(target);
  const report = await migrateStore(source, target, await progressBar());
  const lines = COLLECTIONS.map((c) => `${c.padEnd(15)} source ${String(report.source[c]).padStart(7)}  target ${String(report.target[c]).padStart(7)}`);
  printOut(`${lines.join('\n')}\n`);
  getLogger('db_utils').info('Store migrated to MongoDB', { target: redactMongoUri(options.to), ...report.copied });
  if (report.short.length) throw new UserFacingError(`The target has fewer ${report.short.join(', ')} than the source; run the migration again.`, 1);
  printOut(`Done: every record of ${source.location} is in MongoDB.\n`);
  return EXIT.ok;
}
