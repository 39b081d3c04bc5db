import fs from 'node:fs';
import path from 'node:path';

export const MAIN_LOG = 'storyos.log';
export const ERROR_LOG = 'storyos_errors.log';

export type LogFileKind = 'active' | 'numbered' | 'dated';

export interface LogFileInfo {
  path: string;
  name: string;
  kind: LogFileKind;
  /** `storyos.log.3` → 3 */
  index: number;
  /** `storyos.log.20240115-2` → '20240115' and part 2 */
  date: string;
  part: number;
  gzip: boolean;
  size: number;
  mtimeMs: number;
  /** The inode, by which `tail -f` follows a file through renames. */
  ino?: number;
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function rotatedNamePattern(baseName: string): RegExp {
  return new RegExp(`^${escapeRegExp(baseName)}(?:\\.(\\d{1,5})|\\.(\\d{8})(?:-(\\d{1,5}))?)(\\.gz)?$`);
}

export function numberedName(activePath: string, index: number): string {
  return `${activePath}.${index}`;
}

export function datedName(activePath: string, yyyymmdd: string, part: number): string {
  return part > 1 ? `${activePath}.${yyyymmdd}-${part}` : `${activePath}.${yyyymmdd}`;
}

export function yyyymmdd(d: Date): string {
  return `${d.getFullYear()}${String(d.getMonth() + 1).padStart(2, '0')}${String(d.getDate()).padStart(2, '0')}`;
}

function statFile(file: string): fs.Stats | null {
  try {
    const st = fs.statSync(file);
    return st.isFile() ? st : null;
  } catch {
    return null;
  }
}

/** The rotated files of one log (not the active one), parsed from their names. */
export function listRotated(dir: string, baseName: string): LogFileInfo[] {
  const pattern = rotatedNamePattern(baseName);
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return [];
  }
  const files: LogFileInfo[] = [];
  for (const name of names) {
    const m = pattern.exec(name);
    if (!m) continue;
    const file = path.join(dir, name);
    const st = statFile(file);
    if (!st) continue;
    files.push({
      path: file,
      name,
      kind: m[1] ? 'numbered' : 'dated',
      index: m[1] ? Number(m[1]) : 0,
      date: m[2] ?? '',
      part: m[3] ? Number(m[3]) : 1,
      gzip: !!m[4],
      size: st.size,
      mtimeMs: st.mtimeMs,
      ino: st.ino,
    });
  }
  return files;
}

const oldestNumberedFirst = (a: LogFileInfo, b: LogFileInfo) => b.index - a.index || Number(b.gzip) - Number(a.gzip);
const oldestDatedFirst = (a: LogFileInfo, b: LogFileInfo) => a.date.localeCompare(b.date) || a.part - b.part;

/** Merges two lists that are each in order, choosing by modification time between them. */
function mergeByMtime(a: LogFileInfo[], b: LogFileInfo[]): LogFileInfo[] {
  const out: LogFileInfo[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length)
    out.push((a[i] as LogFileInfo).mtimeMs <= (b[j] as LogFileInfo).mtimeMs ? (a[i++] as LogFileInfo) : (b[j++] as LogFileInfo));
  return out.concat(a.slice(i), b.slice(j));
}

/**
 * Every file of one log, oldest first: rotated files (numbered `.N` newest at 1, dated
 * `.YYYYMMDD`, gzip-compressed or not), then the active file.
 */
export function listLogSet(dir: string, baseName: string): LogFileInfo[] {
  const rotated = listRotated(dir, baseName);
  const numbered = rotated.filter((f) => f.kind === 'numbered').sort(oldestNumberedFirst);
  const dated = rotated.filter((f) => f.kind === 'dated').sort(oldestDatedFirst);
  const files = mergeByMtime(dated, numbered);
  const activePath = path.join(dir, baseName);
  const st = statFile(activePath);
  if (st)
    files.push({ path: activePath, name: baseName, kind: 'active', index: 0, date: '', part: 0, gzip: false, size: st.size, mtimeMs: st.mtimeMs, ino: st.ino });
  return files;
}
