import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sanitizeRecord, sanitizeText, StreamSanitizer } from '../../src/llm/sanitize.js';
import { guardTerminalOutput } from '../../src/tui/guarded-stdout.js';

/** What must never reach a terminal from outside text: ESC, C0 but newline and tab, DEL, C1, bidi controls. */
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

/** Strings built to hurt: escape sequences of every kind, controls, bidi, mixed with text. */
const hostile = fc
  .array(
    fc.oneof(
      fc.string(),
      fc.string({ unit: 'binary' }),
      fc.constantFrom(
        '\u001b]0;pwned\u0007',
        '\u001b]52;c;SGVsbG8=\u0007',
        '\u001b]8;;https://x.example\u001b\\',
        '\u001b[2J',
        '\u001b[?1049h',
        '\u001b[31m',
        '\u001bP1$r\u001b\\',
        '\u001b_apc\u001b\\',
        '\u009b2J',
        '\u001b',
        '\u0007',
        '\r',
        '\u202e',
        '\u2066',
        '\u2069',
        '\u202a',
        '\u0000',
        '\u007f',
        '\u0085',
        '\n',
        '\t',
      ),
      fc.integer({ min: 0, max: 0x2fff }).map((c) => String.fromCharCode(c)),
    ),
    { maxLength: 30 },
  )
  .map((parts) => parts.join(''));

describe('text from outside, made safe for a terminal', () => {
  it('never lets ESC, a control character (but newline and tab) or a bidi control through', () => {
    fc.assert(
      fc.property(hostile, (text) => !UNSAFE.test(sanitizeText(text))),
      { numRuns: 3000 },
    );
  });

  it('keeps text that was safe as it was', () => {
    fc.assert(
      fc.property(
        fc.string().filter((t) => !UNSAFE.test(t)),
        (text) => sanitizeText(text) === text,
      ),
    );
    expect(sanitizeText('Ünïcödé — “quotes”, emoji 🐉, tabs\tand\nlines')).toBe('Ünïcödé — “quotes”, emoji 🐉, tabs\tand\nlines');
  });

  it('streams to the same safe text however the chunks fall', () => {
    fc.assert(
      fc.property(hostile, fc.array(fc.nat(), { maxLength: 8 }), (text, cuts) => {
        const points = [...new Set(cuts.map((c) => c % (text.length + 1)))].sort((a, b) => a - b);
        const sanitizer = new StreamSanitizer();
        let out = '';
        let from = 0;
        for (const at of [...points, text.length]) {
          out += sanitizer.push(text.slice(from, at));
          from = at;
        }
        out += sanitizer.end();
        return !UNSAFE.test(out);
      }),
      { numRuns: 2000 },
    );
  });

  it('makes every text field of a record safe', () => {
    const record = sanitizeRecord({ id: 'a\u001b]0;t\u0007b', turn_count: 3, last_scene: 'x\u202ey' });
    expect(record).toEqual({ id: 'ab', turn_count: 3, last_scene: 'xy' });
  });
});

describe("the TUI's guard on its terminal output", () => {
  it('never lets a window title, clipboard write, alternate screen, mouse mode or other string command through', () => {
    const COMMAND = /\u001b[\]P_^X]|\u001b\[\?(?!25[hl]|2026[hl])|[\u0000-\u0007\u000b\u000c\u000e-\u001a\u001c-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
    fc.assert(
      fc.property(hostile, (text) => !COMMAND.test(guardTerminalOutput(text))),
      { numRuns: 3000 },
    );
  });

  it("keeps what Ink draws with: colours, cursor moves, erases, the cursor's visibility", () => {
    const frame = '\u001b[?25l\u001b[2K\u001b[1A\u001b[2K\u001b[G\u001b[31mred\u001b[39m \u001b[1mbold\u001b[22m\r\n\u001b[2J\u001b[3J\u001b[H\u001b[?25h';
    expect(guardTerminalOutput(frame)).toBe(frame);
    expect(guardTerminalOutput('a\u001b]0;title\u0007b\u001b[?1049hc\u001b]52;c;eA==\u001b\\d')).toBe('abcd');
  });
});
