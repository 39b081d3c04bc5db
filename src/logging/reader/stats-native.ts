import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { LEVEL_ORDER, spellingsOf } from '../levels.js';
import { latin1 } from './bytes.js';
import { FIELD_READINGS } from './stats.js';

/**
 * The stats reader's inner loop in C (native/scan.c, built by `npm install` with node-gyp): it cuts
 * a chunk into entries, reads the header and context of each of the common shape, and adds most
 * of them up itself (modules, database queries, answered calls, the span of times, the players
 * and games of each hour); stats-bytes.ts folds its figures into the collector, adds up the
 * entries it gives whole (records) and reads every other entry itself. Without the built module
 * (or with STORYOS_NATIVE_SCAN=false, which the caller passes on) stats reads everything in
 * JavaScript, with the same figures.
 */
export interface NativeScanModule {
  scan(chunk: Buffer, from: number, ints: Int32Array, floats: Float64Array, generation: number): void;
  tables(): string;
}

/** The results' layout, as scan.c writes it (checked against its `tables()` when it is loaded). */
export const H = { stop: 0, left: 1, records: 2, modules: 3, operations: 4, models: 5, pairs: 6, calls: 7, first: 8, last: 9 } as const;
export const HEAD_INTS = 10;
export const FIELD_COUNT = FIELD_READINGS.length;
export const R = {
  start: 0,
  level: 1,
  moduleStart: 2,
  moduleEnd: 3,
  flags: 4,
  given: 5,
  body: 6,
  messageEnd: 7,
  dbStart: 8,
  dbEnd: 9,
  dbHash: 10,
  dbName: 11,
  moduleName: 12,
  texts: 13,
} as const;
/** Each text field: its value's start, end, hash (the scanner's, for its table of names) and name's number (-1: none, make the string from the bytes). */
export const TEXT_INTS = 4;
export const RECORD_INTS = R.texts + TEXT_INTS * FIELD_COUNT;
export const RECORD_FLOATS = FIELD_COUNT;
export const FLAG = { fields: 1, needsMessage: 2, apiCall: 4, dbOperation: 8, doneByAnother: 16, uncounted: 32 } as const;
/** Of the regions scan.c adds up into: how many of each a call fills at most, and each one's ints (and doubles). */
const MAX_TOUCHED = 64;
const MAX_PAIRS = 1024;
const MAX_CALLS = 4096;
export const MODULE_INTS = 6;
export const OPERATION_INTS = 4;
export const MODEL_INTS = 3;
export const MODEL_FLOATS = 6;
export const PAIR_INTS = 5;
export const CALL_FLOATS = 2;
export const AT = (() => {
  const modules = HEAD_INTS;
  const operations = modules + MAX_TOUCHED * MODULE_INTS;
  const models = operations + MAX_TOUCHED * OPERATION_INTS;
  const pairs = models + MAX_TOUCHED * MODEL_INTS;
  const calls = pairs + MAX_PAIRS * PAIR_INTS;
  const records = calls + MAX_CALLS;
  const callFloats = MAX_TOUCHED * MODEL_FLOATS;
  return { modules, operations, models, pairs, calls, records, modelFloats: 0, callFloats, recordFloats: callFloats + MAX_CALLS * CALL_FLOATS };
})();
/** Records a scan call fills at most. */
const CAPACITY = 4096;
/** Names scan.c numbers at most (per thread). */
const MAX_NAMES = 1 << 16;

/** The tables scan.c must have been written against: this module's levels, fields and layout. */
export function expectedTables(): string {
  const levels = LEVEL_ORDER.flatMap((level, code) => spellingsOf(level).map((spelling) => `${spelling}:${code}`)).join(',');
  const fields = FIELD_READINGS.map(([name, reading]) => `${name}:${reading}`).join(',');
  const regions = [AT.modules, AT.operations, AT.models, AT.pairs, AT.calls, AT.records].join(',');
  return `${levels}|${fields}|${HEAD_INTS},${RECORD_INTS},${RECORD_FLOATS},${TEXT_INTS}|${regions}|${AT.modelFloats},${AT.callFloats},${AT.recordFloats}`;
}

/** A scanner with its own result buffers (one per thread: each worker loads its own). */
export class NativeScan {
  readonly ints = new Int32Array(AT.records + CAPACITY * RECORD_INTS);
  readonly floats = new Float64Array(AT.recordFloats + CAPACITY * RECORD_FLOATS);
  /** The names the scanner has numbered in this thread, by number: each string made once, when its number is first seen. */
  private readonly names = new Array<string | undefined>(MAX_NAMES).fill(undefined);
  /** The number each collector is known by to the scanner (which gives it each hour's players and games once). */
  private readonly generations = new WeakMap<object, number>();
  private lastGeneration = 0;

  constructor(private readonly module: NativeScanModule) {}

  /** The string of a name the scanner numbered `id`, whose bytes are [start, end) of `chunk` (ASCII); undefined without a number. */
  name(id: number, chunk: Buffer, start: number, end: number): string | undefined {
    if (id < 0) return undefined;
    let name = this.names[id];
    if (name === undefined) {
      name = latin1(chunk, start, end);
      this.names[id] = name;
    }
    return name;
  }

  /** Of the collector scanned for last, its numbers (StatsCollector.numberOf) of the players and games named by the scanner's numbers. */
  private readonly numbers = new Int32Array(2 * MAX_NAMES);
  private readonly numberedFor = new Uint32Array(2 * MAX_NAMES);
  private generation = 0;

  /** The number the collector scanned for last gave the player or game the scanner numbered `id`; -1 when none yet. */
  collectorNumber(kind: 'user' | 'session', id: number): number {
    const slot = kind === 'user' ? id : MAX_NAMES + id;
    return this.numberedFor[slot] === this.generation ? (this.numbers[slot] as number) : -1;
  }

  setCollectorNumber(kind: 'user' | 'session', id: number, n: number): void {
    const slot = kind === 'user' ? id : MAX_NAMES + id;
    this.numbers[slot] = n;
    this.numberedFor[slot] = this.generation;
  }

  /** Scans from `from` for `collector`; ints[H.stop] is where it stopped, ints[H.left] 1 when the entry there is left to the caller. */
  scan(chunk: Buffer, from: number, collector: object): void {
    let generation = this.generations.get(collector);
    if (generation === undefined) {
      generation = ++this.lastGeneration;
      this.generations.set(collector, generation);
    }
    this.generation = generation;
    this.module.scan(chunk, from, this.ints, this.floats, generation);
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
