import path from 'node:path';

export const DATABASE_FILE = 'storyos.db';

/** The SQLite file of a data directory (STORYOS_DATA_DIR). */
export const databaseFile = (dataDir: string) => path.join(dataDir, DATABASE_FILE);
