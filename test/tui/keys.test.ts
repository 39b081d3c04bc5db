import type { Key } from 'ink';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { KEY_PRIORITY, KeyQueue, MAX_HOLD_MS, splitChunk, TEXT_KEY } from '../../src/tui/keys.js';

const plain = TEXT_KEY;
const ctrlC: Key = { ...plain, ctrl: true };
const esc: Key = { ...plain, escape: true, meta: true };
const microtasks = () => new Promise<void>((resolve) => queueMicrotask(resolve));

/** A queue whose commits the test makes happen, and what each handler saw. */
function setUp() {
  const commits: number[] = [];
  const queue = new KeyQueue((sequence) => commits.push(sequence));
  const seen: string[] = [];
  const handler = { current: (input: string) => void seen.push(input) };
  const remove = queue.add(handler);
  return { queue, commits, seen, handler, remove };
}

describe('KeyQueue', () => {
  beforeEach(() => vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] }));
  afterEach(() => vi.useRealTimers());

  it('hands each key over only after the commit of the one before, in order', () => {
    const { queue, commits, seen } = setUp();
    queue.push('a', plain);
    queue.push('b', plain);
    queue.push('c', plain);
    expect(seen).toEqual(['a']);
    queue.committed(commits.at(-1)!);
    expect(seen).toEqual(['a', 'b']);
    queue.committed(commits.at(-1)!);
    expect(seen).toEqual(['a', 'b', 'c']);
  });

  it('lets the next key through when a commit never comes, and a late commit does not skip a key', () => {
    const { queue, commits, seen } = setUp();
    for (const input of ['a', 'b', 'c']) queue.push(input, plain);
    vi.advanceTimersByTime(100);
    expect(seen).toEqual(['a', 'b']);
    queue.committed(commits[0]!); // a's commit, late: b's is still awaited
    expect(seen).toEqual(['a', 'b']);
    queue.committed(commits[1]!);
    expect(seen).toEqual(['a', 'b', 'c']);
  });

  it('holds keys while a list loads, lets Ctrl+C through at once, and lets the held keys go on release', async () => {
    const { queue, commits, seen } = setUp();
    const release = queue.hold();
    queue.push('\r', plain);
    queue.push('c', ctrlC);
    expect(seen).toEqual(['c']);
    release();
    await microtasks();
    expect(seen).toEqual(['c', '\r']);
    expect(commits).toHaveLength(1);
  });

  it('gives up holding after MAX_HOLD_MS, and Esc goes at once, dropping what was held', async () => {
    const { queue, seen } = setUp();
    queue.hold();
    queue.push('x', plain);
    vi.advanceTimersByTime(MAX_HOLD_MS);
    await microtasks();
    expect(seen).toEqual(['x']);
    const { queue: second, seen: secondSeen } = setUp();
    second.hold();
    second.push('\r', plain);
    second.push('', esc);
    expect(secondSeen).toEqual(['']);
    vi.advanceTimersByTime(MAX_HOLD_MS);
    await microtasks();
    expect(secondSeen).toEqual(['']);
  });

  it('hands what a handler did not use to the next screen, as text', () => {
    const { queue, commits, seen } = setUp();
    const menu = { current: (input: string) => (input.startsWith('\r') ? input.slice(1) : undefined) };
    queue.add(menu);
    queue.push('\ralice', plain);
    expect(seen).toEqual(['\ralice']);
    queue.committed(commits.at(-1)!);
    expect(seen).toEqual(['\ralice', 'alice']);
  });

  it('no longer calls a handler once removed', () => {
    const { queue, commits, seen, remove } = setUp();
    queue.push('a', plain);
    remove();
    queue.committed(commits.at(-1)!);
    queue.push('b', plain);
    expect(seen).toEqual(['a']);
  });
});

describe('splitChunk', () => {
  const ctrl = (letter: string): [string, Key] => [letter, { ...plain, ctrl: true }];

  it('splits the control keys out of a chunk Ink reads as text, each as Ink gives a lone one', () => {
    expect(splitChunk('\u0003\u0003', plain)).toEqual([ctrl('c'), ctrl('c')]);
    expect(splitChunk('abc\u0015', plain)).toEqual([['abc', plain], ctrl('u')]);
    expect(splitChunk('say\u0017hi\u0001!', plain)).toEqual([['say', plain], ctrl('w'), ['hi', plain], ctrl('a'), ['!', plain]]);
  });

  it('leaves alone what text fields apply in a chunk (Tab, line breaks, Backspace) and single keys', () => {
    for (const chunk of ['alice\tpassword123\r', 'line one\nline two\r', 'lamp\u007f\b', 'x']) expect(splitChunk(chunk, plain)).toEqual([[chunk, plain]]);
    expect(splitChunk('u', ctrlC)).toEqual([['u', ctrlC]]);
  });
});

describe('KeyQueue priorities', () => {
  it('hands a key to the highest priority first, and one that takes it (true) keeps it from the rest', () => {
    const queue = new KeyQueue(() => {});
    const seen: string[] = [];
    const field = { current: (input: string) => void seen.push(`field:${input}`) };
    /** A handler that notes the key and takes it when `takes` says so. */
    const handler = (name: string, takes: (input: string) => boolean) => ({
      current: (input: string) => {
        seen.push(`${name}:${input}`);
        return takes(input);
      },
    });
    const overlay = handler('overlay', () => true);
    const shortcut = handler('shortcut', (input) => input === 's');
    queue.add(field, KEY_PRIORITY.screen);
    const closeOverlay = queue.add(overlay, KEY_PRIORITY.overlay);
    queue.add(shortcut, KEY_PRIORITY.shortcut);
    queue.push('x', plain);
    expect(seen).toEqual(['overlay:x']);
    closeOverlay();
    seen.length = 0;
    queue.committed(1);
    queue.push('s', plain);
    expect(seen).toEqual(['shortcut:s']);
    queue.committed(2);
    queue.push('y', plain);
    expect(seen).toEqual(['shortcut:s', 'shortcut:y', 'field:y']);
  });

  it('keeps the order handlers were added in among those of one priority', () => {
    const queue = new KeyQueue(() => {});
    const seen: string[] = [];
    for (const name of ['a', 'b', 'c']) queue.add({ current: () => void seen.push(name) });
    queue.push('x', plain);
    expect(seen).toEqual(['a', 'b', 'c']);
  });
});
