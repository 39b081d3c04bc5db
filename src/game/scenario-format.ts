import * as v from 'valibot';
import { createHash } from 'node:crypto';
import { UserFacingError } from '../config/errors.js';
import { sanitizeText, unicodeEscape } from '../llm/sanitize.js';
import type { ScenarioFields, ScenarioTextKey } from '../store/types.js';
import { graphemeLength } from '../text/format.js';

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

const SECTIONS = ['Overview', 'Description', 'Player Details', 'Setting', 'Dungeon Master Behaviour'];
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

/** Checks each field's presence, size and shape; `lineOf` says where a field was found. */
function validate(values: Partial<Record<ScenarioTextKey, string>>, lineOf: (key: ScenarioTextKey) => string): ScenarioFields {
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

/** Parses the v2 Markdown format; errors name the field and the line. */
export function parseScenarioMarkdown(text: string): ScenarioFields {
  const values: Partial<Record<ScenarioTextKey, string>> = {};
  const lines: Partial<Record<ScenarioTextKey, number>> = {};
  const sectionLines: Record<string, number> = {};
  let section: string | undefined;
  let body: FieldSpec | undefined;
  withoutBom(text)
    .split(/\r?\n/)
    .forEach((line, index) => {
      const lineNumber = index + 1;
      const title = headingTitle(line);
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
  return validate(values, (key) => {
    const line = lines[key] ?? sectionLineOf(key);
    return line ? ` (line ${line})` : '';
  });
}

const jsonShape = v.looseObject(
  Object.fromEntries([['scenario_id', v.optional(v.string())], ...SCENARIO_FIELDS.map((f) => [f.key, v.optional(v.string())])]) as Record<
    string,
    v.OptionalSchema<v.StringSchema<undefined>, undefined>
  >,
);

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
    throw new ScenarioFormatError(`Field ${key}: expected ${issue.expected ?? 'a string'}, got ${inert(String(issue.received))}.`);
  }
  return validate(parsed.output as Partial<Record<ScenarioTextKey, string>>, (key) => ` (field "${key}")`);
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
    '',
  ].join('\n');
}

export function scenarioToJson(s: ScenarioFields): string {
  const fields: Record<string, string> = { scenario_id: s.scenario_id };
  for (const f of SCENARIO_FIELDS) fields[f.key] = s[f.key];
  return `${JSON.stringify(fields, null, 2)}\n`;
}
