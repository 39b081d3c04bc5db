import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { LEVEL_ORDER, spellingsOf } from '../levels.js';
import { latin1 } from './bytes.js';
import { FIELD_READINGS } from './stats.js';

/**
 * The stats reader's inner loop in C (native/scan.c, built by `npm install` with node-gyp): it cuts
 * a chunk into entries and reads the header and context of each of the common shape into records;
 * stats-bytes.ts adds the records up and reads every other entry itself. Without the built module
 * (or with STORYOS_NATIVE_SCAN=false, which the caller passes on) stats reads everything in
 * JavaScript, with the same figures.
 */
export interface NativeScanModule {
  scan(chunk: Buffer, from: number, ints: Int32Array, floats: Float64Array): void;
  tables(): string;
}

/** The results' layout, as scan.c writes it (checked against its `tables()` when it is loaded). */
export const HEAD_INTS = 3;
export const FIELD_COUNT = FIELD_READINGS.length;
export const R = {
  start: 0,
  level: 1,
  moduleStart: 2,
  moduleEnd: 3,
  sameHour: 4,
  rest: 5,
  flags: 6,
  given: 7,
  body: 8,
  messageEnd: 9,
  dbStart: 10,
  dbEnd: 11,
  dbHash: 12,
  dbName: 13,
  moduleName: 14,
  texts: 15,
} as const;
/** Each text field: its value's start, end, hash and name's number (-1: none, make the string from the bytes). */
export const TEXT_INTS = 4;
export const RECORD_INTS = R.texts + TEXT_INTS * FIELD_COUNT;
export const RECORD_FLOATS = FIELD_COUNT;
export const FLAG = { fields: 1, needsMessage: 2, apiCall: 4, dbOperation: 8, doneByAnother: 16 } as const;
/** Records a scan call fills at most. */
const CAPACITY = 4096;

/** The tables scan.c must have been written against: this module's levels, fields and layout. */
export function expectedTables(): string {
  const levels = LEVEL_ORDER.flatMap((level, code) => spellingsOf(level).map((spelling) => `${spelling}:${code}`)).join(',');
  const fields = FIELD_READINGS.map(([name, reading]) => `${name}:${reading}`).join(',');
  return `${levels}|${fields}|${HEAD_INTS},${RECORD_INTS},${RECORD_FLOATS},${TEXT_INTS}`;
}

/** A scanner with its own result buffers (one per thread: each worker loads its own). */
export class NativeScan {
  readonly ints = new Int32Array(HEAD_INTS + CAPACITY * RECORD_INTS);
  readonly floats = new Float64Array(CAPACITY * RECORD_FLOATS);
  /** The names the scanner has numbered in this thread, by number: each string made once, when its number is first seen. */
  private readonly names: string[] = [];

  constructor(private readonly module: NativeScanModule) {}

  /** The string of a name the scanner numbered `id`, whose bytes are [start, end) of `chunk` (ASCII); undefined without a number. */
  name(id: number, chunk: Buffer, start: number, end: number): string | undefined {
    if (id < 0) return undefined;
    if (id === this.names.length) this.names.push(latin1(chunk, start, end));
    return this.names[id];
  }

  /** Scans from `from`; ints[0] is where it stopped, ints[1] the records, ints[2] 1 when the entry there is left to the caller. */
  scan(chunk: Buffer, from: number): void {
    this.module.scan(chunk, from, this.ints, this.floats);
  }
}

const ADDON = path.join('build', 'Release', 'storyos_scan.node');

/** The built module beside the package's root: up from this file (src/…, dist/… or dist/bundle). */
function addonPath(): string | undefined {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let up = 0; up < 5; up++, dir = path.dirname(dir)) {
    const candidate = path.join(dir, ADDON);
    if (fs.existsSync(candidate)) return candidate;
  }
  return undefined;
}

let loaded: NativeScan | null | undefined;

/** The native scanner, or undefined when it is not built or was built against other tables. */
export function nativeScan(): NativeScan | undefined {
  if (loaded === undefined) loaded = load();
  return loaded ?? undefined;
}

function load(): NativeScan | null {
  const file = addonPath();
  if (file === undefined) return null;
  try {
    const module = createRequire(import.meta.url)(file) as NativeScanModule;
    return module.tables() === expectedTables() ? new NativeScan(module) : null;
  } catch {
    return null;
  }
}
