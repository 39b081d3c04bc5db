import * as v from 'valibot';
import { createHash } from 'node:crypto';
import { UserFacingError } from '../config/errors.js';
import { sanitizeText, unicodeEscape } from '../llm/sanitize.js';
import type { ScenarioFields, ScenarioTextKey, WorldInfoEntry } from '../store/types.js';
import { graphemeLength } from '../text/format.js';
import { DEFAULT_WORLD_INFO_ORDER, REGEX_KEY } from './world-info.js';

export class ScenarioFormatError extends UserFacingError {}

interface FieldSpec {
  key: ScenarioTextKey;
  label: string;
  max: number;
  /** Where it sits in the v2 Markdown format. */
  section: string;
  kind: 'bullet' | 'body';
}

/** The ten fields of a scenario, with their v2 Markdown labels and size bounds. */
export const SCENARIO_FIELDS: FieldSpec[] = [
  { key: 'name', label: 'Name', max: 100, section: 'Overview', kind: 'bullet' },
  { key: 'author', label: 'Author', max: 100, section: 'Overview', kind: 'bullet' },
  { key: 'version', label: 'Version', max: 20, section: 'Overview', kind: 'bullet' },
  { key: 'description', label: 'Description', max: 4000, section: 'Description', kind: 'body' },
  { key: 'player_name', label: 'Player Name', max: 100, section: 'Player Details', kind: 'bullet' },
  { key: 'role', label: 'Role', max: 300, section: 'Player Details', kind: 'bullet' },
  { key: 'initial_location', label: 'Initial Location', max: 300, section: 'Player Details', kind: 'bullet' },
  { key: 'setting', label: 'Setting', max: 8000, section: 'Setting', kind: 'body' },
  { key: 'dungeon_master_behaviour', label: 'Dungeon Master Behaviour', max: 8000, section: 'Dungeon Master Behaviour', kind: 'body' },
];

/** The optional section of world-info entries (SPEC §12), one `### key, key` heading per entry. */
const WORLD_INFO_SECTION = 'World Info';
const SECTIONS = ['Overview', 'Description', 'Player Details', 'Setting', 'Dungeon Master Behaviour', WORLD_INFO_SECTION];
const SLUG = /^[a-z0-9][a-z0-9-]{0,63}$/;
const SEMVER = /^\d+\.\d+\.\d+$/;

/** Text for a message, kept one inert line: C0 and C1 controls, line and paragraph separators and bidi controls written as \uXXXX. */
function inert(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, unicodeEscape);
}

/** A text quoted for a message (JSON's quoting, then inert). */
const quote = (text: string) => inert(JSON.stringify(text));

/** A file's UTF-8 byte order mark (U+FEFF first), which editors on Windows write. */
const withoutBom = (text: string) => (text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);

/** For names with no Latin letters or digits (`灯台の謎`): a stable id from the name. */
function hashedId(name: string): string {
  return `scenario-${createHash('sha256').update(name.trim()).digest('hex').slice(0, 8)}`;
}

/** `The Lighthouse at Gull Point` → `the-lighthouse-at-gull-point`. */
const TRANSLITERATIONS: Record<string, string> = { æ: 'ae', ø: 'o', œ: 'oe', ß: 'ss', đ: 'd', ł: 'l', þ: 'th', ð: 'd', ı: 'i' };

export function slugify(name: string): string {
  return (
    name
      .toLowerCase()
      // æøœßđłþðı, escaped: the game script stays ASCII (scripts/bundle.mjs).
      .replace(/[\u00e6\u00f8\u0153\u00df\u0111\u0142\u00fe\u00f0\u0131]/g, (ch) => TRANSLITERATIONS[ch] as string)
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 64)
      .replace(/-+$/, '')
  );
}

function canonicalSection(title: string): string | undefined {
  const normal = title
    .trim()
    .toLowerCase()
    .replace(/behavior/, 'behaviour');
  return SECTIONS.find((s) => s.toLowerCase() === normal);
}

function fieldForLabel(label: string): FieldSpec | undefined {
  const normal = label
    .trim()
    .toLowerCase()
    .replace(/behavior/, 'behaviour');
  return SCENARIO_FIELDS.find((f) => f.label.toLowerCase() === normal);
}

/** Checks each field's presence, size and shape (sanitised, trimmed; the id from the name when none is given); `lineOf` says where a field was found. */
export function checkScenarioFields(values: Partial<Record<ScenarioTextKey, string>>, lineOf: (key: ScenarioTextKey) => string): ScenarioFields {
  values = Object.fromEntries(Object.entries(values).map(([k, v]) => [k, typeof v === 'string' ? sanitizeText(v) : v]));
  for (const field of SCENARIO_FIELDS) {
    const value = values[field.key]?.trim() ?? '';
    if (!value)
      throw new ScenarioFormatError(
        `Missing ${field.label}${lineOf(field.key)}: every scenario needs all of ${SCENARIO_FIELDS.map((f) => f.label).join(', ')}.`,
      );
    const length = value.length > field.max ? graphemeLength(value) : value.length;
    if (length > field.max) throw new ScenarioFormatError(`${field.label}${lineOf(field.key)} is ${length} characters long; at most ${field.max} are allowed.`);
  }
  for (const field of SCENARIO_FIELDS) {
    if (field.kind === 'bullet' && /[\r\n]/.test((values[field.key] as string).trim()))
      throw new ScenarioFormatError(`${field.label}${lineOf(field.key)} must be one line.`);
  }
  const version = (values.version as string).trim();
  if (!SEMVER.test(version)) throw new ScenarioFormatError(`Version${lineOf('version')} must look like 1.0.0 (got ${quote(version)}).`);
  const scenarioId = values.scenario_id?.trim() || slugify(values.name as string) || hashedId(values.name as string);
  if (!SLUG.test(scenarioId)) throw new ScenarioFormatError(`Scenario id ${quote(scenarioId)} must be 1 to 64 lowercase letters, digits or hyphens.`);
  const out = { scenario_id: scenarioId } as ScenarioFields;
  for (const field of SCENARIO_FIELDS) out[field.key] = (values[field.key] as string).trim();
  return out;
}

/** The bounds of a scenario's world info: the whole stays far below MongoDB's 16 MiB document. */
/** `content`: an entry must fit the prompt's world-info budget on its own (1,000 tokens of about 4 characters, with the section's heading). */
export const WORLD_INFO_LIMITS = { entries: 500, keys: 100, key: 200, content: 3900, order: 1_000_000, bytes: 4 * 1024 * 1024 } as const;

/** A world-info entry as read from a file, before it is checked; `where` says where it was found. */
export interface RawWorldInfoEntry {
  keys: string[];
  content: string;
  order?: number;
  always?: boolean;
  /** ` (line 40)`, ` (field "world_info[1]")`, … */
  where: string;
}

/** The same test of a `/regex/flags` key as the matcher's (src/game/world-info.ts). */

/** Why a `/regex/flags` key is not a valid regular expression, or null (a word key, or a valid one). */
export function regexKeyProblem(key: string): string | null {
  const regex = REGEX_KEY.exec(key);
  if (!regex) return null;
  try {
    new RegExp(regex[1] as string, (regex[2] as string).replace(/[gy]/g, ''));
    return null;
  } catch (error) {
    return (error as Error).message.replace(/^Invalid regular expression: /, '').replace(/^\/.*\/[a-z]*: /s, '');
  }
}

/**
 * Checks world-info entries (keys one line each, at most WORLD_INFO_LIMITS; /regex/ keys valid;
 * content present; order a whole number), sanitised and trimmed; every error one sentence naming
 * the entry and where it is. Undefined when there is none.
 */
export function validateWorldInfo(raw: RawWorldInfoEntry[]): WorldInfoEntry[] | undefined {
  if (raw.length > WORLD_INFO_LIMITS.entries)
    throw new ScenarioFormatError(`World info has ${raw.length} entries; at most ${WORLD_INFO_LIMITS.entries} are allowed.`);
  const entries = raw.map((entry, i): WorldInfoEntry => {
    const keys = entry.keys.map((key) => sanitizeText(key).trim()).filter((key) => key !== '');
    const always = entry.always ?? false;
    const name = `World info entry ${i + 1}${keys.length ? ` ${quote(clipped(keys.join(', ')))}` : ''}${entry.where}`;
    if (keys.length === 0 && !always) throw new ScenarioFormatError(`${name} has no keys: give it at least one, or make it always on.`);
    if (keys.length > WORLD_INFO_LIMITS.keys) throw new ScenarioFormatError(`${name} has ${keys.length} keys; at most ${WORLD_INFO_LIMITS.keys} are allowed.`);
    for (const key of keys) {
      if (/[\r\n]/.test(key)) throw new ScenarioFormatError(`${name}: the key ${quote(clipped(key))} must be one line.`);
      const length = key.length > WORLD_INFO_LIMITS.key ? graphemeLength(key) : key.length;
      if (length > WORLD_INFO_LIMITS.key)
        throw new ScenarioFormatError(`${name}: a key is ${length} characters long; at most ${WORLD_INFO_LIMITS.key} are allowed.`);
      const problem = regexKeyProblem(key);
      if (problem) throw new ScenarioFormatError(`${name}: the key ${quote(key)} is not a valid regular expression (${inert(problem)}).`);
    }
    const content = sanitizeText(entry.content).trim();
    if (!content) throw new ScenarioFormatError(`${name} has no content: write what the narrator should know under its keys.`);
    const length = content.length > WORLD_INFO_LIMITS.content ? graphemeLength(content) : content.length;
    if (length > WORLD_INFO_LIMITS.content)
      throw new ScenarioFormatError(`${name}: its content is ${length} characters long; at most ${WORLD_INFO_LIMITS.content} are allowed.`);
    const order = entry.order ?? DEFAULT_WORLD_INFO_ORDER;
    if (!Number.isInteger(order) || Math.abs(order) > WORLD_INFO_LIMITS.order)
      throw new ScenarioFormatError(`${name}: the order must be a whole number from -${WORLD_INFO_LIMITS.order} to ${WORLD_INFO_LIMITS.order} (got ${order}).`);
    return { keys, content, order, always };
  });
  const bytes = Buffer.byteLength(JSON.stringify(entries));
  if (bytes > WORLD_INFO_LIMITS.bytes)
    throw new ScenarioFormatError(
      `World info takes ${(bytes / 1024 / 1024).toFixed(1)} MiB; at most ${WORLD_INFO_LIMITS.bytes / 1024 / 1024} MiB are allowed.`,
    );
  return entries.length ? entries : undefined;
}

/** A text shortened for a message. */
const clipped = (text: string) => (text.length > 60 ? `${text.slice(0, 59)}…` : text);

/** The heading of an entry without keys (an always-on one) in the Markdown format. */
const NO_KEYS = '(no keys)';

/**
 * The keys of a `### key, key` heading: separated by commas; a `/regex/flags` key is taken as it
 * is (commas inside it included); in a word key, a backslash takes the next character as it is
 * (`\,` a comma, `\\` a backslash). `### (no keys)` is an entry without keys.
 */
/** The longest a `### key, key` heading may be: every key at its longest, with its separator. */
const MAX_HEADING_CHARS = WORLD_INFO_LIMITS.keys * (WORLD_INFO_LIMITS.key + 2);

/** A heading too long to hold the keys an entry may have is refused before it is split (splitting is not linear in its length). */
function boundedHeading(heading: string, line: number): string {
  if (heading.length > MAX_HEADING_CHARS)
    throw new ScenarioFormatError(
      `World info entry at line ${line}: its heading is ${heading.length} characters long; at most ${MAX_HEADING_CHARS} are allowed.`,
    );
  return heading;
}

export function splitKeys(heading: string): string[] {
  const text = heading.trim();
  if (text === NO_KEYS) return [];
  const keys: string[] = [];
  let i = 0;
  while (i < text.length) {
    while (i < text.length && /\s/.test(text[i] as string)) i++;
    if (i >= text.length) break;
    const regexEnd = text[i] === '/' ? endOfRegexKey(text, i) : -1;
    if (regexEnd > 0) {
      keys.push(text.slice(i, regexEnd).trim());
      i = regexEnd + 1;
      continue;
    }
    let key = '';
    for (; i < text.length && text[i] !== ','; i++) {
      if (text[i] === '\\' && i + 1 < text.length) i++;
      key += text[i];
    }
    i++;
    keys.push(key.trim());
  }
  return keys.filter((key) => key !== '');
}

/**
 * Where a `/regex/flags` key that starts at `start` ends (the index of the comma after it, or the
 * length of the text): the first `/` not escaped, with flags after it, then only spaces before a
 * comma or the end; -1 when there is none (a word key that starts with `/`).
 */
function endOfRegexKey(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i++) {
    if (text[i] === '\\') {
      i++;
      continue;
    }
    if (text[i] !== '/' || i === start + 1) continue;
    let j = i + 1;
    while (j < text.length && /[a-z]/.test(text[j] as string)) j++;
    while (j < text.length && /[^\S\n]/.test(text[j] as string)) j++;
    if (j >= text.length || text[j] === ',') return j;
  }
  return -1;
}

/** The heading of an entry's keys; null when they cannot be written so that they read back the same. */
export function joinKeys(keys: string[]): string | null {
  if (keys.length === 0) return NO_KEYS;
  const heading = keys.map((key) => (REGEX_KEY.test(key) ? key : key.replace(/[\\,]/g, '\\$&'))).join(', ');
  const escaped = heading === NO_KEYS ? `\\${heading}` : heading;
  if (headingTitle(`### ${escaped}`) === null) return null;
  const back = splitKeys(escaped);
  return back.length === keys.length && back.every((key, i) => key === keys[i]) ? escaped : null;
}

/** An entry's option line right under its heading: `- order: 50`, `- always: yes` (`- **Order**: 50` too). */
const OPTION_LINE = /^\s*[-*]\s+(?:\*\*)?(order|always)(?:\*\*)?\s*:(?:\*\*)?\s*(.*)$/i;
const YES = ['yes', 'true', 'on', 'y'];
const NO = ['no', 'false', 'off', 'n'];

/** An entry's first content line starting with `-`, `*` or `#` is written `\-…` (it would be read as an option or a heading). */
const escapeFirstContentLine = (line: string) => (/^\\*[-*#]/.test(line) ? `\\${line}` : line);
const unescapeFirstContentLine = (line: string) => (/^\\+[-*#]/.test(line) ? line.slice(1) : line);

/** A body line starting with `#` is written `\#…` so that it is not read as a section. */
const escapeBodyLine = (line: string) => (/^\\*#/.test(line) ? `\\${line}` : line);
const unescapeBodyLine = (line: string) => (/^\\+#/.test(line) ? line.slice(1) : line);

/**
 * The title of a Markdown heading line (`## Setting ##` → `Setting`), or null for another line:
 * one to six #, white space, the title, and optionally closing #s. Read by hand, in one pass: the
 * regular expression it replaces took seconds on a heading padded with a few thousand spaces.
 */
function headingTitle(line: string): string | null {
  let i = 0;
  while (i < line.length && line[i] === '#') i++;
  if (i === 0 || i > 6 || i >= line.length || !/\s/.test(line[i] as string)) return null;
  let end = line.trimEnd().length;
  while (end > i && line[end - 1] === '#') end--;
  const title = line.slice(i, end).trim();
  return title === '' ? null : title;
}

/** An entry of the `## World Info` section as it is read. */
interface MarkdownEntry {
  heading: string;
  line: number;
  order?: number;
  always?: boolean;
  optionLines: Record<string, number>;
  /** Undefined until its first content line. */
  content: string[] | undefined;
}

/** Reads an entry's option line (`- order: 50`, `- always: yes`) into it. */
function readOption(entry: MarkdownEntry, option: RegExpExecArray, lineNumber: number): void {
  const name = (option[1] as string).toLowerCase();
  const value = (option[2] as string).trim().replace(/^\*\*(.*)\*\*$/, '$1');
  if (entry.optionLines[name])
    throw new ScenarioFormatError(
      `Line ${lineNumber}: the ${name} of the world info entry on line ${entry.line} appears twice (first on line ${entry.optionLines[name]}).`,
    );
  entry.optionLines[name] = lineNumber;
  if (name === 'order') {
    if (!/^[+-]?\d{1,7}$/.test(value))
      throw new ScenarioFormatError(
        `Line ${lineNumber}: the order of the world info entry on line ${entry.line} must be a whole number, like 50 (got ${quote(value)}).`,
      );
    entry.order = Number(value);
    return;
  }
  const answer = value.toLowerCase();
  if (!YES.includes(answer) && !NO.includes(answer))
    throw new ScenarioFormatError(`Line ${lineNumber}: "always" of the world info entry on line ${entry.line} must be yes or no (got ${quote(value)}).`);
  entry.always = YES.includes(answer);
}

/** Parses the v2 Markdown format; errors name the field and the line. */
export function parseScenarioMarkdown(text: string): ScenarioFields {
  const values: Partial<Record<ScenarioTextKey, string>> = {};
  const lines: Partial<Record<ScenarioTextKey, number>> = {};
  const sectionLines: Record<string, number> = {};
  const entries: MarkdownEntry[] = [];
  let section: string | undefined;
  let body: FieldSpec | undefined;
  withoutBom(text)
    .split(/\r?\n/)
    .forEach((line, index) => {
      const lineNumber = index + 1;
      const title = headingTitle(line);
      const level = title === null ? 0 : (/^#+/.exec(line) as RegExpExecArray)[0].length;
      if (section === WORLD_INFO_SECTION && title !== null && level >= 3) {
        // An entry: its heading is its keys, read as written (closing #s are part of them).
        entries.push({ heading: line.slice(level).trim(), line: lineNumber, optionLines: {}, content: undefined });
        return;
      }
      if (title !== null) {
        section = canonicalSection(title);
        if (!section) throw new ScenarioFormatError(`Line ${lineNumber}: unknown section ${quote(title)}; expected ${SECTIONS.join(', ')}.`);
        if (sectionLines[section])
          throw new ScenarioFormatError(`Line ${lineNumber}: the section "${section}" appears twice (first on line ${sectionLines[section]}).`);
        sectionLines[section] = lineNumber;
        body = SCENARIO_FIELDS.find((f) => f.kind === 'body' && f.section === section);
        if (body) lines[body.key] = lineNumber;
        return;
      }
      if (section === WORLD_INFO_SECTION) {
        const entry = entries[entries.length - 1];
        if (!entry) {
          if (line.trim())
            throw new ScenarioFormatError(
              `Line ${lineNumber}: under World Info, expected a "### key, key" heading for an entry, got ${quote(line.slice(0, 60))}.`,
            );
          return;
        }
        if (entry.content === undefined) {
          if (!line.trim()) return;
          const option = OPTION_LINE.exec(line);
          if (option) {
            readOption(entry, option, lineNumber);
            return;
          }
          entry.content = [unescapeFirstContentLine(line)];
          return;
        }
        entry.content.push(unescapeBodyLine(line));
        return;
      }
      if (body) {
        const content = unescapeBodyLine(line);
        values[body.key] = values[body.key] === undefined ? content : `${values[body.key]}\n${content}`;
        return;
      }
      const bullet = /^\s*[-*]\s+\*\*(.+?)\*\*\s*:?\s*(?::\s*)?(.*)$/.exec(line);
      if (bullet) {
        const field = fieldForLabel((bullet[1] as string).replace(/:$/, ''));
        if (field?.kind !== 'bullet') throw new ScenarioFormatError(`Line ${lineNumber}: unknown field ${quote(bullet[1] as string)}.`);
        if (field.section !== section) throw new ScenarioFormatError(`Line ${lineNumber}: ${field.label} belongs under "${field.section}".`);
        if (lines[field.key]) throw new ScenarioFormatError(`Line ${lineNumber}: ${field.label} appears twice (first on line ${lines[field.key]}).`);
        values[field.key] = bullet[2] as string;
        lines[field.key] = lineNumber;
        return;
      }
      if (line.trim()) throw new ScenarioFormatError(`Line ${lineNumber}: expected a "- **Field**: value" line or a heading, got ${quote(line.slice(0, 60))}.`);
    });
  const sectionLineOf = (key: ScenarioTextKey) => sectionLines[SCENARIO_FIELDS.find((f) => f.key === key)?.section ?? ''];
  const fields = checkScenarioFields(values, (key) => {
    const line = lines[key] ?? sectionLineOf(key);
    return line ? ` (line ${line})` : '';
  });
  const worldInfo = validateWorldInfo(
    entries.map((entry) => ({
      keys: splitKeys(boundedHeading(entry.heading, entry.line)),
      content: (entry.content ?? []).join('\n'),
      order: entry.order,
      always: entry.always,
      where: ` (line ${entry.line})`,
    })),
  );
  return worldInfo ? { ...fields, world_info: worldInfo } : fields;
}

const jsonEntryShape = v.looseObject({
  keys: v.array(v.string()),
  content: v.string(),
  order: v.optional(v.pipe(v.number(), v.integer('a whole number'))),
  always: v.optional(v.boolean()),
});

const jsonShape = v.looseObject({
  ...(Object.fromEntries([['scenario_id', v.optional(v.string())], ...SCENARIO_FIELDS.map((f) => [f.key, v.optional(v.string())])]) as Record<
    string,
    v.OptionalSchema<v.StringSchema<undefined>, undefined>
  >),
  world_info: v.nullish(v.array(jsonEntryShape)),
});

/** Parses a JSON scenario (the export format: the ten fields and an optional scenario_id). */
export function parseScenarioJson(text: string): ScenarioFields {
  let data: unknown;
  try {
    data = JSON.parse(withoutBom(text));
  } catch (error) {
    const reason = (error as Error).message.replace(/, ".*" is not valid JSON$/s, '').replace(/\s+/g, ' ');
    throw new ScenarioFormatError(`The file is not valid JSON: ${inert(reason)}.`);
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data))
    throw new ScenarioFormatError('The file must hold one scenario: a JSON object with its fields.');
  const parsed = v.safeParse(jsonShape, data);
  if (!parsed.success) {
    const issue = parsed.issues[0];
    const key = issue.path?.map((p) => String(p.key)).join('.') ?? '(the top level)';
    if (issue.received === 'undefined') throw new ScenarioFormatError(`Field ${inert(key)} is missing: every world info entry needs its keys and its content.`);
    const expected = issue.type === 'integer' ? 'a whole number' : (issue.expected ?? 'a string');
    throw new ScenarioFormatError(`Field ${inert(key)}: expected ${expected}, got ${inert(String(issue.received))}.`);
  }
  const { world_info, ...values } = parsed.output;
  const fields = checkScenarioFields(values as Partial<Record<ScenarioTextKey, string>>, (key) => ` (field "${key}")`);
  const worldInfo = validateWorldInfo((world_info ?? []).map((entry, i) => ({ ...entry, where: ` (field "world_info[${i}]")` })));
  return worldInfo ? { ...fields, world_info: worldInfo } : fields;
}

/** Picks the parser from the file name, or from the content when the name says nothing. */
export function parseScenario(text: string, fileName = ''): ScenarioFields {
  if (/\.json$/i.test(fileName) || (!/\.(md|markdown)$/i.test(fileName) && withoutBom(text).trimStart().startsWith('{'))) return parseScenarioJson(text);
  return parseScenarioMarkdown(text);
}

export function scenarioToMarkdown(s: ScenarioFields): string {
  const body = (text: string) => text.split('\n').map(escapeBodyLine).join('\n');
  return [
    '# Overview',
    `- **Name**: ${s.name}`,
    `- **Author**: ${s.author}`,
    `- **Version**: ${s.version}`,
    '## Description',
    body(s.description),
    '## Player Details',
    `- **Player Name**: ${s.player_name}`,
    `- **Role**: ${s.role}`,
    `- **Initial Location**: ${s.initial_location}`,
    '## Setting',
    body(s.setting),
    '## Dungeon Master Behaviour',
    body(s.dungeon_master_behaviour),
    ...worldInfoMarkdown(s.world_info ?? []),
    '',
  ].join('\n');
}

/** The `## World Info` section (none without entries): `### key, key`, its options when not the defaults, its content. */
function worldInfoMarkdown(entries: WorldInfoEntry[]): string[] {
  if (entries.length === 0) return [];
  const out = [`## ${WORLD_INFO_SECTION}`];
  entries.forEach((entry, i) => {
    const heading = joinKeys(entry.keys);
    if (heading === null)
      throw new ScenarioFormatError(
        `World info entry ${i + 1} has keys that a "### key, key" heading cannot keep apart (${quote(clipped(entry.keys.join(', ')))}): export the scenario as JSON.`,
      );
    out.push(`### ${heading}`);
    if (entry.order !== DEFAULT_WORLD_INFO_ORDER) out.push(`- order: ${entry.order}`);
    if (entry.always) out.push('- always: yes');
    const [first = '', ...rest] = entry.content.split('\n');
    out.push(escapeFirstContentLine(first), ...rest.map(escapeBodyLine));
  });
  return out;
}

export function scenarioToJson(s: ScenarioFields): string {
  const fields: Record<string, unknown> = { scenario_id: s.scenario_id };
  for (const f of SCENARIO_FIELDS) fields[f.key] = s[f.key];
  if (s.world_info?.length) fields.world_info = s.world_info.map(({ keys, content, order, always }) => ({ keys, content, order, always }));
  return `${JSON.stringify(fields, null, 2)}\n`;
}

/** Whether two scenarios have the same id and fields, world info included (an edit that changed nothing). */
export function sameScenarioFields(a: ScenarioFields, b: ScenarioFields): boolean {
  return scenarioToJson(a) === scenarioToJson(b);
}
