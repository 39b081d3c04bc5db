import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteStore } from '../../src/store/sqlite/store.js';
import { BIN, cleanEnv, exited, runCli, runCliAsync } from '../support/cli.js';
import { DEFAULT_NARRATION, FakeLlmServer } from '../support/fake-llm-server.js';
import { tempDir } from '../support/temp.js';
import { until } from '../support/wait.js';

let dir: string;
let server: FakeLlmServer;

beforeEach(async () => {
  dir = tempDir();
  server = await new FakeLlmServer().start();
  expect(runCli(['users', 'add', 'alice', '--password-stdin'], { cwd: dir, input: 'password123\n' }).code).toBe(0);
});
afterEach(async () => {
  await server.stop();
});

const online = () => ({
  XAI_API_KEY: 'xai-test-key-abcdef',
  STORYOS_LLM_BASE_URL: server.url,
  STORYOS_PASSWORD: 'password123',
  STORYOS_LLM_TIMEOUT_S: '2',
  STORYOS_LLM_MAX_RETRIES: '0',
});
const play = (args: string[], input: string, env: Record<string, string> = online()) =>
  runCliAsync(['play', '--headless', '--user', 'alice', ...args], { cwd: dir, env, input });

describe('storyos play --headless', () => {
  it('plays a new game from standard input, honouring slash commands', async () => {
    server.script(
      { kind: 'stream', chunks: DEFAULT_NARRATION },
      { kind: 'stream', chunks: ['The lamp room ', 'is cold.'] },
      { kind: 'stream', chunks: ['Time creeps on.'] },
    );
    const result = await play(
      ['--new', 'the-lighthouse-at-gull-point'],
      'I climb to the lamp room.\n/undo\n/continue\n/story\n/export md out.md\n/quit\nnever read\n',
    );
    expect(result.stderr).toMatch(/^storyos: game \S+ started\.\n$/);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      'The fog thickens around the lighthouse. Somewhere below, a bell tolls. What do you do?\n\nThe lamp room is cold.\n\n[Undone: back to turn 0.]\nThe fog thickens around the lighthouse. Somewhere below, a bell tolls. What do you do?\n\n',
    );
    expect(result.stdout).toContain('Time creeps on.\n\n');
    expect(result.stdout).toMatch(/The story so far\n\n\*\*Synopsis\*\*: .+\n\n\*\*Location\*\*: /);
    expect(result.stdout).toContain(`Saved ${path.join(fs.realpathSync(dir), 'out.md')}.`);
    expect(fs.readFileSync(path.join(dir, 'out.md'), 'utf8')).toContain('Time creeps on.');
    expect(server.requests.filter((r) => r.body.stream)).toHaveLength(3);
    const store = SqliteStore.open(path.join(dir, 'data'));
    const [session] = await store.listSessions('alice');
    expect(session?.turn_count).toBe(1);
    expect(await store.counts()).toMatchObject({ game_sessions: 1, messages: 4 });
    await store.close();
  });

  it('plays the tellings sequence from a script: retry twice, swipe back, act, /tree to the second, edit it, undo, redo, export', async () => {
    server.script(
      { kind: 'stream', chunks: ['The fog rolls in. What do you do?'] },
      { kind: 'stream', chunks: ['First telling.'] },
      { kind: 'stream', chunks: ['Second telling.'] },
      { kind: 'stream', chunks: ['Third telling.'] },
      { kind: 'stream', chunks: ['The bell answers.'] },
    );
    const script = [
      'I climb the stairs.',
      '/retry',
      '/retry',
      '/swipe 1',
      'I ring the bell.',
      '/tree',
      '/tree 2',
      '/edit The second telling, as the player wrote it.',
      '/undo',
      '/redo',
      '/swipe',
      '/export md story.md',
    ];
    const result = await play(['--new', 'the-lighthouse-at-gull-point'], `${script.join('\n')}\n`);
    expect(result.stderr).toMatch(/^storyos: game \S+ started\.\nstoryos: This is telling 4 of 4\. Usage: \/swipe prev/);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('[Telling 1 of 3. ‹ 1/3 ›]\nFirst telling.\n\n');
    expect(result.stdout).toMatch(
      /Turn 1:\n {2}\* 1\. › I climb the stairs\. — First telling\.\n {4}2\. › I climb the stairs\. — Second telling\.\n {4}3\. › I climb the stairs\. — Third telling\.\n/,
    );
    expect(result.stdout).toContain('[Jumped: this line goes to turn 1. ‹ 2/3 ›]\nSecond telling.\n\n');
    expect(result.stdout).toContain('‹ 4/4 ›]\nThe second telling, as the player wrote it.\n\n');
    expect(result.stdout).toContain('[Undone: back to turn 0.]\nThe fog rolls in. What do you do?\n\n');
    expect(result.stdout).toContain('[Redone: turn 1. ‹ 4/4 ›]\nThe second telling, as the player wrote it.\n\n');
    // The Markdown export is the branch shown: the opening, the action and the edited telling.
    const exported = fs.readFileSync(path.join(dir, 'story.md'), 'utf8');
    expect(exported).toContain('The fog rolls in.');
    expect(exported).toContain('I climb the stairs.');
    expect(exported).toContain('The second telling, as the player wrote it.');
    for (const other of ['First telling.', 'Second telling.', 'Third telling.', 'I ring the bell.', 'The bell answers.']) expect(exported).not.toContain(other);
    // The JSON export and the store keep the whole tree.
    const store = SqliteStore.open(path.join(dir, 'data'));
    const [session] = await store.listSessions('alice');
    const messages = await store.listMessages(session?.id as string);
    expect(messages.map((m) => m.content)).toEqual(expect.arrayContaining(['First telling.', 'Second telling.', 'Third telling.', 'The bell answers.']));
    const full = await store.getSession(session?.id as string);
    const head = await store.getMessage(full?.head as string);
    expect([head?.content, typeof head?.narration?.edited_from, full?.turn_count]).toEqual(['The second telling, as the player wrote it.', 'string', 1]);
    await store.close();
  });

  it('steers the narrator from a script: memory, a note at its depth, a lore entry that fires, settings; /context and /lore say why', async () => {
    const script = [
      '/memory The keeper is my sister.',
      '/note depth 0',
      '/note Keep it tense; short paragraphs.',
      '/lore add Gull Point, /lamp\\w*/ :: The lamp has been dark for ten years.',
      '/lore add the orchard :: The orchard burned last spring.',
      '/settings temperature 0.9',
      '/settings length 600',
      'I climb to the lamp room.',
      '/lore',
      '/context',
      '/settings',
    ];
    const result = await play(['--new', 'the-lighthouse-at-gull-point'], `${script.join('\n')}\n`);
    expect(result.stderr).toMatch(/^storyos: game \S+ started\.\n$/);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Memory pinned (24 characters)');
    expect(result.stdout).toContain("Author's note set, just before your action.");
    expect(result.stdout).toContain('Lore entry 1 added: told to the narrator when “Gull Point” or “/lamp\\w*/” comes up.');
    // The narration's request: the memory, the note right before the action, the entry that fired and not the other.
    const turn = server.requests.filter((r) => r.body.stream).at(-1)?.body as {
      messages: Array<{ role: string; content: string }>;
      temperature?: number;
      max_tokens?: number;
    };
    const system = turn.messages[0]?.content ?? '';
    expect(system).toContain('The keeper is my sister.');
    expect(system).toContain('The lamp has been dark for ten years.');
    expect(JSON.stringify(turn.messages)).not.toContain('The orchard burned');
    expect(turn.messages.at(-2)).toEqual({ role: 'system', content: "[Author's note: Keep it tense; short paragraphs.]" });
    expect(turn.messages.at(-1)).toMatchObject({ role: 'user', content: expect.stringContaining('I climb to the lamp room.') });
    expect([turn.temperature, turn.max_tokens]).toEqual([0.9, 600]);
    // /lore and /context say what fired and why.
    expect(result.stdout).toMatch(/1\. `Gull Point`, `\/lamp\\w\*\/`: The lamp has been dark for ten years\. — \*\*fired\*\*: key \/lamp\\w\*\/ in the action/);
    expect(result.stdout).toMatch(/\| Memory \| \d+ \| \d+ \|/);
    expect(result.stdout).toMatch(/\| \*\*all\*\* \| \*\*\d+\*\* \| \*\*\d+\*\* \|/);
    expect(result.stdout).toContain('- temperature: 0.9 (this game)');
    expect(result.stdout).toContain('- length: at most 600 tokens a narration (this game)');
    // The game keeps them, and the JSON export has them.
    const store = SqliteStore.open(path.join(dir, 'data'));
    const [session] = await store.listSessions('alice');
    const saved = await store.getSession(session?.id as string);
    expect(saved).toMatchObject({
      memory: 'The keeper is my sister.',
      note: { text: 'Keep it tense; short paragraphs.', depth: 0 },
      settings: { temperature: 0.9, max_tokens: 600 },
    });
    expect(saved?.lore?.map((e) => e.content)).toEqual(['The lamp has been dark for ten years.', 'The orchard burned last spring.']);
    await store.close();
  });

  it('refuses bad steering in one sentence each, and exits 1', async () => {
    const script = ['/settings temperature 7', '/settings colour blue', '/lore add no separator here', '/note depth many', '/lore remove 9'];
    const result = await play(['--new', 'neon-rain'], `${script.join('\n')}\n`);
    expect(result.code).toBe(1);
    const lines = result.stderr.split('\n').filter((l) => l.startsWith('storyos: ') && !l.includes('started') && !l.includes('not played'));
    expect(lines).toHaveLength(5);
    expect(lines[0]).toContain('temperature goes from 0 to 2');
    expect(lines[1]).toContain('Usage: /settings model NAME');
    expect(lines[2]).toContain('Usage: /lore add KEY, KEY :: TEXT');
    expect(lines[3]).toContain('Usage: /note depth N');
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('reports a failed turn in one line, keeps the action for /retry, and says so if it is never played', async () => {
    server.script(
      { kind: 'stream', chunks: ['Rain on neon.'] },
      { kind: 'status', status: 401 },
      { kind: 'stream', chunks: ['Retried fine.'] },
      { kind: 'status', status: 500 },
    );
    const game = await play(['--new', 'neon-rain'], 'I call my fixer.\n/retry\nI hang up.\n');
    expect(game.stderr).toContain(
      'storyos: The narrator refused the API key (HTTP 401): check XAI_API_KEY, or play offline with `storyos play --offline`. Your action was kept: /retry sends it again.\n',
    );
    expect(game.stdout).toContain('Retried fine.');
    expect(game.stderr).toMatch(
      /storyos: The narrator's service failed \(HTTP 500\); \/retry to try again\. Your action was kept: \/retry sends it again\.\nstoryos: your last action was not played: I hang up\.\n$/,
    );
    expect(game.code).toBe(1);
  });

  it('continues the most recent game, and plays offline with a clear label', async () => {
    const first = await play(['--new', 'the-salt-road', '--offline'], 'I check the water skins.\n', { STORYOS_PASSWORD: 'password123' });
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^\*Offline demo narrator — set XAI_API_KEY to play with Grok\.\*/);
    const again = await play(['--continue'], 'I mount my camel.\n', { STORYOS_PASSWORD: 'password123' });
    expect(again.stderr).toBe('storyos: no XAI_API_KEY, so the offline demo narrator tells this story (set XAI_API_KEY in .env to play with Grok).\n');
    expect(again.stdout).toContain('I check the water skins.');
    expect(again.stdout).toContain('I mount my camel.');
    expect(again.code).toBe(0);
  });

  it('reads the password from standard input and refuses wrong ones without saying why', async () => {
    const ok = await runCliAsync(['play', '--headless', '--user', 'alice', '--password-stdin', '--new', 'neon-rain', '--offline'], {
      cwd: dir,
      input: 'password123\nI look around.\n',
    });
    expect(ok.code).toBe(0);
    const wrong = await runCliAsync(['play', '--headless', '--user', 'alice', '--password-stdin', '--continue'], { cwd: dir, input: 'nope-nope\n' });
    expect([wrong.code, wrong.stderr]).toEqual([1, 'storyos: Wrong username or password. After 5 failed attempts an account is locked for 15 minutes.\n']);
    const nobody = await runCliAsync(['play', '--headless', '--user', 'nobody', '--continue'], { cwd: dir, env: { STORYOS_PASSWORD: 'password123' } });
    expect(nobody.stderr).toBe(wrong.stderr);
  });

  it('survives a bad export path, says when a failed action is replaced, and keeps the SDK quiet', async () => {
    server.script({ kind: 'stream', chunks: ['Opening.'] }, { kind: 'malformed' }, { kind: 'stream', chunks: ['Second works.'] });
    const env = { ...online(), STORYOS_LLM_MAX_RETRIES: '0' };
    const result = await play(['--new', 'neon-rain'], '/export md /nonexistent/dir/x.md\nfirst try\nsecond try\n/story\n', env);
    expect(result.stderr).toContain('storyos: Cannot write /nonexistent/dir/x.md: no such file or directory.\n');
    expect(fs.readFileSync(path.join(dir, 'logs', 'storyos.log'), 'utf8')).toContain(
      // The slash command's lines carry the game's session (bound for the command, after the call's own fields).
      `[WARN] [game_logic] User action refused: export (user_id: alice, reason: Cannot write /nonexistent/dir/x.md: no such file or directory., session: ${/game (\S+) started/.exec(result.stderr)?.[1]})`,
    );
    expect(result.stderr).toContain('storyos: not played (replaced by your new action): first try\n');
    expect(result.stderr).not.toContain('Could not parse');
    expect(result.stdout).toContain('Second works.');
    expect(result.stdout).toContain('The story so far');
    // Play went on, but a line was refused: a script learns it from the exit code.
    expect(result.stderr).toMatch(/storyos: 2 lines were not played or not saved \(said above\)\.\n$/);
    expect(result.code).toBe(1);
    const both = await play(['--new', 'neon-rain', '--continue'], '');
    expect([both.code, both.stderr]).toEqual([2, 'storyos: Choose one game: --new SCENARIO_ID, --session ID or --continue, not several.\n']);
  });

  it('says what is missing in one line', async () => {
    const cases: Array<[string[], Record<string, string>, number, string]> = [
      [
        ['play', '--headless'],
        {},
        2,
        'storyos: Headless play needs --user NAME, with the password in STORYOS_PASSWORD or on the first line of standard input (--password-stdin).\n',
      ],
      [
        ['play', '--headless', '--user', 'alice'],
        { STORYOS_PASSWORD: 'password123' },
        2,
        'storyos: Choose a game: --new SCENARIO_ID, --session ID or --continue.\n',
      ],
      [
        ['play', '--headless', '--user', 'alice', '--continue'],
        { STORYOS_PASSWORD: 'password123' },
        2,
        'storyos: You have no game to continue; start one with --new SCENARIO_ID.\n',
      ],
      [['play', '--headless', '--user', 'alice', '--new', 'no-such'], { STORYOS_PASSWORD: 'password123' }, 1, 'storyos: No scenario "no-such".\n'],
      [['play', '--headless', '--user', 'alice', '--session', 'nope'], { STORYOS_PASSWORD: 'password123' }, 1, 'storyos: No game session nope of yours.\n'],
    ];
    for (const [args, env, code, stderr] of cases) {
      const result = await runCliAsync(args, { cwd: dir, env });
      expect({ args, code: result.code, stderr: result.stderr }).toEqual({ args, code, stderr });
    }
  });
});

describe('storyos play --headless: nothing lost, nothing left unsaid', () => {
  const STORE_FAULT = fileURLToPath(new URL('../support/store-fault.mjs', import.meta.url));

  it('exits 1 after a refused action, and never echoes control bytes of an unknown command', async () => {
    const long = 'x'.repeat(2001);
    const result = await play(['--new', 'neon-rain'], `${long}\n/fr\u001b]0;pwned\u0007ob\n`);
    expect(result.stderr).toContain('storyos: An action can be at most 2000 characters (this one has 2001).\n');
    expect(result.stderr).toContain('storyos: Unknown command /frob; /help lists them.\n');
    expect(result.stderr).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/);
    expect(result.code).toBe(1);
  });

  it('keeps a narration it could not save for /retry, which saves it without asking the narrator again', async () => {
    server.script({ kind: 'stream', chunks: ['Opening.'] }, { kind: 'stream', chunks: ['Read ', 'but unsaved.'] });
    const env = { ...online(), NODE_OPTIONS: `--import=${STORE_FAULT}`, STORYOS_FAULT_MESSAGE_INSERT: '3', STORYOS_FAULT_CODE: 'SQLITE_CORRUPT' };
    const saved = await play(['--new', 'neon-rain'], 'I write.\n/retry\n', env);
    expect(saved.stderr).toContain(
      'storyos: The game could not be saved; your action and this narration are kept, and /retry saves them (no new narration is asked for).\n',
    );
    expect(saved.stdout).toContain('Read but unsaved.\n[not saved]\n\n');
    expect(saved.code).toBe(0);
    expect(server.requests.filter((r) => r.body.stream)).toHaveLength(2);
    const store = SqliteStore.open(path.join(dir, 'data'));
    const [session] = await store.listSessions('alice');
    expect(session?.turn_count).toBe(1);
    const messages = await store.listMessages(session?.id as string);
    expect(messages.map((m) => m.content)).toEqual(['Opening.', 'I write.', 'Read but unsaved.']);
    await store.close();

    server.script({ kind: 'stream', chunks: ['Lost again.'] });
    const lost = await play(['--continue'], 'I write more.\n', { ...env, STORYOS_FAULT_MESSAGE_INSERT: '2', STORYOS_FAULT_CODE: 'SQLITE_FULL' });
    expect(lost.stderr).toContain(
      'storyos: your last narration could not be saved and ends with this process; your action is kept in the game, and /retry asks for a new narration of it.\n',
    );
    expect(lost.code).toBe(1);
  });

  it('never replaces a file with /export unless --force says so', async () => {
    fs.writeFileSync(path.join(dir, 'game.md'), 'mine');
    const refused = await play(['--new', 'neon-rain'], '/export md game.md\n');
    expect(refused.stderr).toContain('`/export md game.md --force` replaces it, or give another path');
    expect(fs.readFileSync(path.join(dir, 'game.md'), 'utf8')).toBe('mine');
    expect(refused.code).toBe(1);
    const forced = await play(['--continue'], '/export md game.md --force\n');
    expect(forced.code).toBe(0);
    expect(fs.readFileSync(path.join(dir, 'game.md'), 'utf8')).toContain('Neon Rain');
  });

  it('exits 1 after a /continue that failed, and 143 when SIGTERM comes during the opening', async () => {
    server.script({ kind: 'stream', chunks: ['Opening.'] }, { kind: 'status', status: 400 });
    const failed = await play(['--new', 'neon-rain'], '/continue\n');
    expect(failed.code).toBe(1);
    // Counted once: one line failed.
    expect(failed.stderr).toContain('storyos: one line was not played or not saved (said above).\n');
    server.script({ kind: 'stream', chunks: ['Slow ', 'opening.'], firstDelayMs: 3000 });
    const child = spawn(process.execPath, [BIN, 'play', '--headless', '--user', 'alice', '--new', 'neon-rain'], {
      cwd: dir,
      env: cleanEnv(online()),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    await until(() => server.requests.filter((r) => r.body.stream).length === 3);
    child.kill('SIGTERM');
    expect(await exited(child)).toBe(143);
  });

  it('ends quietly when its output pipe closes', async () => {
    server.script({ kind: 'stream', chunks: ['Opening.'] }, { kind: 'stream', chunks: Array.from({ length: 200 }, (_, i) => `piece ${i} `), delayMs: 5 });
    const child = spawn(process.execPath, [BIN, 'play', '--headless', '--user', 'alice', '--new', 'neon-rain'], {
      cwd: dir,
      env: cleanEnv(online()),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdin.write('I talk on and on.\n');
    await new Promise((resolve) => child.stdout.once('data', resolve));
    child.stdout.destroy();
    const code = await exited(child);
    expect(stderr).not.toMatch(/EPIPE|unexpected|Error/);
    expect(code).toBe(0);
  });

  it('tells the opening of a game whose process ended before it was saved', async () => {
    const store = SqliteStore.open(path.join(dir, 'data'));
    const now = new Date();
    await store.createSession({
      id: 'cut-short',
      user: 'alice',
      scenario_id: 'neon-rain',
      scenario_name: 'Neon Rain',
      created_at: now,
      updated_at: now,
      head: null,
      turn_count: 0,
      usage: { tokens_in: 0, tokens_out: 0 },
      state: { world_state: '', last_scene: '', location: '', synopsis: '', characters: {}, event: null },
    });
    await store.close();
    server.script({ kind: 'stream', chunks: ['Told again.'] }, { kind: 'stream', chunks: ['Then played.'] });
    const result = await play(['--session', 'cut-short'], 'I look.\n');
    expect(result.stderr).toContain('storyos: this game has no opening yet (it was cut short); telling it now.\n');
    expect(result.stdout).toContain('Told again.\n\nThen played.');
    expect(result.code).toBe(0);
  });
});
