import fs from 'node:fs';
import { deflateSync } from 'node:zlib';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MIGRATIONS } from '../../src/store/sqlite/schema.js';
import { SqliteStore } from '../../src/store/sqlite/store.js';
import { runCli, runCliAsync } from '../support/cli.js';
import { tempDir } from '../support/temp.js';

const PASSWORD = 'correct horse battery';

function cli(dir: string, args: string[], input?: string, env: Record<string, string> = {}) {
  return runCli(args, { cwd: dir, env, ...(input === undefined ? {} : { input }) });
}

function everythingWritten(dir: string, ...outputs: string[]): string {
  const logs = path.join(dir, 'logs');
  const files = fs.existsSync(logs) ? fs.readdirSync(logs).map((f) => fs.readFileSync(path.join(logs, f), 'utf8')) : [];
  return [...files, ...outputs].join('\n');
}

describe('storyos users', () => {
  it('adds accounts with a password from stdin, lists them without hashes, and refuses bad input in one line', () => {
    const dir = tempDir();
    const added = cli(dir, ['users', 'add', 'Alice', '--admin', '--password-stdin'], `${PASSWORD}\n`);
    expect([added.code, added.stdout, added.stderr]).toEqual([0, 'Created admin Alice.\n', '']);
    expect(cli(dir, ['users', 'add', 'bob', '--password-stdin'], `${PASSWORD}\n`).code).toBe(0);
    const listed = cli(dir, ['users', 'list']);
    expect(listed.stdout).toMatch(/^Alice\s+admin/m);
    expect(listed.stdout).toMatch(/^bob\s+user/m);
    expect(fs.readFileSync(path.join(dir, 'logs', 'storyos.log'), 'utf8')).toMatch(
      /\[app\] Logging configured \(.*, command: storyos users list, pid: \d+\)\n/,
    );
    const json = cli(dir, ['users', 'list', '--json']);
    expect(JSON.parse(json.stdout).map((u: { username: string }) => u.username)).toEqual(['Alice', 'bob']);

    const cases: Array<[string[], string | undefined, number, RegExp]> = [
      [['users', 'add', 'ALICE', '--password-stdin'], `${PASSWORD}\n`, 1, /^storyos: The username ALICE is taken\.\n$/],
      [['users', 'add', 'x', '--password-stdin'], `${PASSWORD}\n`, 2, /^storyos: A username is 3 to 32 letters, digits, underscores, dots or hyphens\.\n$/],
      [['users', 'add', "robert'); DROP TABLE users;--", '--password-stdin'], `${PASSWORD}\n`, 2, /^storyos: A username is 3 to 32/],
      [['users', 'add', 'carol', '--password-stdin'], 'short\n', 2, /^storyos: A password needs at least 8 characters\.\n$/],
      [['users', 'add', 'carol'], '', 2, /^storyos: No terminal to type the password in: pipe it with --password-stdin\.\n$/],
      [['users', 'unlock', 'nobody'], undefined, 1, /^storyos: No account named nobody\.\n$/],
      [['users', 'unlock', '-bob'], undefined, 2, /^storyos: Unknown option '-bob' \(a value that starts with '-' goes after --, as in `-- -bob`\)\n$/],
      [['users', 'unlock', '--', '-bob'], undefined, 1, /^storyos: No account named -bob\.\n$/],
    ];
    for (const [args, input, code, message] of cases) {
      const result = cli(dir, args, input);
      expect({ args, code: result.code }).toEqual({ args, code });
      expect(result.stderr).toMatch(message);
    }
    expect(JSON.parse(cli(dir, ['users', 'list', '--json']).stdout)).toHaveLength(2);
    const written = everythingWritten(dir, listed.stdout, json.stdout);
    expect(written).not.toContain(PASSWORD);
    expect(written).not.toContain('$argon2');
    expect(written).toContain('[INFO] [auth] User Alice created (user_id: Alice, role: admin, created_by: cli:');
  });

  it('unlocks a locked account', async () => {
    const dir = tempDir();
    cli(dir, ['users', 'add', 'dave', '--password-stdin'], `${PASSWORD}\n`);
    const store = SqliteStore.open(path.join(dir, 'data'));
    await store.updateLoginState('dave', { failed_attempts: 0, locked_until: new Date(Date.now() + 600_000), last_login_at: null });
    await store.close();
    expect(cli(dir, ['users', 'list']).stdout).toMatch(/^dave .* until /m);
    expect(cli(dir, ['users', 'unlock', 'DAVE']).stdout).toBe('DAVE is unlocked.\n');
    const reopened = SqliteStore.open(path.join(dir, 'data'));
    expect((await reopened.findUser('dave'))?.locked_until).toBeNull();
    await reopened.close();
    expect(cli(dir, ['users', 'unlock', 'dave']).stdout).toBe('dave is not locked; nothing changed.\n');
  });
});

describe('storyos scenarios', () => {
  it('lists the built-ins, exports, re-imports an edit, and deletes only with --yes', () => {
    const dir = tempDir();
    const listed = cli(dir, ['scenarios', 'list']);
    expect(listed.code).toBe(0);
    expect(listed.stdout.trim().split('\n').length - 2).toBeGreaterThanOrEqual(4);
    const markdown = cli(dir, ['scenarios', 'export', 'neon-rain']).stdout;
    expect(markdown).toMatch(/^# Overview\n- \*\*Name\*\*: Neon Rain\n- \*\*Author\*\*: StoryOS\n- \*\*Version\*\*: 1\.0\.0\n## Description\n/);
    const file = path.join(dir, 'neon.md');
    fs.writeFileSync(file, markdown.replace('Version**: 1.0.0', 'Version**: 1.1.0'));
    expect(cli(dir, ['scenarios', 'import', file]).stdout).toBe('Updated neon-rain (Neon Rain 1.1.0, 2 world info entries).\n');
    expect(JSON.parse(cli(dir, ['scenarios', 'show', 'neon-rain', '--format', 'json']).stdout).version).toBe('1.1.0');

    const jsonFile = path.join(dir, 'copy.json');
    const json = JSON.parse(cli(dir, ['scenarios', 'export', 'the-salt-road', '--format', 'json']).stdout);
    fs.writeFileSync(jsonFile, JSON.stringify({ ...json, scenario_id: 'salt-road-copy', name: 'Salt Road (copy)' }));
    expect(cli(dir, ['scenarios', 'import', jsonFile]).stdout).toBe('Imported salt-road-copy (Salt Road (copy) 1.0.0, 1 world info entry).\n');

    const refused = cli(dir, ['scenarios', 'delete', 'salt-road-copy']);
    expect([refused.code, refused.stderr]).toEqual([2, 'storyos: Deleting salt-road-copy cannot be undone: add --yes to confirm.\n']);
    expect(cli(dir, ['scenarios', 'delete', 'salt-road-copy', '--yes']).code).toBe(0);
    const gone = cli(dir, ['scenarios', 'show', 'salt-road-copy']);
    expect([gone.code, gone.stderr]).toEqual([1, 'storyos: No scenario "salt-road-copy"; `storyos scenarios list` shows them.\n']);
  });

  it('names the field and the line of a bad scenario file', () => {
    const dir = tempDir();
    const file = path.join(dir, 'bad.md');
    fs.writeFileSync(file, '# Overview\n- **Name**: Broken\n- **Author**: Me\n- **Version**: 1.0\n');
    const result = cli(dir, ['scenarios', 'import', file]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^storyos: (Missing Description|Version \(line 4\) must look like 1\.0\.0).*\n$/);
    fs.writeFileSync(file, cli(dir, ['scenarios', 'export', 'neon-rain']).stdout.replace('- **Version**: 1.0.0', '- **Version**: one'));
    expect(cli(dir, ['scenarios', 'import', file]).stderr).toBe('storyos: Version (line 4) must look like 1.0.0 (got "one").\n');
    expect(cli(dir, ['scenarios', 'import', path.join(dir, 'missing.md')]).stderr).toBe(
      `storyos: Cannot read ${path.join(dir, 'missing.md')}: no such file or directory.\n`,
    );
  });
});

/** A PNG of chunks built here (signature, IHDR, the text chunk, IEND), each with its CRC-32 computed bit by bit. */
function cardPng(keyword: string, card: unknown, brokenCrc = false): Buffer {
  const crc = (bytes: Buffer) => {
    let c = 0xffffffff;
    for (const byte of bytes) {
      c ^= byte;
      for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
    }
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer, corrupt = false) => {
    const head = Buffer.alloc(4);
    head.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const tail = Buffer.alloc(4);
    tail.writeUInt32BE((crc(body) ^ (corrupt ? 1 : 0)) >>> 0);
    return Buffer.concat([head, body, tail]);
  };
  const ihdr = Buffer.from([0, 0, 0, 1, 0, 0, 0, 1, 8, 0, 0, 0, 0]);
  const text = Buffer.from(`${keyword}\0${Buffer.from(JSON.stringify(card)).toString('base64')}`, 'latin1');
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('tEXt', text, brokenCrc),
    chunk('IDAT', deflateSync(Buffer.from([0, 0]))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

describe('storyos scenarios import: character cards', () => {
  const book = (entries: Array<{ keys: string[]; content: string; insertion_order: number; constant?: boolean }>) => ({
    entries: entries.map((e) => ({ enabled: true, constant: false, extensions: {}, ...e })),
  });
  const v2 = {
    spec: 'chara_card_v2',
    spec_version: '2.0',
    data: {
      name: 'Captain Vell',
      description: '{{char}} captains the airship Kestrel.',
      personality: 'Dry.',
      scenario: 'Docked at Port Anwen.',
      first_mes: '"You are late, {{user}}."',
      mes_example: '',
      creator: 'Ada',
      character_version: '2',
      character_book: book([{ keys: ['Kestrel'], content: 'Three masts.', insertion_order: 40 }]),
    },
  };
  const v3 = {
    spec: 'chara_card_v3',
    spec_version: '3.0',
    data: {
      name: 'Oru',
      description: 'A lamplighter.',
      personality: '',
      scenario: '',
      first_mes: 'Oru hands {{user}} a pole.',
      mes_example: '',
      creator: 'Lumen',
      character_version: '1.2',
      character_book: book([
        { keys: ['bell'], content: 'The bell rings at full dark.', insertion_order: 100 },
        { keys: ['lamp'], content: 'Lamps keep the Hollow out.', insertion_order: 90, constant: true },
      ]),
    },
  };

  it('imports a V2 JSON card and a V3 PNG card as scenarios with their world info; a broken chunk is one sentence', () => {
    const dir = tempDir();
    const jsonCard = path.join(dir, 'vell.json');
    fs.writeFileSync(jsonCard, JSON.stringify(v2));
    expect(cli(dir, ['scenarios', 'import', jsonCard]).stdout).toBe('Imported captain-vell (Captain Vell 2.0.0, from a character card, 1 world info entry).\n');
    const vell = JSON.parse(cli(dir, ['scenarios', 'show', 'captain-vell', '--format', 'json']).stdout);
    expect(vell).toMatchObject({ name: 'Captain Vell', author: 'Ada', player_name: 'you', setting: 'Docked at Port Anwen.' });
    expect(vell.world_info).toEqual([{ keys: ['Kestrel'], content: 'Three masts.', order: 40, always: false }]);
    expect(vell.dungeon_master_behaviour).toContain('"You are late, you."');

    const pngCard = path.join(dir, 'oru.png');
    fs.writeFileSync(pngCard, cardPng('ccv3', v3));
    expect(cli(dir, ['scenarios', 'import', pngCard]).stdout).toBe('Imported oru (Oru 1.2.0, from a character card, 2 world info entries).\n');
    const oru = cli(dir, ['scenarios', 'show', 'oru']).stdout;
    expect(oru).toContain('## World Info\n### bell\nThe bell rings at full dark.\n### lamp\n- order: 90\n- always: yes\nLamps keep the Hollow out.\n');
    expect(everythingWritten(dir)).toMatch(/scenario_import.*scenario_id: oru.*format: card_v3.*world_info: 2/);

    const broken = path.join(dir, 'broken.png');
    fs.writeFileSync(broken, cardPng('chara', v2, true));
    const refused = cli(dir, ['scenarios', 'import', broken]);
    expect([refused.code, refused.stdout, refused.stderr]).toEqual([
      2,
      '',
      "storyos: The PNG's tEXt chunk at byte 33 is broken (its CRC does not match its content).\n",
    ]);
    const notPng = path.join(dir, 'fake.png');
    fs.writeFileSync(notPng, 'hello');
    expect(cli(dir, ['scenarios', 'import', notPng]).stderr).toBe('storyos: The file is not a PNG image (it does not start with the PNG signature).\n');
  });
});

describe('storyos prompt', () => {
  it('versions the narrator prompt and re-activates an older one', () => {
    const dir = tempDir();
    const original = cli(dir, ['prompt', 'show']).stdout;
    expect(original).toContain('You are StoryOS');
    const file = path.join(dir, 'prompt.txt');
    fs.writeFileSync(file, 'Narrate like a pirate.\n');
    expect(cli(dir, ['prompt', 'set', file]).stdout).toBe('Saved version 2; it is now active.\n');
    expect(cli(dir, ['prompt', 'show']).stdout).toBe('Narrate like a pirate.\n');
    expect(cli(dir, ['prompt', 'history']).stdout).toMatch(/^\* 2 .*Narrate like a pirate\.$/m);
    expect(cli(dir, ['prompt', 'activate', '1']).stdout).toBe('Version 1 is now active.\n');
    expect(cli(dir, ['prompt', 'show']).stdout).toBe(original);
    expect(cli(dir, ['prompt', 'show', '2']).stdout).toBe('Narrate like a pirate.\n');
    const missing = cli(dir, ['prompt', 'activate', '9']);
    expect([missing.code, missing.stderr]).toEqual([1, 'storyos: There is no version 9; `storyos prompt history` lists them.\n']);
    expect(cli(dir, ['prompt', 'activate', 'latest']).code).toBe(2);
  });
});

describe('storyos db', () => {
  it('reports the engine, schema and counts', () => {
    const dir = tempDir();
    const status = JSON.parse(cli(dir, ['db', 'status', '--json']).stdout);
    expect(status).toMatchObject({
      engine: 'sqlite',
      location: path.join(dir, 'data', 'storyos.db'),
      schema_version: MIGRATIONS.length,
      counts: { users: 0, scenarios: 4, system_prompts: 1 },
    });
  });

  it('shows the MongoDB host, not the password, when it cannot reach it', () => {
    const dir = tempDir();
    const result = cli(dir, ['db', 'status'], undefined, {
      MONGODB_URI: 'mongodb://storyos:<password>@127.0.0.1:1/?directConnection=true',
      MONGODB_PASSWORD: 'hunter22',
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /^storyos: Cannot reach MongoDB at mongodb:\/\/storyos:\[REDACTED\]@127\.0\.0\.1:1\/\?directConnection=true \(database storyos\): .* \(check MONGODB_URI and that the server is running\)\.\n$/,
    );
    expect(everythingWritten(dir, result.stdout, result.stderr)).not.toContain('hunter22');
  });

  it('refuses an invalid MONGODB_URI at start in one sentence naming it, exit 2', () => {
    const dir = tempDir();
    const cases: Array<[string, string]> = [
      ['mongodb://storyos:hunter22@db.example:99999/storyos', 'storyos: Invalid MONGODB_URI: the port of db.example:99999 is not a number from 1 to 65535.\n'],
      ['mongodb://storyos:hunt@r22@db.example/storyos', 'storyos: Invalid MONGODB_URI: an @ in the user name or password must be written %40.\n'],
      ['mongodb://storyos:hunter22@db.example/?retryWrite=true', 'storyos: Invalid MONGODB_URI: the MongoDB driver has no option retryWrite.\n'],
    ];
    for (const [uri, message] of cases) {
      const result = cli(dir, ['db', 'status'], undefined, { MONGODB_URI: uri });
      expect([result.code, result.stdout, result.stderr]).toEqual([2, '', message]);
    }
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('fails a migration to an unreachable MongoDB with one clear line, hiding the password', () => {
    const dir = tempDir();
    expect(cli(dir, ['db', 'status']).code).toBe(0);
    const result = cli(dir, ['db', 'migrate', '--to', 'mongodb://admin:hunter22@127.0.0.1:1/?directConnection=true']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /^storyos: Cannot reach MongoDB at mongodb:\/\/admin:\[REDACTED\]@127\.0\.0\.1:1\/.* \(check MONGODB_URI and that the server is running\)\.\n$/,
    );
    expect(everythingWritten(dir, result.stdout, result.stderr)).not.toContain('hunter22');
    expect(cli(dir, ['db', 'migrate', '--to', 'postgres://x']).stderr).toBe('storyos: --to must be a mongodb:// or mongodb+srv:// connection string.\n');
    const invalid = cli(dir, ['db', 'migrate', '--to', 'mongodb://admin:hunter22@127.0.0.1:0/']);
    expect([invalid.code, invalid.stderr]).toEqual([
      2,
      'storyos: --to is not a connection string the MongoDB driver accepts: the port of 127.0.0.1:0 is not a number from 1 to 65535.\n',
    ]);
  });

  it('refuses a migration when there is no embedded store, creating nothing', async () => {
    const dir = tempDir();
    const missing = cli(dir, ['db', 'migrate', '--to', 'mongodb://127.0.0.1:1/?directConnection=true']);
    expect([missing.code, missing.stdout, missing.stderr]).toEqual([
      1,
      '',
      `storyos: There is no embedded store to migrate: ${path.join(dir, 'data', 'storyos.db')} does not exist (set STORYOS_DATA_DIR to the folder that holds storyos.db).\n`,
    ]);
    expect(fs.readdirSync(dir)).toEqual([]);

    // What earlier versions left behind when asked to migrate nothing: a database without records.
    const store = SqliteStore.open(path.join(dir, 'data'));
    await store.close();
    const empty = cli(dir, ['db', 'migrate', '--to', 'mongodb://127.0.0.1:1/?directConnection=true']);
    expect([empty.code, empty.stdout, empty.stderr]).toEqual([
      1,
      '',
      `storyos: There is nothing to migrate: the embedded store ${path.join(dir, 'data', 'storyos.db')} holds no records.\n`,
    ]);
  });
});

describe('storyos doctor', () => {
  async function withEndpoint(status: number, run: (url: string) => Promise<void>): Promise<void> {
    const server = http.createServer((req, res) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(
        status === 200 && req.headers.authorization === 'Bearer xai-test-key-123456'
          ? JSON.stringify({ data: [{ id: 'grok-4-fast-reasoning' }] })
          : JSON.stringify({ error: 'no' }),
      );
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      await run(`http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`);
    } finally {
      server.close();
    }
  }

  it('is all good with a valid setup and says what to fix otherwise', async () => {
    const dir = tempDir();
    await withEndpoint(200, async (url) => {
      const good = await runCliAsync(['doctor'], { cwd: dir, env: { XAI_API_KEY: 'xai-test-key-123456', STORYOS_LLM_BASE_URL: url } });
      expect(good.code).toBe(0);
      expect(good.stdout).toContain('✓ every configuration value is valid');
      expect(good.stdout).toContain('✓ sqlite store at');
      expect(good.stdout).toContain(`✓ ${url} answers and accepts the key (1 models)`);
      expect(good.stdout).toContain('✓ narrator model grok-4-fast-reasoning is available');
      expect(good.stdout).toMatch(/All good\.\n$/);
    });
    await withEndpoint(401, async (url) => {
      const rejected = await runCliAsync(['doctor'], { cwd: dir, env: { XAI_API_KEY: 'xai-wrong-key-999999', STORYOS_LLM_BASE_URL: url } });
      expect(rejected.code).toBe(1);
      expect(rejected.stdout).toContain(`✗ ${url} rejects the key (HTTP 401 Unauthorized): check XAI_API_KEY`);
      expect(rejected.stdout).not.toContain('xai-wrong-key-999999');
    });
    const closedPort = await new Promise<number>((resolve) => {
      const probe = http.createServer().listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as AddressInfo;
        probe.close(() => resolve(port));
      });
    });
    const offline = await runCliAsync(['doctor'], { cwd: dir, env: { STORYOS_LLM_BASE_URL: `http://127.0.0.1:${closedPort}/v1` } });
    expect(offline.code).toBe(0);
    expect(offline.stdout).toContain('! XAI_API_KEY is not set: the game offers the offline demo narrator');
    expect(offline.stdout).toContain(`! cannot reach http://127.0.0.1:${closedPort}/v1 (ECONNREFUSED)`);
    const badConfig = await runCliAsync(['doctor'], { cwd: dir, env: { STORYOS_LOG_LEVEL: 'CHATTY' } });
    expect(badConfig.code).toBe(1);
    expect(badConfig.stdout).toContain('✗ Invalid STORYOS_LOG_LEVEL="CHATTY"');
  });
});

describe('a storyos.db that is not a StoryOS store', () => {
  it('is refused by every command in one sentence naming the file and what to do, exit 1, and stays byte for byte as it was', () => {
    for (const [kind, content] of [
      ['empty', ''],
      ['text', 'shopping list: eggs, milk\n'],
    ] as const) {
      const dir = tempDir();
      fs.mkdirSync(path.join(dir, 'data'));
      const file = path.join(dir, 'data', 'storyos.db');
      fs.writeFileSync(file, content);
      for (const args of [
        ['users', 'list'],
        ['users', 'add', 'alice', '--password-stdin'],
        ['db', 'status'],
      ]) {
        const result = cli(dir, args, `${PASSWORD}\n`);
        expect({ kind, args, code: result.code }).toEqual({ kind, args, code: 1 });
        expect(result.stderr).toMatch(
          /^storyos: The database .*storyos\.db (is empty \(0 bytes\)|is not an SQLite database), so StoryOS will not open it and leaves it as it is: move it away \(or delete it\) to start a new store there, or set STORYOS_DATA_DIR to the folder that holds your storyos\.db\.\n$/,
        );
        expect(result.stderr).toContain(file);
        expect(fs.readFileSync(file, 'utf8')).toBe(content);
        expect(fs.readdirSync(path.join(dir, 'data'))).toEqual(['storyos.db']);
      }
    }
  });
});
