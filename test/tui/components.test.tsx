import { Box, Static, Text, type DOMElement } from 'ink';
import { render } from 'ink-testing-library';
import { useState } from 'react';
import { describe, expect, it, vi } from 'vitest';
import { CredentialsForm, typeAhead } from '../../src/tui/components/CredentialsForm.js';
import { Menu } from '../../src/tui/components/Menu.js';
import { Notice } from '../../src/tui/components/Notice.js';
import { Overlay } from '../../src/tui/components/Overlay.js';
import { SafeStatic } from '../../src/tui/components/SafeStatic.js';
import { ScreenFailure } from '../../src/tui/components/ScreenFailure.js';
import { StatusBar, statusLine } from '../../src/tui/components/StatusBar.js';
import { TextField } from '../../src/tui/components/TextField.js';
import { useInputHistory } from '../../src/tui/hooks/useInputHistory.js';
import { completions } from '../../src/game/commands/index.js';
import { logInto, readLog } from '../support/logging.js';
import { tempDir } from '../support/temp.js';
import { KEY, screenShows, type } from './harness.js';

function Field({ onSubmit, mask = false, onTab }: { onSubmit: (v: string) => void; mask?: boolean; onTab?: (v: string) => string | undefined }) {
  const [value, setValue] = useState('');
  const history = useInputHistory();
  return (
    <>
      <TextField
        value={value}
        onChange={setValue}
        mask={mask}
        onSubmit={(v) => {
          history.add(v);
          onSubmit(v);
          setValue('');
        }}
        onHistory={(d) => setValue(history.move(d, value))}
        {...(onTab ? { onTab } : {})}
      />
      <Text>[{value}]</Text>
    </>
  );
}

describe('TextField', () => {
  it('edits with the cursor keys and submits on Enter', async () => {
    const submitted = vi.fn();
    const { stdin, lastFrame } = render(<Field onSubmit={submitted} />);
    await type(stdin, 'l', 'a', 'm', 'p', KEY.left, KEY.left, 'X', KEY.backspace, KEY.backspace, 'u');
    expect(lastFrame()).toContain('[lump]');
    await type(stdin, '\u0001', 'c');
    expect(lastFrame()).toContain('[clump]');
    await type(stdin, KEY.enter);
    expect(submitted).toHaveBeenCalledWith('clump');
  });

  it('goes to the start and end with Home and End, and takes a word back with Ctrl+W', async () => {
    const { stdin, lastFrame } = render(<Field onSubmit={() => {}} />);
    await type(stdin, 'hello world', '\u001b[H', 'say ', '\u001b[F', '!');
    expect(lastFrame()).toContain('[say hello world!]');
    await type(stdin, '\u0017');
    expect(lastFrame()).toContain('[say hello ]');
    await type(stdin, '\u0017', '\u0017');
    expect(lastFrame()).toContain('[]');
  });

  it('submits text and Enter that arrive in one chunk, as from a fast typist or a paste', async () => {
    const submitted = vi.fn();
    const { stdin } = render(<Field onSubmit={submitted} />);
    await type(stdin, 'I open the door\r');
    expect(submitted).toHaveBeenCalledWith('I open the door');
    await type(stdin, 'line one\nline two\r');
    expect(submitted).toHaveBeenLastCalledWith('line one line two');
  });

  it('applies every key of a chunk in turn: Backspaces, Tab and Enter sent together are not lost', async () => {
    const submitted = vi.fn();
    const complete = (typed: string) => ('/help'.startsWith(typed) ? '/help' : undefined);
    const { stdin, lastFrame } = render(<Field onSubmit={submitted} onTab={complete} />);
    await type(stdin, 'lampx');
    await type(stdin, '\u007f\u007f\u007f');
    expect(lastFrame()).toContain('[la]');
    await type(stdin, '\u007f\u007f/he\t');
    expect(lastFrame()).toContain('[/help]');
    await type(stdin, KEY.tab);
    expect(lastFrame()).toContain('[/help]');
    await type(stdin, ' me\u007f\u007fx\r');
    expect(submitted).toHaveBeenCalledWith('/help x');
  });

  it('applies a control key that comes in one chunk with text: "abc" and Ctrl+U clear the line', async () => {
    const { stdin, lastFrame } = render(<Field onSubmit={() => {}} />);
    stdin.write('abc');
    await screenShows(lastFrame, '[abc]');
    stdin.write('xyz\u0015');
    await screenShows(lastFrame, '[]');
    stdin.write('say hello\u0017there\u0001> ');
    await screenShows(lastFrame, '[> say there]');
  });

  it('masks passwords and never shows control characters', async () => {
    const { stdin, lastFrame } = render(<Field onSubmit={() => {}} mask />);
    await type(stdin, 'se\u0007cret');
    const [field, echo] = (lastFrame() ?? '').split('\n');
    expect(field).toContain('******');
    expect(field).not.toContain('secret');
    expect(echo).toBe('[secret]');
  });

  it('walks back through earlier inputs with Up and Down, keeping the draft', async () => {
    const { stdin, lastFrame } = render(<Field onSubmit={() => {}} />);
    await type(stdin, 'first\r', 'second\r', 'dra', 'ft');
    await type(stdin, KEY.up);
    expect(lastFrame()).toContain('[second]');
    await type(stdin, KEY.up, KEY.up);
    expect(lastFrame()).toContain('[first]');
    await type(stdin, KEY.down, KEY.down);
    expect(lastFrame()).toContain('[draft]');
    // A recalled line gets the cursor at its end, wherever it was in the draft.
    await type(stdin, KEY.left, KEY.left, KEY.up, '!');
    expect(lastFrame()).toContain('[second!]');
  });
});

describe('CredentialsForm', () => {
  it('fills the fields from keys typed ahead in one chunk: a line or a Tab ends a field (Shift+Tab goes back)', async () => {
    const login = vi.fn();
    const form = render(<CredentialsForm onSubmit={login} />);
    await type(form.stdin, 'al\t', '\u001b[Z', 'ice\tpassword123\r');
    expect(login).toHaveBeenCalledWith({ username: 'alice', password: 'password123' });
    const register = vi.fn();
    const second = render(<CredentialsForm confirm onSubmit={register} />);
    await type(second.stdin, 'bob\r\npassword456\rpassword457');
    expect(register).not.toHaveBeenCalled();
    expect(second.lastFrame()).toMatch(/Username: bob\nPassword: \*{11}\nRepeat it: \*{11}/);
    await type(second.stdin, '\r');
    expect(register).toHaveBeenCalledWith({ username: 'bob', password: 'password456', repeat: 'password457' });
  });

  it('applies Backspace typed ahead, stops at the last field on Tab, and hands back what follows a submission', () => {
    expect(typeAhead(['al', '', ''], 0, '\tpaX\u007fss\t\tword', 2)).toEqual({ values: ['al', 'pass', 'word'], field: 2, submit: false, unused: '' });
    expect(typeAhead(['alice', 'secret', ''], 1, '\rsecret\rjj\r', 2)).toEqual({
      values: ['alice', 'secret', 'secret'],
      field: 2,
      submit: true,
      unused: 'jj\r',
    });
    expect(typeAhead(['alice', 'x'], 1, '\r', 1)).toEqual({ values: ['alice', 'x'], field: 1, submit: true, unused: '' });
  });
});

describe('Menu', () => {
  it('moves with arrows, j/k and digits, and chooses with Enter', async () => {
    const chosen = vi.fn();
    const keys = vi.fn();
    const { stdin, lastFrame } = render(
      <Menu
        items={[
          { label: 'One', value: 1 },
          { label: 'Two', value: 2 },
          { label: 'Three', value: 3 },
        ]}
        onSelect={chosen}
        onKey={keys}
      />,
    );
    expect(lastFrame()).toContain('› One');
    await type(stdin, KEY.down, 'j');
    expect(lastFrame()).toContain('› Three');
    await type(stdin, KEY.down);
    expect(lastFrame()).toContain('› One');
    await type(stdin, '2', KEY.enter);
    expect(chosen).toHaveBeenCalledWith(2);
    await type(stdin, 'e');
    expect(keys).toHaveBeenCalledWith('e', 2);
  });

  it('acts on the latest choice when keys come faster than a redraw (↓↓ and Enter in one chunk)', async () => {
    const chosen = vi.fn();
    const { stdin } = render(
      <Menu
        items={[
          { label: 'One', value: 1 },
          { label: 'Two', value: 2 },
          { label: 'Three', value: 3 },
        ]}
        onSelect={chosen}
      />,
    );
    await type(stdin, KEY.down + KEY.down + KEY.enter);
    expect(chosen).toHaveBeenCalledWith(3);
    await type(stdin, 'jj\r');
    expect(chosen).toHaveBeenLastCalledWith(2);
  });

  it('leaves Ctrl and Alt keys to the screen: Ctrl+D is not the d of "delete"', async () => {
    const keys = vi.fn();
    const { stdin } = render(<Menu items={[{ label: 'One', value: 1 }]} onSelect={() => {}} onKey={keys} />);
    await type(stdin, '\u0004', 'd');
    expect(keys).toHaveBeenCalledTimes(1);
    expect(keys).toHaveBeenCalledWith('d', 1);
  });

  it('keeps the cursor on its item when the list is sorted anew, and tells the screen when the item goes', async () => {
    const highlighted = vi.fn();
    const items = (labels: string[]) => labels.map((label) => ({ label, value: label }));
    const { stdin, lastFrame, rerender } = render(<Menu items={items(['Alpha', 'Mill', 'Zulu'])} onSelect={() => {}} onHighlight={highlighted} />);
    await type(stdin, KEY.down);
    expect(lastFrame()).toContain('› Mill');
    // "Mill" gone, "Bell" in its place: the cursor stays there, on Bell, and says so.
    rerender(<Menu items={items(['Alpha', 'Bell', 'Zulu'].sort())} onSelect={() => {}} onHighlight={highlighted} />);
    await type(stdin, '');
    expect(lastFrame()).toContain('› Bell');
    expect(highlighted).toHaveBeenLastCalledWith('Bell');
    // Sorted anew with the same items: the cursor follows Bell.
    rerender(<Menu items={items(['Zulu', 'Alpha', 'Bell'])} onSelect={() => {}} onHighlight={highlighted} />);
    await type(stdin, '');
    expect(lastFrame()).toContain('› Bell');
    // Bell deleted, the last item: the cursor moves to what is now last.
    rerender(<Menu items={items(['Zulu', 'Alpha'])} onSelect={() => {}} onHighlight={highlighted} />);
    await type(stdin, '');
    expect(lastFrame()).toContain('› Alpha');
    expect(highlighted).toHaveBeenLastCalledWith('Alpha');
  });

  it('sets a hint apart from its label, so it reads without colour too', () => {
    const { lastFrame } = render(<Menu items={[{ label: 'Admin', value: 1, hint: 'narrator prompt, users' }]} onSelect={() => {}} />);
    expect(lastFrame()).toBe('› Admin — narrator prompt, users');
  });
});

describe('Notice', () => {
  it('hangs wrapped lines under the sentence, not under its mark', () => {
    const { lastFrame } = render(
      <Box width={24}>
        <Notice kind="error" text="The store could not be opened in that folder." />
      </Box>,
    );
    const lines = (lastFrame() ?? '').split('\n');
    expect(lines.length).toBeGreaterThan(1);
    expect(lines[0]).toMatch(/^✗ The/);
    for (const line of lines.slice(1)) expect(line).toMatch(/^ {2}\S/);
  });
});

describe('StatusBar', () => {
  it('shows model, TTFT, speed, tokens, storage and the offline badge', () => {
    const online = render(
      <StatusBar
        model="grok-4"
        stats={{ ttftMs: 420, waitedMs: 0, tokensPerSecond: 38.4, turnTokens: 812 }}
        sessionTokens={12_400}
        storage="mongodb"
        offline={false}
        busy={false}
      />,
    );
    expect(online.lastFrame()).toBe('grok-4 · TTFT 0.42s · 38 tok/s · 812 tok (session 12.4k) · mongodb');
    const offline = render(<StatusBar model="offline demo" stats={null} sessionTokens={0} storage="sqlite" offline busy />);
    expect(offline.lastFrame()).toContain('OFFLINE DEMO');
    expect(offline.lastFrame()).toContain('narrating… (Ctrl+C cancels) · session 0 tok · sqlite');
    const narrating = render(<StatusBar model="grok-4-fast-reasoning" stats={null} sessionTokens={1_300} storage="mongodb" offline={false} busy />);
    expect(narrating.lastFrame()).toBe('narrating… (Ctrl+C cancels) · grok-4-fast-reasoning · session 1.3k tok · mongodb');
  });

  const gauge = (tokens: number, real: boolean, calibrated = false) => ({
    tokens,
    budget: 10_900,
    real,
    model: 'grok-4-fast-reasoning',
    estimate: { calibrated, model: 'grok-4-fast-reasoning', ratio: 1, turns: calibrated ? 3 : 0, label: '' },
  });
  const stats = { ttftMs: 420, waitedMs: 1200, tokensPerSecond: 38.4, turnTokens: 812 };

  it("shows the game's narrator settings and the last prompt against the budget, all of it at 120 columns", () => {
    const base = { stats, sessionTokens: 12_400, storage: 'sqlite', offline: false, busy: false, width: 120 };
    const wide = statusLine({ ...base, model: 'grok-4-fast-reasoning', temperature: 0.9, maxTokens: 512, prompt: gauge(6100, true) });
    // The storage and then the wait go first.
    expect(wide).toBe('grok-4-fast-reasoning · t 0.9 · max 512 tok · TTFT 0.42s · 38 tok/s · 812 tok (session 12.4k) · prompt 6.1k/10.9k');
    expect(statusLine({ ...base, model: 'grok-4' })).toBe('grok-4 · TTFT 0.42s (after 1.20s waiting) · 38 tok/s · 812 tok (session 12.4k) · sqlite');
    expect([...wide].length).toBeLessThanOrEqual(120);
    // No temperature set, the length left as it is: neither is shown; a plain estimate is marked ~, a calibrated one is not.
    const plain = statusLine({ ...base, model: 'grok-4', prompt: gauge(727, false), stats: null, sessionTokens: 0 });
    expect(plain).toBe('grok-4 · TTFT – · – tok/s · – tok (session 0) · prompt ~727/10.9k · sqlite');
    expect(statusLine({ ...base, model: 'grok-4', prompt: gauge(6100, false, true) })).toContain('prompt 6.1k/10.9k ·');
    // Rendered, the line is the same.
    const rendered = render(<StatusBar {...base} model="grok-4" prompt={gauge(727, false)} stats={null} sessionTokens={0} />);
    expect(rendered.lastFrame()).toBe(plain);
  });

  it('keeps to one line at 80 columns, the least useful parts left out first', () => {
    const narrow = render(
      <StatusBar
        model="grok-4-fast-reasoning"
        temperature={0.9}
        maxTokens={512}
        prompt={gauge(6100, false)}
        stats={stats}
        sessionTokens={12_400}
        storage="sqlite"
        offline={false}
        busy={false}
        telling={{ index: 2, count: 3 }}
        width={80}
      />,
    );
    const line = narrow.lastFrame() ?? '';
    expect(line.split('\n')).toHaveLength(1);
    expect([...line].length).toBeLessThanOrEqual(80);
    // The telling, the model, its temperature and the prompt's gauge stay; the storage, the wait, the speed, TTFT go first.
    expect(line).toBe('telling ‹ 2/3 › · grok-4-fast-reasoning · t 0.9 · 812 tok · prompt ~6.1k/10.9k');
    // Offline: no model and no temperature, the badge on the same line.
    const offline = render(
      <StatusBar
        model="offline demo"
        temperature={0.9}
        prompt={gauge(727, false)}
        stats={stats}
        sessionTokens={12_400}
        storage="sqlite"
        offline
        busy={false}
        width={80}
      />,
    );
    const offlineLine = offline.lastFrame() ?? '';
    expect(offlineLine.split('\n')).toHaveLength(1);
    expect([...offlineLine].length).toBeLessThanOrEqual(80);
    expect(offlineLine).not.toContain('t 0.9');
    expect(offlineLine).toContain('prompt ~727/10.9k');
    // Narrating at 80 columns: the line says so first, on one line.
    const busy = render(
      <StatusBar
        model="grok-4-fast-reasoning"
        temperature={0.9}
        maxTokens={512}
        stats={null}
        sessionTokens={12_400}
        storage="mongodb"
        offline={false}
        busy
        width={80}
      />,
    );
    expect(busy.lastFrame()).toBe('narrating… (Ctrl+C cancels) · grok-4-fast-reasoning · t 0.9 · max 512 tok');
  });
});

describe('slash command completion', () => {
  it('offers the commands that start with what was typed', () => {
    expect(completions('/ret').map((c) => c.name)).toEqual(['retry']);
    expect(completions('/re').map((c) => c.name)).toEqual(['retry', 'redo']);
    expect(completions('/').length).toBeGreaterThanOrEqual(9);
    expect(completions('/export md')).toEqual([]);
    expect(completions('hello')).toEqual([]);
  });
});

function Broken(): never {
  throw new Error('chunk missing');
}

describe('ScreenFailure', () => {
  it('turns a screen that throws into one sentence and Esc back, and logs it', async () => {
    const logs = tempDir();
    logInto(logs);
    const quiet = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const onBack = vi.fn();
    const { lastFrame, stdin } = render(
      <ScreenFailure what="The game screen" onBack={onBack}>
        <Broken />
      </ScreenFailure>,
    );
    await type(stdin, 'x');
    expect(lastFrame()).toContain('✗ The game screen could not open: chunk missing');
    expect(lastFrame()).toContain('Esc returns to the menu.');
    await type(stdin, KEY.esc);
    expect(onBack).toHaveBeenCalledTimes(1);
    expect(readLog(logs, 'storyos_errors.log')).toContain('[ERROR] [tui] The game screen failed (operation: render_screen, error: chunk missing)');
    quiet.mockRestore();
  });

  it('shows the screen itself when nothing fails', () => {
    const { lastFrame } = render(
      <ScreenFailure what="The game screen" onBack={() => undefined}>
        <Text>the story</Text>
      </ScreenFailure>,
    );
    expect(lastFrame()).toBe('the story');
  });
});

describe('SafeStatic', () => {
  /** Renders a <Static> (plain or safe) until told to drop it; returns Ink's root node. */
  function harness(Kind: typeof Static | typeof SafeStatic) {
    let drop = () => {};
    const anchor: { current: DOMElement | null } = { current: null };
    function Screen() {
      const [shown, setShown] = useState(true);
      drop = () => setShown(false);
      return (
        <Box ref={anchor} flexDirection="column">
          {shown ? <Kind items={['turn one', 'turn two']}>{(item) => <Text key={item}>{item}</Text>}</Kind> : <Text>menu</Text>}
        </Box>
      );
    }
    const app = render(<Screen />);
    const root = () => {
      let node = anchor.current as DOMElement;
      while (node.parentNode) node = node.parentNode;
      return node;
    };
    return { app, root, drop: () => drop() };
  }

  it('lets go of its freed layout node when unmounted (Ink 6.8 keeps it and later crashes: ink#904)', async () => {
    const plain = harness(Static);
    expect(plain.root().staticNode).toBeDefined();
    plain.drop();
    await type(plain.app.stdin, '');
    expect(plain.app.lastFrame()).toContain('menu');
    expect(plain.root().staticNode).toBeDefined();

    const safe = harness(SafeStatic);
    expect(safe.app.lastFrame()).toContain('turn two');
    expect(safe.root().staticNode).toBeDefined();
    safe.drop();
    await type(safe.app.stdin, '');
    expect(safe.app.lastFrame()).toContain('menu');
    expect(safe.root().staticNode).toBeUndefined();
  });
});

describe('Overlay', () => {
  const body = (n: number) => Array.from({ length: n }, (_, i) => `Line ${i + 1}.`).join('\n\n');

  it('scrolls by rows and, when there is less to show (or more room), never starts past its last page', async () => {
    const { stdin, lastFrame, rerender } = render(<Overlay title="The story so far" body={body(40)} width={80} onClose={() => {}} />);
    expect(lastFrame()).toContain('lines 1–12 of 79');
    await type(stdin, KEY.pageDown, KEY.pageDown, KEY.pageDown, KEY.pageDown, KEY.pageDown, KEY.pageDown, KEY.pageDown);
    expect(lastFrame()).toContain('lines 68–79 of 79');
    rerender(<Overlay title="The story so far" body={body(10)} width={80} onClose={() => {}} />);
    await type(stdin, '');
    expect(lastFrame()).toContain('lines 8–19 of 19');
    expect(lastFrame()).toContain('Line 10.');
  });

  it('counts every key of a chunk: three rows down at once, then back past the top', async () => {
    const { stdin, lastFrame } = render(<Overlay title="Help" body={body(40)} width={80} onClose={() => {}} />);
    await type(stdin, 'jjj');
    expect(lastFrame()).toContain('lines 4–15 of 79');
    await type(stdin, 'kkkkk');
    expect(lastFrame()).toContain('lines 1–12 of 79');
  });
});
