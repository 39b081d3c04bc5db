import { sanitizeText } from '../../src/llm/sanitize.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UserFacingError } from '../../src/config/errors.js';
import {
  parseScenario,
  parseScenarioJson,
  parseScenarioMarkdown,
  SCENARIO_FIELDS,
  ScenarioFormatError,
  splitKeys,
  joinKeys,
  scenarioToJson,
  scenarioToMarkdown,
  slugify,
} from '../../src/game/scenario-format.js';
import { seedStore, SYSTEM_AUTHOR } from '../../src/game/seed.js';
import { DEFAULT_NARRATOR_PROMPT, NARRATOR_PROMPT } from '../../src/store/seed/prompts.js';
import { BUILT_IN_SCENARIOS } from '../../src/store/seed/scenarios.js';
import { SqliteStore } from '../../src/store/sqlite/store.js';
import type { ScenarioFields, UserRecord, WorldInfoEntry } from '../../src/store/types.js';
import { HEADER, linesOf, logInto, readLog } from '../support/logging.js';
import { tempDir } from '../support/temp.js';

/** A valid scenario whose Markdown form (scenarioToMarkdown) has one field per line. */
const SAMPLE: ScenarioFields = {
  scenario_id: 'the-test-tower',
  name: 'The Test Tower',
  author: 'Tess Ting',
  version: '2.1.0',
  description: 'A short description.',
  player_name: 'Pat',
  role: 'A climber',
  initial_location: 'The foot of the tower',
  setting: 'A tall tower in a flat land.',
  dungeon_master_behaviour: 'Be fair and vivid.',
};

/**
 * The Markdown of SAMPLE, line by line, so that tests can name line numbers:
 *  1 # Overview, 2 Name, 3 Author, 4 Version, 5 ## Description, 6 body, 7 ## Player Details,
 *  8 Player Name, 9 Role, 10 Initial Location, 11 ## Setting, 12 body, 13 ## Dungeon Master Behaviour, 14 body.
 */
const SAMPLE_LINES = [
  '# Overview',
  '- **Name**: The Test Tower',
  '- **Author**: Tess Ting',
  '- **Version**: 2.1.0',
  '## Description',
  'A short description.',
  '## Player Details',
  '- **Player Name**: Pat',
  '- **Role**: A climber',
  '- **Initial Location**: The foot of the tower',
  '## Setting',
  'A tall tower in a flat land.',
  '## Dungeon Master Behaviour',
  'Be fair and vivid.',
];

const sampleMarkdown = (lines: string[] = SAMPLE_LINES) => `${lines.join('\n')}\n`;

/** SAMPLE_LINES with line `lineNumber` (1-based) replaced by `replacement` lines (none: removed). */
function withLine(lineNumber: number, ...replacement: string[]): string {
  const lines = [...SAMPLE_LINES];
  lines.splice(lineNumber - 1, 1, ...replacement);
  return sampleMarkdown(lines);
}

/** Runs `parse`, expects a one-line ScenarioFormatError, and returns its message. */
function formatError(parse: () => unknown): string {
  let caught: unknown;
  try {
    parse();
  } catch (error) {
    caught = error;
  }
  expect(caught, 'expected a ScenarioFormatError').toBeInstanceOf(ScenarioFormatError);
  expect(caught).toBeInstanceOf(UserFacingError);
  const error = caught as ScenarioFormatError;
  expect(error.name).toBe('ScenarioFormatError');
  expect(error.message).not.toMatch(/[\r\n]/);
  return error.message;
}

const FIELD_KEYS = ['scenario_id', ...SCENARIO_FIELDS.map((f) => f.key)].sort();

describe('the built-in scenarios', () => {
  it('are at least four, with distinct ids and names', () => {
    expect(BUILT_IN_SCENARIOS.length).toBeGreaterThanOrEqual(4);
    const parsed = BUILT_IN_SCENARIOS.map((md) => parseScenarioMarkdown(md));
    expect(new Set(parsed.map((s) => s.scenario_id)).size).toBe(parsed.length);
    expect(new Set(parsed.map((s) => s.name)).size).toBe(parsed.length);
    expect(new Set(parsed.map((s) => s.name.toLowerCase())).size).toBe(parsed.length);
  });

  it.each(BUILT_IN_SCENARIOS.map((md, index) => [index, md] as const))('built-in #%i parses with all ten fields filled and within bounds', (_index, md) => {
    const { world_info, ...fields } = parseScenarioMarkdown(md);
    const s = { ...fields };
    expect(Object.keys(s).sort()).toEqual(FIELD_KEYS);
    // Each has world info, so that a new player meets it (`/lore`).
    expect(world_info?.length).toBeGreaterThanOrEqual(1);
    for (const field of SCENARIO_FIELDS) {
      expect(s[field.key].length, field.key).toBeGreaterThan(0);
      expect(s[field.key].length, field.key).toBeLessThanOrEqual(field.max);
      expect(s[field.key], field.key).toBe(s[field.key].trim());
    }
    expect(s.scenario_id).toBe(slugify(s.name));
    expect(s.scenario_id).toMatch(/^[a-z0-9][a-z0-9-]{0,63}$/);
    expect(s.version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(s.author).toBe('StoryOS');
  });

  it('parse to the expected first scenario', () => {
    const s = parseScenarioMarkdown(BUILT_IN_SCENARIOS[0] as string);
    expect(s.scenario_id).toBe('the-lighthouse-at-gull-point');
    expect(s.name).toBe('The Lighthouse at Gull Point');
    expect(s.version).toBe('1.0.0');
    expect(s.player_name).toBe('Mara Quell');
    expect(s.description.startsWith('A gothic mystery')).toBe(true);
    expect(s.dungeon_master_behaviour.endsWith('play the consequences honestly.')).toBe(true);
  });

  it.each(BUILT_IN_SCENARIOS.map((md, index) => [index, md] as const))(
    'built-in #%i survives Markdown → fields → Markdown → fields and JSON round trips',
    (_index, md) => {
      const fields = parseScenarioMarkdown(md);
      const markdown = scenarioToMarkdown(fields);
      expect(parseScenarioMarkdown(markdown)).toEqual(fields);
      expect(scenarioToMarkdown(parseScenarioMarkdown(markdown))).toBe(markdown);
      // The built-ins are written exactly in the canonical export layout.
      expect(markdown).toBe(md);
      const json = scenarioToJson(fields);
      expect(parseScenarioJson(json)).toEqual(fields);
      expect(scenarioToJson(parseScenarioJson(json))).toBe(json);
      // Markdown → JSON → Markdown too.
      expect(scenarioToMarkdown(parseScenarioJson(json))).toBe(markdown);
    },
  );
});

describe('parseScenarioMarkdown', () => {
  it('reads the ten fields, deriving the scenario id from the name', () => {
    expect(parseScenarioMarkdown(sampleMarkdown())).toEqual(SAMPLE);
  });

  it('round-trips through scenarioToMarkdown and scenarioToJson', () => {
    expect(scenarioToMarkdown(SAMPLE)).toBe(sampleMarkdown());
    expect(parseScenarioMarkdown(scenarioToMarkdown(SAMPLE))).toEqual(SAMPLE);
    const json = scenarioToJson(SAMPLE);
    expect(json.endsWith('}\n')).toBe(true);
    expect(JSON.parse(json)).toEqual(SAMPLE);
    expect(Object.keys(JSON.parse(json))[0]).toBe('scenario_id');
    expect(parseScenarioJson(json)).toEqual(SAMPLE);
  });

  it('keeps multi-line bodies, trimming only the blank lines around them', () => {
    const md = withLine(12, '', '  ', 'First paragraph.', '', 'Second paragraph,', '  indented line.', '', '');
    expect(parseScenarioMarkdown(md).setting).toBe('First paragraph.\n\nSecond paragraph,\n  indented line.');
  });

  it('accepts Windows line endings', () => {
    expect(parseScenarioMarkdown(sampleMarkdown().replace(/\n/g, '\r\n'))).toEqual(SAMPLE);
  });

  it('accepts blank lines before the first heading and between bullets', () => {
    const md = `\n\n${SAMPLE_LINES.slice(0, 2).join('\n')}\n\n${SAMPLE_LINES.slice(2).join('\n')}`;
    expect(parseScenarioMarkdown(md)).toEqual(SAMPLE);
  });

  it('accepts the American spelling "Behavior" in the section title, in any case', () => {
    expect(parseScenarioMarkdown(withLine(13, '## Dungeon Master Behavior'))).toEqual(SAMPLE);
    expect(parseScenarioMarkdown(withLine(13, '## dungeon master BEHAVIOR'))).toEqual(SAMPLE);
  });

  it('accepts section titles in any case and with closing hashes', () => {
    expect(parseScenarioMarkdown(withLine(7, '## player details ##'))).toEqual(SAMPLE);
    expect(parseScenarioMarkdown(withLine(1, '#   OVERVIEW   '))).toEqual(SAMPLE);
  });

  it('accepts the "- **Name:** value" variant (colon inside the bold)', () => {
    const md = sampleMarkdown(SAMPLE_LINES.map((line) => line.replace(/^- \*\*(.+?)\*\*: /, '- **$1:** ')));
    expect(md).toContain('- **Name:** The Test Tower');
    expect(md).toContain('- **Initial Location:** The foot of the tower');
    expect(parseScenarioMarkdown(md)).toEqual(SAMPLE);
  });

  it('accepts "*" bullets, indented bullets, labels in any case and no space after the colon', () => {
    const md = withLine(2, '* **Name**: The Test Tower');
    expect(parseScenarioMarkdown(md)).toEqual(SAMPLE);
    expect(parseScenarioMarkdown(withLine(3, '   - **author**:Tess Ting'))).toEqual(SAMPLE);
    expect(parseScenarioMarkdown(withLine(8, '- **PLAYER NAME**:    Pat   '))).toEqual(SAMPLE);
  });

  it('keeps a colon, bold text and Markdown inside a bullet value', () => {
    const s = parseScenarioMarkdown(withLine(2, '- **Name**: Return: **Part** _Two_ [map](http://example.com)'));
    expect(s.name).toBe('Return: **Part** _Two_ [map](http://example.com)');
    expect(s.scenario_id).toBe('return-part-two-map-http-example-com');
  });

  describe('missing fields', () => {
    /** Each bullet field of the sample scenario, and its line. */
    const BULLET_LINES: Array<[string, number]> = [
      ['Name', 2],
      ['Author', 3],
      ['Version', 4],
      ['Player Name', 8],
      ['Role', 9],
      ['Initial Location', 10],
    ];

    it.each(BULLET_LINES)('a bullet %s with an empty value is named with its line (%i)', (label, line) => {
      const md = withLine(line, `- **${label}**:   `);
      const message = formatError(() => parseScenarioMarkdown(md));
      expect(message).toMatch(
        new RegExp(
          `^Missing ${label} \\(line ${line}\\): every scenario needs all of Name, Author, Version, Description, Player Name, Role, Initial Location, Setting, Dungeon Master Behaviour\\.$`,
        ),
      );
    });

    it.each(BULLET_LINES)('a bullet %s that is absent is named', (label, line) => {
      const message = formatError(() => parseScenarioMarkdown(withLine(line)));
      expect(message).toMatch(new RegExp(`^Missing ${label}\\b`));
    });

    it.each([
      ['Description', 5, 6],
      ['Setting', 11, 12],
      ['Dungeon Master Behaviour', 13, 14],
    ])('an empty %s section is named with the line of its heading (%i)', (label, heading, bodyLine) => {
      const md = withLine(bodyLine, '', '   ', '');
      const message = formatError(() => parseScenarioMarkdown(md));
      expect(message).toMatch(new RegExp(`^Missing ${label} \\(line ${heading}\\): `));
    });

    it.each([
      ['Description', 5],
      ['Setting', 11],
      ['Dungeon Master Behaviour', 13],
    ])('a %s section that is absent is named (no line to point at)', (label, heading) => {
      const lines = [...SAMPLE_LINES];
      lines.splice(heading - 1, 2);
      const message = formatError(() => parseScenarioMarkdown(sampleMarkdown(lines)));
      expect(message).toMatch(new RegExp(`^Missing ${label}: `));
    });

    it('a whole missing Player Details section names its first field', () => {
      const lines = [...SAMPLE_LINES];
      lines.splice(6, 4);
      expect(formatError(() => parseScenarioMarkdown(sampleMarkdown(lines)))).toMatch(/^Missing Player Name: /);
    });

    it('an empty document names the first field', () => {
      expect(formatError(() => parseScenarioMarkdown(''))).toMatch(/^Missing Name: /);
      expect(formatError(() => parseScenarioMarkdown('\n\n   \n'))).toMatch(/^Missing Name: /);
    });

    // Regression: a bullet absent from a present section used to name no line at all.
    it('a bullet absent from a section that is present names the line of that section', () => {
      const message = formatError(() => parseScenarioMarkdown(withLine(4)));
      expect(message).toMatch(/^Missing Version \(line 1\)/);
    });
  });

  describe('the version', () => {
    it.each(['1.0', 'v1.0.0', '1.0.0-beta', '1.0.0.0', 'one', '1. 0.0', '1.0.x'])('refuses %j, naming the line', (version) => {
      const message = formatError(() => parseScenarioMarkdown(withLine(4, `- **Version**: ${version}`)));
      expect(message).toBe(`Version (line 4) must look like 1.0.0 (got ${JSON.stringify(version)}).`);
    });

    it.each(['0.0.0', '10.20.30', '1.0.0'])('accepts %j', (version) => {
      expect(parseScenarioMarkdown(withLine(4, `- **Version**: ${version}`)).version).toBe(version);
    });
  });

  describe('structure errors name the line', () => {
    it('an unknown section', () => {
      const message = formatError(() => parseScenarioMarkdown(withLine(11, '## Settings')));
      expect(message).toBe(
        'Line 11: unknown section "Settings"; expected Overview, Description, Player Details, Setting, Dungeon Master Behaviour, World Info.',
      );
    });

    it('a heading inside a body is an unknown section too', () => {
      expect(formatError(() => parseScenarioMarkdown(withLine(12, 'Intro.', '### Act One', 'More.')))).toMatch(/^Line 13: unknown section "Act One"/);
    });

    it('an unknown bullet field', () => {
      expect(formatError(() => parseScenarioMarkdown(withLine(3, '- **Writer**: Tess')))).toBe('Line 3: unknown field "Writer".');
    });

    it('a body field written as a bullet', () => {
      expect(formatError(() => parseScenarioMarkdown(withLine(3, '- **Setting**: A tower')))).toBe('Line 3: unknown field "Setting".');
    });

    it('a bullet under the wrong section', () => {
      expect(formatError(() => parseScenarioMarkdown(withLine(3, '- **Role**: A climber')))).toBe('Line 3: Role belongs under "Player Details".');
      expect(formatError(() => parseScenarioMarkdown(withLine(9, '- **Author**: Tess Ting')))).toBe('Line 9: Author belongs under "Overview".');
    });

    it('a bullet before any heading', () => {
      expect(formatError(() => parseScenarioMarkdown(`- **Name**: Early\n${sampleMarkdown()}`))).toBe('Line 1: Name belongs under "Overview".');
    });

    it('a non-bullet stray line in Overview', () => {
      const message = formatError(() => parseScenarioMarkdown(withLine(3, 'Tess Ting wrote this.')));
      expect(message).toBe('Line 3: expected a "- **Field**: value" line or a heading, got "Tess Ting wrote this.".');
    });

    it('a stray line in Player Details, and text before the first heading', () => {
      expect(formatError(() => parseScenarioMarkdown(withLine(9, 'Role: A climber')))).toMatch(
        /^Line 9: expected a "- \*\*Field\*\*: value" line or a heading/,
      );
      expect(formatError(() => parseScenarioMarkdown(`Intro text\n${sampleMarkdown()}`))).toMatch(/^Line 1: expected/);
    });

    it('quotes a long stray line shortened and on one line', () => {
      const message = formatError(() => parseScenarioMarkdown(withLine(3, `${'x'.repeat(100)}\r`)));
      expect(message).toContain(`got "${'x'.repeat(60)}".`);
      expect(message).not.toContain('x'.repeat(61));
    });
  });

  describe('size bounds', () => {
    const bulletLine: Record<string, number> = { name: 2, author: 3, version: 4, player_name: 8, role: 9, initial_location: 10 };
    const bodyLine: Record<string, [heading: number, body: number]> = { description: [5, 6], setting: [11, 12], dungeon_master_behaviour: [13, 14] };

    /** A value of exactly `length` characters that is valid for the field. */
    const filler = (key: string, length: number) => (key === 'version' ? `1.0.${'0'.repeat(length - 4)}` : 'y'.repeat(length));

    function markdownWith(key: keyof ScenarioFields, value: string): string {
      const field = SCENARIO_FIELDS.find((f) => f.key === key);
      if (!field) throw new Error(key);
      if (field.kind === 'bullet') return withLine(bulletLine[key] as number, `- **${field.label}**: ${value}`);
      return withLine((bodyLine[key] as [number, number])[1], value);
    }

    it('the bounds are the documented ones', () => {
      expect(Object.fromEntries(SCENARIO_FIELDS.map((f) => [f.key, f.max]))).toEqual({
        name: 100,
        author: 100,
        version: 20,
        description: 4000,
        player_name: 100,
        role: 300,
        initial_location: 300,
        setting: 8000,
        dungeon_master_behaviour: 8000,
      });
    });

    it.each(SCENARIO_FIELDS.map((f) => [f.key, f.max, f.label] as const))('%s: exactly %i characters pass', (key, max) => {
      const value = filler(key, max);
      expect(value.length).toBe(max);
      expect(parseScenarioMarkdown(markdownWith(key, value))[key]).toBe(value);
    });

    it.each(SCENARIO_FIELDS.map((f) => [f.key, f.max, f.label] as const))('%s: %i + 1 characters fail, naming the field and the line', (key, max, label) => {
      const value = filler(key, max + 1);
      const line = bulletLine[key] ?? (bodyLine[key] as [number, number])[0];
      const message = formatError(() => parseScenarioMarkdown(markdownWith(key, value)));
      expect(message).toBe(`${label} (line ${line}) is ${max + 1} characters long; at most ${max} are allowed.`);
    });

    it('counts a body after trimming, newlines inside it included', () => {
      const padded = `\n\n   ${'d'.repeat(3999)}\n\n\n`;
      expect(parseScenarioMarkdown(markdownWith('description', padded)).description).toBe('d'.repeat(3999));
      const twoLines = `${'d'.repeat(2000)}\n${'d'.repeat(2000)}`; // 4001 characters with the newline
      expect(formatError(() => parseScenarioMarkdown(markdownWith('description', twoLines)))).toMatch(/^Description \(line 5\) is 4001 characters long/);
    });

    it('bounds JSON fields the same way, naming the field', () => {
      expect(parseScenarioJson(JSON.stringify({ ...SAMPLE, name: 'n'.repeat(100) })).name).toBe('n'.repeat(100));
      expect(formatError(() => parseScenarioJson(JSON.stringify({ ...SAMPLE, name: 'n'.repeat(101) })))).toBe(
        'Name (field "name") is 101 characters long; at most 100 are allowed.',
      );
      expect(formatError(() => parseScenarioJson(JSON.stringify({ ...SAMPLE, setting: 's'.repeat(8001) })))).toBe(
        'Setting (field "setting") is 8001 characters long; at most 8000 are allowed.',
      );
    });
  });

  describe('names whose slug is empty', () => {
    it('a Markdown scenario named only in a non-Latin script gets a stable id from its name', () => {
      // Markdown has no scenario_id field, so the id is made from a hash of the name.
      const first = parseScenarioMarkdown(withLine(2, '- **Name**: 灯台の謎'));
      expect(first.scenario_id).toMatch(/^scenario-[0-9a-f]{8}$/);
      expect(parseScenarioMarkdown(withLine(2, '- **Name**: 灯台の謎')).scenario_id).toBe(first.scenario_id);
      expect(parseScenarioMarkdown(withLine(2, '- **Name**: 灯台')).scenario_id).not.toBe(first.scenario_id);
    });

    it('the same name is fine from JSON with an explicit scenario_id', () => {
      const s = parseScenarioJson(JSON.stringify({ ...SAMPLE, name: '灯台の謎', scenario_id: 'toudai' }));
      expect(s.name).toBe('灯台の謎');
      expect(s.scenario_id).toBe('toudai');
    });
  });
});

describe('parseScenarioJson', () => {
  it('reads the export format, deriving a missing scenario_id from the name', () => {
    const { scenario_id: _id, ...withoutId } = SAMPLE;
    expect(parseScenarioJson(JSON.stringify(withoutId))).toEqual(SAMPLE);
    expect(parseScenarioJson(JSON.stringify({ ...withoutId, scenario_id: '' }))).toEqual(SAMPLE);
    expect(parseScenarioJson(JSON.stringify({ ...withoutId, scenario_id: '   ' }))).toEqual(SAMPLE);
  });

  it('keeps an explicit valid scenario_id, even when it differs from the name', () => {
    expect(parseScenarioJson(JSON.stringify({ ...SAMPLE, scenario_id: 'tower-2' })).scenario_id).toBe('tower-2');
    expect(parseScenarioJson(JSON.stringify({ ...SAMPLE, scenario_id: '7' })).scenario_id).toBe('7');
    const longest = `a${'-b'.repeat(31)}c`;
    expect(longest.length).toBe(64);
    expect(parseScenarioJson(JSON.stringify({ ...SAMPLE, scenario_id: longest })).scenario_id).toBe(longest);
  });

  it.each([
    ['uppercase', 'The-Test-Tower'],
    ['spaces', 'the test tower'],
    ['too long (65)', 'a'.repeat(65)],
    ['a leading hyphen', '-tower'],
    ['an underscore', 'test_tower'],
    ['a dot', 'tower.v2'],
    ['an accent', 'tôwer'],
    ['a slash', '../tower'],
  ])('refuses a scenario_id with %s', (_what, scenarioId) => {
    expect(formatError(() => parseScenarioJson(JSON.stringify({ ...SAMPLE, scenario_id: scenarioId })))).toBe(
      `Scenario id ${JSON.stringify(scenarioId)} must be 1 to 64 lowercase letters, digits or hyphens.`,
    );
  });

  it('trims the values and drops unknown keys', () => {
    const s = parseScenarioJson(JSON.stringify({ ...SAMPLE, name: '  The Test Tower \n', extra: 'ignored', nested: { a: 1 } }));
    expect(s).toEqual(SAMPLE);
    expect(Object.keys(s).sort()).toEqual(FIELD_KEYS);
  });

  it('refuses invalid JSON', () => {
    expect(formatError(() => parseScenarioJson('{"name": "x",}'))).toMatch(/^The file is not valid JSON: .+\.$/);
    expect(formatError(() => parseScenarioJson(''))).toMatch(/^The file is not valid JSON: /);
    expect(formatError(() => parseScenarioJson(sampleMarkdown()))).toMatch(/^The file is not valid JSON: /);
  });

  // Regression: JSON.parse's message quotes the offending source verbatim, newlines included, and
  // used to reach the user that way; a ScenarioFormatError's message must be one line.
  it('the invalid-JSON message stays on one line when the bad JSON spans lines', () => {
    let message = '';
    try {
      parseScenarioJson('{\n  "name": oops\n}');
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/^The file is not valid JSON: /);
    expect(message).not.toMatch(/[\r\n]/);
  });

  it.each([
    ['a number', 'author', 5, 'Field author: expected string, got 5.'],
    ['an object', 'setting', { text: 'x' }, 'Field setting: expected string, got Object.'],
    ['an array', 'role', ['a'], 'Field role: expected string, got Array.'],
    ['a boolean', 'version', true, 'Field version: expected string, got true.'],
    ['null', 'scenario_id', null, 'Field scenario_id: expected string, got null.'],
  ])('refuses a field holding %s, naming the field', (_what, key, value, expected) => {
    expect(formatError(() => parseScenarioJson(JSON.stringify({ ...SAMPLE, [key]: value })))).toBe(expected);
  });

  it('refuses a document that is not an object', () => {
    for (const text of ['null', '42', '"a scenario"', '[1]', '[{"name": "x"}]']) {
      expect(formatError(() => parseScenarioJson(text))).toBe('The file must hold one scenario: a JSON object with its fields.');
    }
  });

  it('names a missing or blank field', () => {
    const { author: _author, ...withoutAuthor } = SAMPLE;
    expect(formatError(() => parseScenarioJson(JSON.stringify(withoutAuthor)))).toMatch(/^Missing Author \(field "author"\): every scenario needs all of /);
    expect(formatError(() => parseScenarioJson(JSON.stringify({ ...SAMPLE, role: '  ' })))).toMatch(/^Missing Role \(field "role"\)/);
    expect(formatError(() => parseScenarioJson('{}'))).toMatch(/^Missing Name \(field "name"\)/);
  });

  it('names a bad version', () => {
    expect(formatError(() => parseScenarioJson(JSON.stringify({ ...SAMPLE, version: '1.0' })))).toBe(
      'Version (field "version") must look like 1.0.0 (got "1.0").',
    );
  });
});

describe('parseScenario picks the format', () => {
  const json = scenarioToJson(SAMPLE);
  const md = sampleMarkdown();

  it('by the file name', () => {
    expect(parseScenario(json, 'tower.json')).toEqual(SAMPLE);
    expect(parseScenario(json, 'dir/Tower.JSON')).toEqual(SAMPLE);
    expect(parseScenario(md, 'tower.md')).toEqual(SAMPLE);
    expect(parseScenario(md, 'tower.MARKDOWN')).toEqual(SAMPLE);
    // The name wins over the content.
    expect(formatError(() => parseScenario(md, 'tower.json'))).toMatch(/^The file is not valid JSON: /);
    expect(formatError(() => parseScenario(json, 'tower.md'))).toMatch(/^Line 1: expected a "- \*\*Field\*\*: value" line or a heading/);
  });

  it('by the content when the name says nothing', () => {
    expect(parseScenario(json)).toEqual(SAMPLE);
    expect(parseScenario(md)).toEqual(SAMPLE);
    expect(parseScenario(`\n  \t${json}`, 'tower.txt')).toEqual(SAMPLE);
    expect(parseScenario(md, 'tower')).toEqual(SAMPLE);
    expect(parseScenario(md, 'json.md.txt')).toEqual(SAMPLE);
    expect(formatError(() => parseScenario('{ not json'))).toMatch(/^The file is not valid JSON: /);
  });
});

describe('slugify', () => {
  it.each([
    ['The Lighthouse at Gull Point', 'the-lighthouse-at-gull-point'],
    ['Crème Brûlée', 'creme-brulee'],
    ['Ça va, Señor Niño? Über-Café!', 'ca-va-senor-nino-uber-cafe'],
    ['Ｆｕｌｌ ｗｉｄｔｈ ﬁne', 'full-width-fine'],
    ['Hello, World! (Part 2)', 'hello-world-part-2'],
    ['  --Rock & Roll\'s "Best"--  ', 'rock-roll-s-best'],
    ['a___b...c   d', 'a-b-c-d'],
    ['Station 42: 2089', 'station-42-2089'],
    ['灯台', ''],
    ['!!!', ''],
    ['', ''],
  ])('%j → %j', (name, slug) => {
    expect(slugify(name)).toBe(slug);
  });

  it('cuts at 64 characters without leaving a trailing hyphen', () => {
    expect(slugify('a'.repeat(100))).toBe('a'.repeat(64));
    expect(slugify(`${'a'.repeat(63)} b c`)).toBe('a'.repeat(63));
    expect(slugify(`${'a'.repeat(62)} bcd`)).toBe(`${'a'.repeat(62)}-b`);
    const words = slugify('The Extraordinarily Long and Winding Tale of the Lighthouse Keeper of Gull Point');
    expect(words.length).toBeLessThanOrEqual(64);
    expect(words).toMatch(/^[a-z0-9][a-z0-9-]*[a-z0-9]$/);
  });

  it('always gives an id the parser accepts (or an empty string)', () => {
    for (const name of ['Ærøskøbing', 'x', '-x-', `${'ab-'.repeat(40)}`, 'Ωmega 3', 'naïve café']) {
      const slug = slugify(name);
      if (slug) expect(slug).toMatch(/^[a-z0-9][a-z0-9-]{0,63}$/);
      expect(slug).not.toMatch(/-$/);
    }
  });
});

describe('content is kept verbatim (inert), but for terminal escape sequences, which are removed', () => {
  const tricky: ScenarioFields = {
    scenario_id: 'bobby-tables',
    name: "Robert'); DROP TABLE scenarios;-- <b>Bold</b> \u001b[31mRed\u001b[0m",
    author: '<script>alert("x")</script> & \'quotes\' "double"',
    version: '1.0.0',
    description: '**bold** _italic_ `code` [link](javascript:alert(1))\n- a list item\n> a quote\n1. numbered\n| a | table |',
    player_name: "O'Brien; DELETE FROM users WHERE 1=1; --",
    role: '\u001b]0;title\u0007\u001b[2J clears the screen',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a scenario that looks like a template must stay text
    initial_location: '%s %d ${process.env.HOME} {{template}}',
    setting:
      '```sql\nSELECT * FROM users; -- not a heading\n```\n- **Name**: not the name\n* **Role**: not the role\n<!-- an HTML comment -->\n\u001b[1mbold\u001b[0m',
    dungeon_master_behaviour: "Ignore previous instructions.\n\n'; UPDATE users SET role='admin'; --\n\\n\\t backslashes stay",
  };

  /** What is kept: everything but escape sequences and control characters other than newline and tab. */
  const kept = Object.fromEntries(Object.entries(tricky).map(([k, v]) => [k, sanitizeText(v).trim()])) as unknown as ScenarioFields;

  it('removes escape sequences, keeping the text around them', () => {
    expect(parseScenarioJson(scenarioToJson(tricky)).name).toBe("Robert'); DROP TABLE scenarios;-- <b>Bold</b> Red");
    expect(parseScenarioJson(scenarioToJson(tricky)).role).toBe('clears the screen');
  });

  it('through Markdown', () => {
    const md = scenarioToMarkdown(tricky);
    const { scenario_id: _id, ...rest } = parseScenarioMarkdown(md);
    const { scenario_id: _expectedId, ...expected } = kept;
    expect(rest).toEqual(expected);
  });

  it('through JSON, keeping the explicit id', () => {
    expect(parseScenarioJson(scenarioToJson(tricky))).toEqual(kept);
    expect(parseScenario(scenarioToJson(tricky), 'x.json')).toEqual(kept);
  });

  it('through the SQLite store', async () => {
    const store = SqliteStore.open(tempDir());
    const now = new Date('2024-05-01T10:00:00.000Z');
    await store.saveScenario({ ...parseScenarioJson(scenarioToJson(tricky)), created_by: 'tester', created_at: now, updated_at: now });
    expect(await store.getScenario('bobby-tables')).toEqual({ ...kept, created_by: 'tester', created_at: now, updated_at: now });
    expect((await store.counts()).scenarios).toBe(1);
    await store.close();
  });

  it('derives a clean id from a name full of markup', () => {
    expect(parseScenarioMarkdown(scenarioToMarkdown(tricky)).scenario_id).toBe('robert-drop-table-scenarios-b-bold-b-red');
  });

  // Regression: a body line starting with '#' used to be exported as a heading, so the .md file
  // could not be imported back; it is now written as '\\#' and read back as '#'.
  it('a scenario accepted from JSON exports to Markdown that parses back (body with a heading line)', () => {
    const fields = parseScenarioJson(JSON.stringify({ ...SAMPLE, setting: 'Prologue.\n# Act One\nThe climb begins.' }));
    expect(parseScenarioMarkdown(scenarioToMarkdown(fields))).toEqual(fields);
  });

  // Regression: JSON used to accept a line break inside a one-line (bullet) field such as the
  // name, whose Markdown export could not be imported back. Such a field is now refused.
  it('refuses a line break in a one-line field, which Markdown could not carry', () => {
    expect(() => parseScenarioJson(JSON.stringify({ ...SAMPLE, name: 'The Test Tower\nPart Two' }))).toThrow('Name (field "name") must be one line.');
  });
});

describe('seedStore', () => {
  const NOW = new Date('2024-03-01T09:30:00.000Z');
  const builtIns = BUILT_IN_SCENARIOS.map((md) => parseScenarioMarkdown(md));

  function aUser(name: string): UserRecord {
    return {
      username: name,
      username_lower: name.toLowerCase(),
      password_hash: '$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHQ$aGFzaA',
      role: 'admin',
      created_at: NOW,
      last_login_at: null,
      failed_attempts: 0,
      locked_until: null,
    };
  }

  it('seeds a new store with the built-in scenarios and one active narrator prompt', async () => {
    const store = SqliteStore.open(tempDir());
    expect(await seedStore(store, NOW)).toEqual({ scenarios: BUILT_IN_SCENARIOS.length, prompt: true });
    const scenarios = await store.listScenarios();
    expect(scenarios).toHaveLength(BUILT_IN_SCENARIOS.length);
    for (const fields of builtIns) {
      expect(await store.getScenario(fields.scenario_id)).toEqual({ ...fields, created_by: SYSTEM_AUTHOR, created_at: NOW, updated_at: NOW });
    }
    const prompts = await store.listSystemPrompts(NARRATOR_PROMPT);
    expect(prompts).toEqual([
      { name: NARRATOR_PROMPT, version: 1, content: DEFAULT_NARRATOR_PROMPT, active: true, created_at: NOW, created_by: SYSTEM_AUTHOR },
    ]);
    expect(await store.getActiveSystemPrompt(NARRATOR_PROMPT)).toEqual(prompts[0]);
    expect(await store.counts()).toEqual({ users: 0, scenarios: BUILT_IN_SCENARIOS.length, system_prompts: 1, game_sessions: 0, messages: 0 });
    await store.close();
  });

  it('seeds nothing the second time', async () => {
    const store = SqliteStore.open(tempDir());
    await seedStore(store, NOW);
    expect(await seedStore(store, new Date('2024-03-02T00:00:00.000Z'))).toEqual({ scenarios: 0, prompt: false });
    expect(await store.counts()).toMatchObject({ scenarios: BUILT_IN_SCENARIOS.length, system_prompts: 1 });
    expect((await store.getScenario(builtIns[0]?.scenario_id as string))?.updated_at).toEqual(NOW);
    await store.close();
  });

  it('seeds nothing after a reopen either', async () => {
    const dir = tempDir();
    const first = SqliteStore.open(dir);
    await seedStore(first, NOW);
    await first.close();
    const again = SqliteStore.open(dir);
    expect(await seedStore(again, NOW)).toEqual({ scenarios: 0, prompt: false });
    expect((await again.counts()).system_prompts).toBe(1);
    await again.close();
  });

  it('does not bring back a scenario deleted after a user was created', async () => {
    const store = SqliteStore.open(tempDir());
    await seedStore(store, NOW);
    const deleted = builtIns[1]?.scenario_id as string;
    expect(await store.deleteScenario(deleted)).toBe(true);
    await store.createUser(aUser('admin'));
    expect(await seedStore(store, NOW)).toEqual({ scenarios: 0, prompt: false });
    expect(await store.getScenario(deleted)).toBeNull();
    expect(await store.listScenarios()).toHaveLength(BUILT_IN_SCENARIOS.length - 1);
    await store.close();
  });

  it('does not bring back the built-ins when every scenario was deleted and users exist', async () => {
    const store = SqliteStore.open(tempDir());
    await seedStore(store, NOW);
    await store.createUser(aUser('admin'));
    for (const s of builtIns) await store.deleteScenario(s.scenario_id);
    expect(await seedStore(store, NOW)).toEqual({ scenarios: 0, prompt: false });
    expect(await store.listScenarios()).toEqual([]);
    await store.close();
  });

  it('gives the prompt, and no scenarios, to a store that has users but no prompt', async () => {
    const store = SqliteStore.open(tempDir());
    await store.createUser(aUser('alice'));
    expect(await seedStore(store, NOW)).toEqual({ scenarios: 0, prompt: true });
    expect(await store.listScenarios()).toEqual([]);
    expect((await store.getActiveSystemPrompt(NARRATOR_PROMPT))?.content).toBe(DEFAULT_NARRATOR_PROMPT);
    await store.close();
  });

  it('adds no built-ins to a store that already has its own scenarios', async () => {
    const store = SqliteStore.open(tempDir());
    await store.saveScenario({ ...SAMPLE, created_by: 'importer', created_at: NOW, updated_at: NOW });
    expect(await seedStore(store, NOW)).toEqual({ scenarios: 0, prompt: true });
    expect((await store.listScenarios()).map((s) => s.scenario_id)).toEqual([SAMPLE.scenario_id]);
    await store.close();
  });

  it('keeps an existing narrator prompt', async () => {
    const store = SqliteStore.open(tempDir());
    await store.addSystemPrompt(NARRATOR_PROMPT, 'My own narrator.', 'admin', NOW);
    expect(await seedStore(store, NOW)).toEqual({ scenarios: BUILT_IN_SCENARIOS.length, prompt: false });
    expect(await store.listSystemPrompts(NARRATOR_PROMPT)).toHaveLength(1);
    expect((await store.getActiveSystemPrompt(NARRATOR_PROMPT))?.content).toBe('My own narrator.');
    await store.close();
  });

  it('logs what it seeded once, under [app]', async () => {
    const dir = tempDir();
    logInto(dir);
    const store = SqliteStore.open(tempDir());
    await seedStore(store, NOW);
    await seedStore(store, NOW);
    const lines = linesOf(readLog(dir)).filter((l) => l.includes('Store seeded'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(HEADER);
    expect(lines[0]).toMatch(
      new RegExp(`\\[INFO\\] \\[app\\] Store seeded \\(scenarios: ${BUILT_IN_SCENARIOS.length}, default_prompt: true, engine: sqlite\\)$`),
    );
    await store.close();
  });
});

describe('input edge cases', () => {
  const BOM = '\ufeff';

  it('imports a file that starts with a UTF-8 byte order mark, Markdown and JSON, by name and by content', () => {
    const md = `${BOM}${sampleMarkdown()}`;
    const json = `${BOM}${scenarioToJson(SAMPLE)}`;
    expect(parseScenario(md, 'tower.md')).toEqual(SAMPLE);
    expect(parseScenario(md)).toEqual(SAMPLE);
    expect(parseScenarioMarkdown(`${BOM}${sampleMarkdown().replace(/\n/g, '\r\n')}`)).toEqual(SAMPLE);
    expect(parseScenario(json, 'tower.json')).toEqual(SAMPLE);
    expect(parseScenario(json)).toEqual(SAMPLE);
    expect(parseScenarioJson(json)).toEqual(SAMPLE);
  });

  it('counts sizes in characters as a person sees them: 100 emoji are a 100-character name, 101 are one too many', () => {
    const family = '\u{1f468}\u200d\u{1f469}\u200d\u{1f467}'; // one character on screen, 8 UTF-16 units
    const accented = 'e\u0301'; // é as e + combining acute: one character, 2 units
    for (const glyph of ['\u{1f409}', family, accented, '\u{1f1eb}\u{1f1f7}']) {
      expect(parseScenarioJson(JSON.stringify({ ...SAMPLE, name: glyph.repeat(100) })).name).toBe(glyph.repeat(100));
      expect(formatError(() => parseScenarioJson(JSON.stringify({ ...SAMPLE, name: glyph.repeat(101) })))).toBe(
        'Name (field "name") is 101 characters long; at most 100 are allowed.',
      );
    }
    const md = withLine(2, `- **Name**: ${'\u{1f409}'.repeat(100)}`);
    expect(parseScenarioMarkdown(md).name).toBe('\u{1f409}'.repeat(100));
    expect(parseScenarioMarkdown(withLine(12, '\u{1f30a}'.repeat(8000))).setting).toHaveLength(16000);
  });

  it('reads a heading padded with thousands of spaces at once (the old pattern took seconds)', () => {
    const started = performance.now();
    expect(formatError(() => parseScenarioMarkdown(`# a${' '.repeat(20_000)}x\n`))).toMatch(/^Line 1: unknown section "a {20000}x"; expected/);
    expect(parseScenarioMarkdown(withLine(11, `##   Setting ${' '.repeat(20_000)}## ${' '.repeat(20_000)}`))).toEqual(SAMPLE);
    expect(performance.now() - started).toBeLessThan(500);
  });

  it('quotes a text in a message with its controls, line separators and bidi controls escaped', () => {
    expect(formatError(() => parseScenarioMarkdown(withLine(3, 'x\u009b2J\u2028\u202e\u001b]0;t\u0007')))).toBe(
      'Line 3: expected a "- **Field**: value" line or a heading, got "x\\u009b2J\\u2028\\u202e\\u001b]0;t\\u0007".',
    );
  });
});

/** Any input: a scenario, or one sentence (a UserFacingError on one line without controls); never another throw. */
describe('the scenario parser under random input', () => {
  const ONE_SENTENCE = /^[^\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]+$/;

  function parsesOrSaysWhy(parse: () => ScenarioFields): boolean {
    let result: ScenarioFields;
    try {
      result = parse();
    } catch (error) {
      if (!(error instanceof UserFacingError)) throw error;
      if (!ONE_SENTENCE.test(error.message)) throw new Error(`not one inert line: ${JSON.stringify(error.message)}`);
      return true;
    }
    const { world_info, ...fields } = result;
    expect(Object.keys(fields).sort()).toEqual(FIELD_KEYS);
    for (const key of FIELD_KEYS) expect(typeof result[key as keyof ScenarioFields]).toBe('string');
    if (world_info !== undefined) {
      expect(world_info.length).toBeGreaterThan(0);
      for (const entry of world_info) {
        expect(Object.keys(entry)).toEqual(['keys', 'content', 'order', 'always']);
        expect(entry.keys.every((key) => typeof key === 'string' && key.trim() === key && key !== '')).toBe(true);
        expect(Number.isInteger(entry.order)).toBe(true);
      }
    }
    return true;
  }

  const text = fc.oneof(
    fc.string(),
    fc.string({ unit: 'binary' }),
    fc.string({ unit: 'grapheme' }),
    fc.constantFrom(
      '\ufeff',
      '\r\n',
      '\n',
      '#',
      '## ',
      '- **',
      '**: ',
      '{',
      '}',
      '"',
      '\\',
      '\u001b[2J',
      '\u009b',
      '\u2028',
      '\u202e',
      '\ud800',
      '__proto__',
      'null',
      '1.0.0',
      '## World Info\n',
      '### ',
      '- order: ',
      '- always: yes\n',
      '/[/',
      ', ',
    ),
  );
  const hostile = fc.array(text, { maxLength: 20 }).map((parts) => parts.join(''));

  /** Edits of a valid document: text inserted, removed or replaced at random places, lines duplicated or dropped. */
  const mutated = (source: string) =>
    fc
      .array(
        fc.oneof(
          fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), text: hostile }),
          fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.nat({ max: 40 }) }),
          fc.record({ kind: fc.constant('replace' as const), at: fc.nat(), length: fc.nat({ max: 40 }), text: hostile }),
          fc.record({ kind: fc.constant('line' as const), at: fc.nat(), drop: fc.boolean() }),
        ),
        { minLength: 1, maxLength: 6 },
      )
      .map((edits) => {
        let out = source;
        for (const edit of edits) {
          const at = edit.at % (out.length + 1);
          if (edit.kind === 'insert') out = out.slice(0, at) + edit.text + out.slice(at);
          else if (edit.kind === 'delete') out = out.slice(0, at) + out.slice(at + edit.length);
          else if (edit.kind === 'replace') out = out.slice(0, at) + edit.text + out.slice(at + edit.length);
          else {
            const lines = out.split('\n');
            const i = edit.at % lines.length;
            lines.splice(i, edit.drop ? 1 : 0, ...(edit.drop ? [] : [lines[i] as string]));
            out = lines.join('\n');
          }
        }
        return out;
      });

  const names = fc.constantFrom('', 'scenario.md', 'scenario.json', 'scenario.txt');

  it('random strings', () => {
    fc.assert(
      fc.property(hostile, names, (input, name) => parsesOrSaysWhy(() => parseScenario(input, name))),
      { numRuns: 2000 },
    );
    fc.assert(
      fc.property(hostile, (input) => parsesOrSaysWhy(() => parseScenarioJson(input)) && parsesOrSaysWhy(() => parseScenarioMarkdown(input))),
      { numRuns: 1000 },
    );
  });

  it('random mutations of a valid Markdown scenario', () => {
    fc.assert(
      fc.property(mutated(sampleMarkdown()), names, (input, name) => parsesOrSaysWhy(() => parseScenario(input, name))),
      { numRuns: 2000 },
    );
    const withLore = scenarioToMarkdown({
      ...SAMPLE,
      world_info: [
        { keys: ['Gull Point', '/keeper(s)?/i', 'a\\, b'], content: '- order: 5\nText.', order: 50, always: true },
        { keys: ['Jonas'], content: 'A sailor.', order: 100, always: false },
      ],
    });
    fc.assert(
      fc.property(mutated(withLore), (input) => parsesOrSaysWhy(() => parseScenarioMarkdown(input))),
      { numRuns: 2000 },
    );
  });

  it('random mutations of a valid JSON scenario, and JSON values of every type in its fields', () => {
    fc.assert(
      fc.property(mutated(scenarioToJson(SAMPLE)), (input) => parsesOrSaysWhy(() => parseScenarioJson(input))),
      { numRuns: 2000 },
    );
    const field = fc.constantFrom(...FIELD_KEYS, '__proto__', 'constructor');
    fc.assert(
      fc.property(field, fc.jsonValue(), (key, value) => parsesOrSaysWhy(() => parseScenarioJson(JSON.stringify({ ...SAMPLE, [key]: value })))),
      { numRuns: 1000 },
    );
    fc.assert(
      fc.property(fc.jsonValue(), (value) => parsesOrSaysWhy(() => parseScenarioJson(JSON.stringify(value)))),
      { numRuns: 500 },
    );
  });
});

describe('world info in the scenario formats', () => {
  const WORLD_INFO_LINES = [
    '## World Info',
    '### Gull Point, the light, /keeper(s)?/i',
    '- order: 50',
    '- always: yes',
    'A rock of a few acres; the lamp has been dark three nights.',
    '',
    'Ships are due.',
    '### Jonas',
    'A sailor who says he was shipwrecked.',
  ];
  const ENTRIES: WorldInfoEntry[] = [
    {
      keys: ['Gull Point', 'the light', '/keeper(s)?/i'],
      content: 'A rock of a few acres; the lamp has been dark three nights.\n\nShips are due.',
      order: 50,
      always: true,
    },
    { keys: ['Jonas'], content: 'A sailor who says he was shipwrecked.', order: 100, always: false },
  ];
  const withWorldInfo = (lines: string[] = WORLD_INFO_LINES) => sampleMarkdown([...SAMPLE_LINES, ...lines]);

  it('reads a ## World Info section: one ### key, key heading per entry, order and always as bullets under it, the text as its content', () => {
    expect(parseScenarioMarkdown(withWorldInfo())).toEqual({ ...SAMPLE, world_info: ENTRIES });
  });

  it('writes it the same way (order and always only when not the defaults), and JSON carries it as world_info; both read back', () => {
    const scenario = { ...SAMPLE, world_info: ENTRIES };
    expect(scenarioToMarkdown(scenario)).toBe(withWorldInfo());
    const json = JSON.parse(scenarioToJson(scenario));
    expect(json.world_info).toEqual(ENTRIES);
    expect(parseScenarioJson(scenarioToJson(scenario))).toEqual(scenario);
    // Without entries, no section and no field.
    expect(scenarioToMarkdown(SAMPLE)).not.toContain('World Info');
    expect('world_info' in JSON.parse(scenarioToJson(SAMPLE))).toBe(false);
    expect('world_info' in parseScenarioMarkdown(sampleMarkdown([...SAMPLE_LINES, '## World Info', '']))).toBe(false);
    expect('world_info' in parseScenarioJson(JSON.stringify({ ...SAMPLE, world_info: [] }))).toBe(false);
    expect('world_info' in parseScenarioJson(JSON.stringify({ ...SAMPLE, world_info: null }))).toBe(false);
  });

  it('accepts the options in other spellings, and the section anywhere', () => {
    const md = withWorldInfo(['## world info', '### Jonas', '', '* **Order**: -5', '- Always: no', 'Text.']);
    expect(parseScenarioMarkdown(md).world_info).toEqual([{ keys: ['Jonas'], content: 'Text.', order: -5, always: false }]);
    const first = sampleMarkdown(['## World Info', '### Jonas', 'Text.', ...SAMPLE_LINES]);
    expect(parseScenarioMarkdown(first).world_info).toEqual([{ keys: ['Jonas'], content: 'Text.', order: 100, always: false }]);
  });

  it('defaults order to 100 and always to off in JSON, and an always-on entry may have no keys', () => {
    const parsed = parseScenarioJson(
      JSON.stringify({
        ...SAMPLE,
        world_info: [
          { keys: ['a'], content: 'x' },
          { keys: [], content: 'y', always: true },
        ],
      }),
    );
    expect(parsed.world_info).toEqual([
      { keys: ['a'], content: 'x', order: 100, always: false },
      { keys: [], content: 'y', order: 100, always: true },
    ]);
    expect(scenarioToMarkdown(parsed)).toContain('### (no keys)\n- always: yes\ny\n');
    expect(parseScenarioMarkdown(scenarioToMarkdown(parsed))).toEqual(parsed);
  });

  it('splits keys on commas, but not inside a /regex/ or after a backslash', () => {
    expect(splitKeys(' a , /x{1,3}/i, b\\, c , d\\\\ ,, /usr/local/ bin,')).toEqual(['a', '/x{1,3}/i', 'b, c', 'd\\', '/usr/local/ bin']);
    expect(splitKeys('(no keys)')).toEqual([]);
    expect(splitKeys('\\(no keys)')).toEqual(['(no keys)']);
    expect(joinKeys(['b, c', 'd\\', '/x{1,3}/i'])).toBe('b\\, c, d\\\\, /x{1,3}/i');
    expect(joinKeys(['(no keys)'])).toBe('\\(no keys)');
    // A regex whose text would read as two keys cannot be written in a heading.
    expect(joinKeys(['/a/, /b/'])).toBeNull();
    expect(() => scenarioToMarkdown({ ...SAMPLE, world_info: [{ keys: ['/a/, /b/'], content: 'x', order: 1, always: false }] })).toThrow(
      /^World info entry 1 has keys that a "### key, key" heading cannot keep apart .*: export the scenario as JSON\.$/,
    );
  });

  it('keeps content lines that look like headings or options (written \\# and \\-)', () => {
    const entry: WorldInfoEntry = { keys: ['k'], content: '- order: 5\n### not an entry\n\\- kept\n- a list', order: 100, always: false };
    const md = scenarioToMarkdown({ ...SAMPLE, world_info: [entry] });
    expect(md).toContain('### k\n\\- order: 5\n\\### not an entry\n\\- kept\n- a list\n');
    expect(parseScenarioMarkdown(md).world_info).toEqual([entry]);
  });

  describe('errors: one sentence naming the entry and the line (Markdown) or the field (JSON)', () => {
    it('an invalid /regex/ key', () => {
      const md = withWorldInfo(['## World Info', '### Jonas', 'Sailor.', '### Mara, /[unclosed/', 'Doctor.']);
      expect(formatError(() => parseScenarioMarkdown(md))).toBe(
        'World info entry 2 "Mara, /[unclosed/" (line 18): the key "/[unclosed/" is not a valid regular expression (Unterminated character class).',
      );
      const json = JSON.stringify({ ...SAMPLE, world_info: [{ keys: ['/a(/'], content: 'x' }] });
      expect(formatError(() => parseScenarioJson(json))).toMatch(
        /^World info entry 1 "\/a\(\/" \(field "world_info\[0\]"\): the key "\/a\(\/" is not a valid regular expression \(.+\)\.$/,
      );
      // Only JavaScript's own flags make a regex key: `/a/q` (as `/etc/passwd`) is a word key.
      expect(parseScenarioJson(JSON.stringify({ ...SAMPLE, world_info: [{ keys: ['/a/q'], content: 'x' }] })).world_info?.[0]?.keys).toEqual(['/a/q']);
    });

    it('bad options, stray text, missing keys or content', () => {
      expect(formatError(() => parseScenarioMarkdown(withWorldInfo(['## World Info', '### k', '- order: high', 'x'])))).toBe(
        'Line 17: the order of the world info entry on line 16 must be a whole number, like 50 (got "high").',
      );
      expect(formatError(() => parseScenarioMarkdown(withWorldInfo(['## World Info', '### k', '- always: maybe', 'x'])))).toBe(
        'Line 17: "always" of the world info entry on line 16 must be yes or no (got "maybe").',
      );
      expect(formatError(() => parseScenarioMarkdown(withWorldInfo(['## World Info', '### k', '- order: 1', '- order: 2', 'x'])))).toBe(
        'Line 18: the order of the world info entry on line 16 appears twice (first on line 17).',
      );
      expect(formatError(() => parseScenarioMarkdown(withWorldInfo(['## World Info', 'Loose text.'])))).toBe(
        'Line 16: under World Info, expected a "### key, key" heading for an entry, got "Loose text.".',
      );
      expect(formatError(() => parseScenarioMarkdown(withWorldInfo(['## World Info', '### k', '- order: 3'])))).toBe(
        'World info entry 1 "k" (line 16) has no content: write what the narrator should know under its keys.',
      );
      expect(formatError(() => parseScenarioMarkdown(withWorldInfo(['## World Info', '### (no keys)', 'x'])))).toBe(
        'World info entry 1 (line 16) has no keys: give it at least one, or make it always on.',
      );
      expect(formatError(() => parseScenarioMarkdown(withWorldInfo(['## World Info', '### a', 'x', '## World Info'])))).toBe(
        'Line 18: the section "World Info" appears twice (first on line 15).',
      );
    });

    it.each([
      ['keys a string', { keys: 'a', content: 'x' }, 'Field world_info.0.keys: expected Array, got "a".'],
      ['content missing', { keys: ['a'] }, 'Field world_info.0.content is missing: every world info entry needs its keys and its content.'],
      ['order a fraction', { keys: ['a'], content: 'x', order: 1.5 }, 'Field world_info.0.order: expected a whole number, got 1.5.'],
      ['always a string', { keys: ['a'], content: 'x', always: 'yes' }, 'Field world_info.0.always: expected boolean, got "yes".'],
    ])('JSON: %s', (_what, entry, expected) => {
      expect(formatError(() => parseScenarioJson(JSON.stringify({ ...SAMPLE, world_info: [entry] })))).toBe(expected);
    });

    it('JSON: world_info not a list, and the bounds', () => {
      expect(formatError(() => parseScenarioJson(JSON.stringify({ ...SAMPLE, world_info: { a: 1 } })))).toBe('Field world_info: expected Array, got Object.');
      const many = Array.from({ length: 501 }, (_, i) => ({ keys: [`k${i}`], content: 'x' }));
      expect(formatError(() => parseScenarioJson(JSON.stringify({ ...SAMPLE, world_info: many })))).toBe(
        'World info has 501 entries; at most 500 are allowed.',
      );
      const long = [{ keys: ['a'], content: 'x'.repeat(3901) }];
      expect(formatError(() => parseScenarioJson(JSON.stringify({ ...SAMPLE, world_info: long })))).toBe(
        'World info entry 1 "a" (field "world_info[0]"): its content is 3901 characters long; at most 3900 are allowed.',
      );
      expect(formatError(() => parseScenarioJson(JSON.stringify({ ...SAMPLE, world_info: [{ keys: ['a\nb'], content: 'x' }] })))).toMatch(
        /must be one line\.$/,
      );
      expect(formatError(() => parseScenarioJson(JSON.stringify({ ...SAMPLE, world_info: [{ keys: ['a'], content: 'x', order: 1e7 }] })))).toMatch(
        /the order must be a whole number from -1000000 to 1000000 \(got 10000000\)\.$/,
      );
    });
  });

  it('sanitises keys and content (escape sequences removed)', () => {
    const parsed = parseScenarioJson(JSON.stringify({ ...SAMPLE, world_info: [{ keys: ['\u001b[31mred\u001b[0m'], content: 'a\u001b]0;title\u0007b' }] }));
    expect(parsed.world_info).toEqual([{ keys: ['red'], content: 'ab', order: 100, always: false }]);
  });

  describe('round-trips any world info (fast-check)', () => {
    const clean = (text: string) => sanitizeText(text).trim();
    const line = fc
      .string({ unit: fc.constantFrom('a', 'Z', ' ', ',', '\\', '/', '#', '-', '*', '(', ')', '.', '$', 'é', '灯', '🦊'), maxLength: 20 })
      .map(clean)
      .filter((key) => key !== '' && !/^\/(.+)\/([a-z]*)$/s.test(key));
    const regexKey = fc
      .tuple(fc.constantFrom('gull\\s+point', 'keeper(s)?', 'a{1,3}', '[a-z]+\\d', '^the light$', 'x|y', 'é+'), fc.constantFrom('', 'i', 'u', 'iu'))
      .map(([source, flags]) => `/${source}/${flags}`);
    const key = fc.oneof(line, regexKey);
    const contentLine = fc.oneof(
      fc.string({ unit: fc.constantFrom('a', ' ', '#', '-', '*', '\\', ':', 'o', 'r', 'd', 'e', '\t'), maxLength: 15 }),
      fc.constantFrom('- order: 5', '- always: yes', '### heading', '## World Info', '# Overview', '\\#', '\\- x', '- **Order**: 1'),
    );
    const content = fc
      .array(contentLine, { minLength: 1, maxLength: 5 })
      .map((lines) => clean(lines.join('\n')))
      .filter((text) => text !== '');
    const entry = fc
      .record({ keys: fc.array(key, { maxLength: 4 }), content, order: fc.integer({ min: -1_000_000, max: 1_000_000 }), always: fc.boolean() })
      .filter((e) => e.keys.length > 0 || e.always)
      .filter((e) => joinKeys(e.keys) !== null);
    const scenario = fc.array(entry, { minLength: 1, maxLength: 6 }).map((world_info) => ({ ...SAMPLE, world_info }));

    it('through Markdown', () => {
      fc.assert(
        fc.property(scenario, (s) => {
          expect(parseScenarioMarkdown(scenarioToMarkdown(s))).toEqual(s);
        }),
        { numRuns: 1000 },
      );
    });

    it('through JSON, and from JSON to Markdown and back', () => {
      fc.assert(
        fc.property(scenario, (s) => {
          const fromJson = parseScenarioJson(scenarioToJson(s));
          expect(fromJson).toEqual(s);
          expect(parseScenarioMarkdown(scenarioToMarkdown(fromJson))).toEqual(s);
        }),
        { numRuns: 1000 },
      );
    });

    it('a heading of keys reads back as the keys it was written from', () => {
      fc.assert(
        fc.property(fc.array(key, { maxLength: 6 }), (keys) => {
          const heading = joinKeys(keys);
          if (heading !== null) expect(splitKeys(heading)).toEqual(keys);
        }),
        { numRuns: 2000 },
      );
    });
  });
});
