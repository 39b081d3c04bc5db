// Preloaded into a `storyos` child (NODE_OPTIONS=--import=…) to make its SQLite store fail:
// STORYOS_FAULT_MESSAGE_INSERT=N makes the Nth `INSERT INTO messages` of the process throw, as
// better-sqlite3 does on a full disk (STORYOS_FAULT_CODE, SQLITE_FULL by default). No product
// code knows of it.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const nth = Number(process.env.STORYOS_FAULT_MESSAGE_INSERT ?? 0);
const code = process.env.STORYOS_FAULT_CODE ?? 'SQLITE_FULL';
const Database = require('better-sqlite3');
const prepare = Database.prototype.prepare;
let inserts = 0;
Database.prototype.prepare = function (sql) {
  const statement = prepare.call(this, sql);
  if (!/^\s*INSERT INTO messages/i.test(sql)) return statement;
  const run = statement.run;
  statement.run = function (...args) {
    inserts++;
    if (inserts === nth)
      throw Object.assign(new Database.SqliteError(code === 'SQLITE_CORRUPT' ? 'database disk image is malformed' : 'database or disk is full', code), {});
    return run.apply(this, args);
  };
  return statement;
};
