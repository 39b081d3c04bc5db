import { deflateSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UserFacingError } from '../../src/config/errors.js';
import {
  CardFormatError,
  cardToScenario,
  coerceVersion,
  crc32,
  PNG_SIGNATURE,
  parseScenarioFile,
  parseScenarioFileAs,
  readPngChunks,
} from '../../src/game/cards.js';
import { parseScenarioJson, parseScenarioMarkdown, scenarioToJson, scenarioToMarkdown } from '../../src/game/scenario-format.js';

/** CRC-32 bit by bit, written apart from the one under test. */
function referenceCrc(bytes: Buffer): number {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer, crc?: number): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const sum = Buffer.alloc(4);
  sum.writeUInt32BE(crc ?? referenceCrc(body));
  return Buffer.concat([length, body, sum]);
}

/** A 1×1 greyscale PNG: signature, IHDR, IDAT, the text chunks given, IEND. */
function png(...texts: Buffer[]): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(1, 0);
  ihdr.writeUInt32BE(1, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 0; // greyscale
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    ...texts,
    chunk('IDAT', deflateSync(Buffer.from([0, 0x80]))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

const base64 = (card: unknown) => Buffer.from(JSON.stringify(card), 'utf8').toString('base64');
const tEXt = (keyword: string, text: string) => chunk('tEXt', Buffer.concat([Buffer.from(`${keyword}\0`, 'latin1'), Buffer.from(text, 'latin1')]));
const zTXt = (keyword: string, text: string) =>
  chunk('zTXt', Buffer.concat([Buffer.from(`${keyword}\0\0`, 'latin1'), deflateSync(Buffer.from(text, 'latin1'))]));
const iTXt = (keyword: string, text: string, compressed = false) =>
  chunk(
    'iTXt',
    Buffer.concat([
      Buffer.from(`${keyword}\0${compressed ? '\u0001' : '\u0000'}\0en\0\0`, 'latin1'),
      compressed ? deflateSync(Buffer.from(text, 'utf8')) : Buffer.from(text, 'utf8'),
    ]),
  );

const V2_CARD = {
  spec: 'chara_card_v2',
  spec_version: '2.0',
  data: {
    name: 'Captain Vell',
    description: '{{char}} is the captain of the airship *Kestrel*, scarred, loyal to her crew.',
    personality: 'Dry humour; never retreats; distrusts {{user}} at first.',
    scenario: 'The Kestrel is docked at Port Anwen. A storm is coming.',
    first_mes: '*{{char}} looks {{user}} up and down.* "You are the new navigator? You are late."',
    mes_example: '<START>\n{{user}}: Where are we going?\n{{char}}: Wherever the wind pays.',
    creator: 'Ada Writer',
    character_version: 'v2.1',
    tags: ['airship'],
    creator_notes: 'notes',
    system_prompt: '',
    post_history_instructions: '',
    alternate_greetings: [],
    extensions: {},
    character_book: {
      name: 'Kestrel lore',
      entries: [
        {
          keys: ['Kestrel', 'airship'],
          secondary_keys: ['the ship'],
          content: 'The Kestrel has three masts and a cracked lift-bag.',
          insertion_order: 40,
          enabled: true,
          constant: false,
          extensions: {},
        },
        {
          keys: ['Port Anwen'],
          content: 'Port Anwen is a free port run by smugglers; {{char}} owes them.',
          insertion_order: 10,
          enabled: true,
          constant: true,
          extensions: {},
        },
        { keys: ['disabled'], content: 'Not imported.', insertion_order: 5, enabled: false, constant: false, extensions: {} },
        { keys: [], content: 'No keys and not constant: never fires, left out.', insertion_order: 5, enabled: true, constant: false, extensions: {} },
        { keys: ['storm'], content: '', insertion_order: 1, enabled: true, constant: false, extensions: {} },
      ],
      extensions: {},
    },
  },
};

const V3_CARD = {
  spec: 'chara_card_v3',
  spec_version: '3.0',
  data: {
    name: 'Oru the Lamplighter',
    description: 'An old lamplighter in a city where the lamps keep the dark things out.',
    personality: 'Patient, superstitious.',
    scenario: 'Dusk in the Old Quarter. The lamps must be lit before the bell.',
    first_mes: 'Oru hands {{user}} a long brass pole. "You take the east side."',
    mes_example: '',
    creator: 'Lumen',
    character_version: '3',
    tags: [],
    creator_notes: '',
    system_prompt: '',
    post_history_instructions: '',
    alternate_greetings: [],
    group_only_greetings: [],
    extensions: {},
    character_book: {
      entries: [
        {
          keys: ['bell', 'the bell'],
          content: 'The bell of St. Ives rings at full dark; unlit streets then belong to the Hollow.',
          insertion_order: 100,
          enabled: true,
          constant: false,
          use_regex: false,
          extensions: {},
        },
        {
          keys: ['hollow(s)?'],
          content: 'The Hollow are shadows that fear flame.',
          insertion_order: 90,
          enabled: true,
          constant: false,
          use_regex: true,
          extensions: {},
        },
      ],
    },
  },
};

/** Runs `parse`, expects one sentence (a CardFormatError or another UserFacingError), and returns it. */
function refusal(parse: () => unknown): string {
  let caught: unknown;
  try {
    parse();
  } catch (error) {
    caught = error;
  }
  expect(caught, 'expected a refusal').toBeInstanceOf(UserFacingError);
  const message = (caught as Error).message;
  expect(message).not.toMatch(/[\r\n]/);
  expect(message).toMatch(/^[A-Z].*\.$/);
  return message;
}

describe('CRC-32 and PNG chunks', () => {
  it('computes the CRC PNG uses (IEND’s is ae426082) and agrees with a bitwise one', () => {
    expect(crc32(Buffer.from('IEND', 'latin1')).toString(16)).toBe('ae426082');
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => crc32(bytes) === referenceCrc(Buffer.from(bytes))));
  });

  it('reads every chunk up to IEND', () => {
    const chunks = readPngChunks(png(tEXt('Title', 'x')));
    expect(chunks.map((c) => c.type)).toEqual(['IHDR', 'tEXt', 'IDAT', 'IEND']);
    expect(PNG_SIGNATURE.equals(png().subarray(0, 8))).toBe(true);
  });
});

describe('character cards', () => {
  it('a V2 JSON card becomes a scenario with its lorebook as world info', () => {
    const { fields: s, format } = parseScenarioFileAs(Buffer.from(JSON.stringify(V2_CARD)), 'vell.json');
    expect(format).toBe('card_v2');
    expect(s).toMatchObject({
      scenario_id: 'captain-vell',
      name: 'Captain Vell',
      author: 'Ada Writer',
      version: '2.1.0',
      description:
        'Captain Vell is the captain of the airship *Kestrel*, scarred, loyal to her crew.\n\nPersonality: Dry humour; never retreats; distrusts you at first.',
      setting: 'The Kestrel is docked at Port Anwen. A storm is coming.',
      player_name: 'you',
      initial_location: 'The Kestrel is docked at Port Anwen.',
    });
    expect(s.dungeon_master_behaviour).toMatch(/^Play Captain Vell in character/);
    expect(s.dungeon_master_behaviour).toContain('*Captain Vell looks you up and down.* "You are the new navigator? You are late."');
    expect(s.dungeon_master_behaviour).toContain('you: Where are we going?\nCaptain Vell: Wherever the wind pays.');
    expect(s.dungeon_master_behaviour).not.toMatch(/\{\{(char|user)\}\}/i);
    expect(s.world_info).toEqual([
      // Secondary keys only narrow an entry: they never make it fire alone.
      { keys: ['Kestrel', 'airship'], content: 'The Kestrel has three masts and a cracked lift-bag.', order: 40, always: false },
      { keys: ['Port Anwen'], content: 'Port Anwen is a free port run by smugglers; Captain Vell owes them.', order: 10, always: true },
    ]);
    // The scenario made is an ordinary one: it exports and reads back in both formats.
    expect(parseScenarioMarkdown(scenarioToMarkdown(s))).toEqual(s);
    expect(parseScenarioJson(scenarioToJson(s))).toEqual(s);
  });

  it('a V3 PNG card (ccv3 tEXt chunk) becomes a scenario, regex keys of use_regex entries as /regex/i', () => {
    const file = png(tEXt('ccv3', base64(V3_CARD)));
    const { fields: s, format } = parseScenarioFileAs(file, 'oru.png');
    expect(format).toBe('card_v3');
    expect(s).toMatchObject({ scenario_id: 'oru-the-lamplighter', name: 'Oru the Lamplighter', author: 'Lumen', version: '3.0.0', player_name: 'you' });
    expect(s.dungeon_master_behaviour).toContain('Oru hands you a long brass pole.');
    expect(s.world_info).toEqual([
      { keys: ['bell', 'the bell'], content: 'The bell of St. Ives rings at full dark; unlit streets then belong to the Hollow.', order: 100, always: false },
      { keys: ['/hollow(s)?/i'], content: 'The Hollow are shadows that fear flame.', order: 90, always: false },
    ]);
    // Found by its signature whatever the file is called.
    expect(parseScenarioFile(file, 'card')).toEqual(s);
  });

  it('prefers ccv3 to chara when a PNG has both, and reads zTXt and iTXt chunks too', () => {
    const both = png(tEXt('chara', base64(V2_CARD)), tEXt('ccv3', base64(V3_CARD)));
    expect(parseScenarioFile(both, 'both.png').name).toBe('Oru the Lamplighter');
    expect(parseScenarioFile(png(zTXt('chara', base64(V2_CARD))), 'z.png').name).toBe('Captain Vell');
    expect(parseScenarioFile(png(iTXt('chara', base64(V2_CARD))), 'i.png').name).toBe('Captain Vell');
    expect(parseScenarioFile(png(iTXt('ccv3', base64(V3_CARD), true)), 'i.png').name).toBe('Oru the Lamplighter');
  });

  it('takes a V1 card (its fields at the top level), and a V2 card in a PNG chara chunk', () => {
    const v1 = { name: 'Mira', description: 'A fox spirit.', personality: 'Playful.', scenario: '', first_mes: 'Mira grins at <USER>.', mes_example: '' };
    const s = parseScenarioFile(Buffer.from(JSON.stringify(v1)), 'mira.json');
    expect(s).toMatchObject({ name: 'Mira', author: 'unknown', version: '1.0.0', initial_location: 'where the story begins' });
    expect(s.dungeon_master_behaviour).toContain('Mira grins at you.');
    expect('world_info' in s).toBe(false);
    expect(parseScenarioFile(png(tEXt('chara', base64(V2_CARD))), 'vell.png').world_info).toHaveLength(2);
  });

  it('sanitises the card’s text and bounds it', () => {
    const hostile = {
      ...V2_CARD,
      data: { ...V2_CARD.data, name: 'Red\u001b[31m Queen\u001b[0m', description: `\u001b]0;pwned\u0007${'x'.repeat(5000)}`, character_book: undefined },
    };
    const s = cardToScenario(hostile);
    expect(s.name).toBe('Red Queen');
    expect(s.description).not.toContain('\u001b');
    expect(s.description.length).toBeLessThanOrEqual(4000);
    expect(s.description.endsWith('…')).toBe(true);
  });

  it('coerces versions to X.Y.Z', () => {
    expect(['1', 'v2.1', '1.2.3-beta', '', 'none', 7, '0010.2'].map(coerceVersion)).toEqual(['1.0.0', '2.1.0', '1.2.3', '1.0.0', '1.0.0', '7.0.0', '10.2.0']);
  });

  it('keeps StoryOS’s own formats as they were', () => {
    const json = scenarioToJson({
      scenario_id: 'x',
      name: 'X',
      author: 'A',
      version: '1.0.0',
      description: 'd',
      setting: 's',
      player_name: 'p',
      role: 'r',
      initial_location: 'l',
      dungeon_master_behaviour: 'b',
    });
    expect(parseScenarioFileAs(Buffer.from(json), 'x.json').format).toBe('json');
    expect(parseScenarioFileAs(Buffer.from(scenarioToMarkdown(parseScenarioJson(json))), 'x.md').format).toBe('markdown');
  });

  describe('an invalid card is one sentence naming what is wrong', () => {
    const good = () => png(tEXt('chara', base64(V2_CARD)));

    it('not a PNG, no chara/ccv3 chunk', () => {
      expect(refusal(() => parseScenarioFile(Buffer.from('GIF89a...'), 'card.png'))).toBe(
        'The file is not a PNG image (it does not start with the PNG signature).',
      );
      expect(refusal(() => parseScenarioFile(png(tEXt('Comment', 'hello')), 'card.png'))).toBe(
        'The PNG holds no character card (it has no "chara" or "ccv3" text chunk).',
      );
    });

    it('a broken chunk: a bad CRC, a chunk cut short, a bad type', () => {
      const bad = png(chunk('tEXt', Buffer.from(`chara\0${base64(V2_CARD)}`, 'latin1'), 0x12345678));
      expect(refusal(() => parseScenarioFile(bad, 'card.png'))).toBe("The PNG's tEXt chunk at byte 33 is broken (its CRC does not match its content).");
      expect(() => parseScenarioFile(bad, 'card.png')).toThrow(CardFormatError);
      // One byte of the card's text flipped: the CRC no longer matches.
      const flipped = Buffer.from(good());
      flipped.writeUInt8(flipped.readUInt8(33 + 8 + 20) ^ 0x01, 33 + 8 + 20);
      expect(refusal(() => parseScenarioFile(flipped, 'card.png'))).toMatch(/^The PNG's tEXt chunk at byte 33 is broken \(its CRC does not match/);
      const cut = good().subarray(0, 60);
      expect(refusal(() => parseScenarioFile(cut, 'card.png'))).toBe(
        "The PNG's tEXt chunk at byte 33 runs past the end of the file (the file is cut short or broken).",
      );
      const badType = Buffer.from(good());
      badType.write('t3Xt', 33 + 4, 'latin1');
      expect(refusal(() => parseScenarioFile(badType, 'card.png'))).toBe('The PNG has a broken chunk at byte 33 (its type is not four letters).');
      expect(refusal(() => parseScenarioFile(png(chunk('zTXt', Buffer.from('chara\0\0not zlib', 'latin1'))), 'card.png'))).toMatch(
        /zTXt chunk at byte 33 is broken \(its compressed text does not inflate\)\.$/,
      );
    });

    it('bad base64, bad JSON, no name, not a card', () => {
      expect(refusal(() => parseScenarioFile(png(tEXt('chara', '***not base64***')), 'card.png'))).toBe(
        'The card in the PNG\'s "chara" chunk is not valid base64.',
      );
      expect(refusal(() => parseScenarioFile(png(tEXt('ccv3', Buffer.from('{"spec": ').toString('base64'))), 'card.png'))).toMatch(
        /^The card in the PNG's "ccv3" chunk is not valid JSON \(.+\)\.$/,
      );
      const nameless = { ...V2_CARD, data: { ...V2_CARD.data, name: '  ' } };
      expect(refusal(() => parseScenarioFile(Buffer.from(JSON.stringify(nameless)), 'card.json'))).toBe(
        'The card has no name (data.name is missing or empty).',
      );
      expect(refusal(() => parseScenarioFile(png(tEXt('chara', base64({ spec: 'chara_card_v2', data: 'x' }))), 'card.png'))).toBe(
        'The chara_card_v2 card has no data object.',
      );
      expect(refusal(() => parseScenarioFile(png(tEXt('chara', base64([1, 2]))), 'card.png'))).toMatch(/^The file is not a character card/);
      const badBook = { ...V2_CARD, data: { ...V2_CARD.data, character_book: { entries: [{ keys: ['/[/'], content: 'x', enabled: true }] } } };
      expect(refusal(() => parseScenarioFile(Buffer.from(JSON.stringify(badBook)), 'card.json'))).toMatch(
        /^World info entry 1 "\/\[\/" \(character_book entry 1\): the key "\/\[\/" is not a valid regular expression \(.+\)\.$/,
      );
    });

    it('whatever the bytes (fast-check): a scenario or one sentence', () => {
      const base = good();
      fc.assert(
        fc.property(fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }), fc.nat(), (flips, cut) => {
          const bytes = Buffer.from(base);
          for (const [at, value] of flips) bytes[at % bytes.length] = value;
          const input = cut % 3 === 0 ? bytes.subarray(0, cut % bytes.length) : bytes;
          try {
            expect(parseScenarioFile(input, 'card.png').name).toBeTruthy();
          } catch (error) {
            if (!(error instanceof UserFacingError)) throw error;
            expect(error.message).not.toMatch(/[\r\n]/);
          }
        }),
        { numRuns: 500 },
      );
    });
  });
});

describe('cards that would take the importer down', () => {
  it('never inflates a text chunk past a card’s size, nor any chunk that is not the card', () => {
    // 20 MiB of zeros deflate to about 20 KiB: a bomb of a card.
    const bomb = chunk('zTXt', Buffer.concat([Buffer.from('ccv3\0\0', 'latin1'), deflateSync(Buffer.alloc(20 * 1024 * 1024))]));
    expect(refusal(() => parseScenarioFile(png(bomb), 'bomb.png'))).toMatch(/holds more than 8 MiB of text once inflated/);
    // A comment is not read at all: the card next to it imports.
    const comment = chunk('zTXt', Buffer.concat([Buffer.from('comment\0\0', 'latin1'), deflateSync(Buffer.alloc(20 * 1024 * 1024))]));
    expect(parseScenarioFile(png(comment, tEXt('chara', base64(V2_CARD))), 'card.png').name).toBe(V2_CARD.data.name);
  });

  it('refuses a World Info heading too long for the keys an entry may have, at once', () => {
    const heading = `### ${'/1,'.repeat(20_000)}`;
    const md = `${scenarioToMarkdown(parseScenarioFile(Buffer.from(JSON.stringify(V2_CARD)), 'card.json'))}\n### a\nText.\n`.replace(
      /### [^\n]+\n/,
      `${heading}\n`,
    );
    expect(refusal(() => parseScenarioMarkdown(md))).toMatch(/its heading is 60000 characters long; at most 20200 are allowed/);
  });
});
