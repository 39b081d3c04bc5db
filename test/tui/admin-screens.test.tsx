import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { logInto, readLog } from '../support/logging.js';
import { tempDir } from '../support/temp.js';
import { KEY, loggedIn, screenShows, type } from './harness.js';

const asAdmin = (role: 'admin' | 'user' = 'admin') => loggedIn({ username: 'root', role });

describe('the scenarios screen', () => {
  it('lets an admin import a file (~ is the home folder) and delete a scenario after y', async () => {
    const { stdin, lastFrame, store } = await asAdmin();
    const home = tempDir();
    const previousHome = process.env.HOME;
    process.env.HOME = home;
    const file = path.join(home, 'heist.md');
    const neon = (await store.getScenario('neon-rain'))!;
    fs.writeFileSync(
      file,
      `# Overview\n- **Name**: The Vault Job\n- **Author**: Tester\n- **Version**: 1.0.0\n## Description\nA heist.\n## Player Details\n- **Player Name**: Vic\n- **Role**: Safecracker\n- **Initial Location**: A van\n## Setting\n${neon.setting}\n## Dungeon Master Behaviour\nBe tense.\n`,
    );
    await type(stdin, '3', KEY.enter);
    await screenShows(lastFrame, 'StoryOS · Scenarios');
    expect(lastFrame()).toContain('i import a file');
    await type(stdin, 'i');
    await screenShows(lastFrame, 'Import from file (.md or .json):');
    await type(stdin, '~/heist.md\r');
    await screenShows(lastFrame, '✓ Imported the-vault-job.');
    process.env.HOME = previousHome;
    expect((await store.getScenario('the-vault-job'))?.name).toBe('The Vault Job');
    stdin.write('d');
    await screenShows(lastFrame, 'Delete the scenario Neon Rain (neon-rain) for good? y/n');
    // Esc cancels the question, and only the question.
    stdin.write(KEY.esc);
    await screenShows(lastFrame, /^(?![\s\S]*for good)[\s\S]*StoryOS · Scenarios/);
    expect((await store.listScenarios()).length).toBe(5);
    stdin.write('d');
    await screenShows(lastFrame, 'for good? y/n');
    await type(stdin, 'y');
    await screenShows(lastFrame, '✓ Deleted Neon Rain.');
    expect((await store.listScenarios()).length).toBe(4);
    await store.close();
  });

  it('does not leave what an action said under the next one, nor under the other admin list', async () => {
    const { stdin, lastFrame, store } = await asAdmin();
    stdin.write('3');
    stdin.write(KEY.enter);
    await screenShows(lastFrame, 'StoryOS · Scenarios');
    stdin.write('i');
    await screenShows(lastFrame, 'Import from file (.md or .json):');
    stdin.write('nothere.md\r');
    await screenShows(lastFrame, '✗ Cannot read nothere.md: no such file or directory.');
    stdin.write('i');
    await screenShows(lastFrame, /^(?![\s\S]*Cannot read)[\s\S]*Import from file/);
    stdin.write(KEY.esc);
    await screenShows(lastFrame, /^(?![\s\S]*Import from file)[\s\S]*StoryOS · Scenarios/);
    stdin.write(KEY.esc);
    await screenShows(lastFrame, 'Main menu · root');
    stdin.write('4');
    stdin.write(KEY.enter);
    await screenShows(lastFrame, '1 version');
    stdin.write(KEY.enter);
    await screenShows(lastFrame, "✓ Version 1 is now the narrator's prompt.");
    stdin.write(KEY.tab);
    await screenShows(lastFrame, /^(?![\s\S]*Version 1 is now)[\s\S]*root \(admin\)/);
    await store.close();
  });

  it('only lets a player browse', async () => {
    const { stdin, lastFrame, store } = await asAdmin('user');
    await type(stdin, '3', KEY.enter);
    await screenShows(lastFrame, 'StoryOS · Scenarios');
    expect(lastFrame()).not.toContain('import');
    await type(stdin, 'd', 'y');
    expect((await store.listScenarios()).length).toBe(4);
    await store.close();
  });
});

describe('the admin screen', () => {
  it('activates an earlier prompt version and unlocks a locked user', async () => {
    const { stdin, lastFrame, store, services } = await asAdmin();
    await store.addSystemPrompt('narrator', 'Narrate like a pirate.', 'root', new Date());
    await services.accounts.createUser('mallory', 'password123', 'user', 'test');
    await store.updateLoginState('mallory', { failed_attempts: 5, locked_until: new Date(Date.now() + 600_000), last_login_at: null });
    await type(stdin, '4', KEY.enter);
    await screenShows(lastFrame, '2 versions');
    await type(stdin, KEY.enter);
    await screenShows(lastFrame, "✓ Version 1 is now the narrator's prompt.");
    expect((await store.getActiveSystemPrompt('narrator'))?.version).toBe(1);
    await type(stdin, KEY.tab);
    await screenShows(lastFrame, 'LOCKED');
    await type(stdin, KEY.enter);
    await screenShows(lastFrame, '✓ mallory is unlocked.');
    expect((await store.findUser('mallory'))?.locked_until).toBeNull();
    await type(stdin, KEY.enter);
    await screenShows(lastFrame, '✓ mallory is not locked; nothing changed.');
    await store.close();
  });
});

describe('editing a scenario in $EDITOR', () => {
  it('saves what the editor wrote; an edit that fails is kept and opened again as it was; an edit that changes nothing says so', async () => {
    const logs = tempDir();
    logInto(logs);
    const { stdin, lastFrame, store, dir } = await asAdmin();
    const editor = path.join(tempDir(), 'edit.sh');
    const seen = path.join(tempDir(), 'seen.md');
    /** The editor: it copies what it was opened with to `seen`, then runs `script` on the file ($1). */
    const editorDoes = (script: string) => fs.writeFileSync(editor, `#!/bin/sh\ncp "$1" ${JSON.stringify(seen)}\n${script}\n`, { mode: 0o755 });
    const draft = path.join(dir, 'drafts', 'scenario-neon-rain-root.md');
    /** The screen with its lines joined, for sentences that wrap. */
    const flat = () => (lastFrame() ?? '').replace(/\s+/g, ' ');
    const previous = process.env.EDITOR;
    process.env.EDITOR = editor;
    try {
      await type(stdin, '3', KEY.enter);
      await screenShows(lastFrame, 'x edit in $EDITOR');
      editorDoes('sed -i "s/Version\\*\\*: 1.0.0/Version**: 1.1.0/" "$1"');
      stdin.write('x');
      await screenShows(lastFrame, '✓ Saved Neon Rain 1.1.0.');
      expect((await store.getScenario('neon-rain'))?.version).toBe('1.1.0');
      expect(fs.existsSync(draft)).toBe(false);

      // Saved, but it does not parse: kept, refused in the log, and opened as it was next time.
      editorDoes('sed -i "s/Version\\*\\*: 1.1.0/Version**: one/" "$1"');
      stdin.write('x');
      await screenShows(flat, `Version (line 4) must look like 1.0.0 (got "one"). Your edit is kept in ${draft}, and x opens it again.`);
      expect(readLog(logs)).toMatch(/\[WARN\] \[tui\] User action refused: scenario_edit \(user_id: \w+, reason: Version \(line 4\) must look like 1\.0\.0/);
      editorDoes('sed -i "s/Version\\*\\*: one/Version**: 1.2.0/" "$1"');
      stdin.write('x');
      await screenShows(lastFrame, '✓ Saved Neon Rain 1.2.0.');
      expect(fs.readFileSync(seen, 'utf8')).toContain('Version**: one');
      expect(fs.existsSync(draft)).toBe(false);

      // The editor exits non-zero after a change: nothing is saved, and the change opens again.
      // Written at the end of the Dungeon Master section (the World Info section follows it).
      editorDoes('sed -i "s/^## World Info$/Darker now.\\n\\n## World Info/" "$1"; exit 3');
      stdin.write('x');
      await screenShows(flat, `did not finish cleanly; nothing was saved. Your edit is kept in ${draft}, and x opens it again.`);
      expect((await store.getScenario('neon-rain'))?.dungeon_master_behaviour).not.toContain('Darker now.');
      editorDoes('exit 0');
      stdin.write('x');
      await screenShows(lastFrame, /✓ Saved Neon Rain 1\.2\.0\.[\s\S]*Esc back/);
      expect(fs.readFileSync(seen, 'utf8')).toContain('Darker now.');
      expect((await store.getScenario('neon-rain'))?.dungeon_master_behaviour).toContain('Darker now.');

      // No change: nothing saved, and said so; a failed editor with no change leaves nothing behind.
      const before = await store.getScenario('neon-rain');
      stdin.write('x');
      await screenShows(lastFrame, '✓ No change.');
      expect((await store.getScenario('neon-rain'))?.updated_at).toEqual(before?.updated_at);
      editorDoes('exit 1');
      stdin.write('x');
      await screenShows(lastFrame, 'did not finish cleanly; nothing was changed.');
      expect(fs.existsSync(draft)).toBe(false);
    } finally {
      process.env.EDITOR = previous;
      await store.close();
    }
  });
});
