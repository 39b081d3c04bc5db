import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { isOneColumnEach, withFastPath, type StringWidth } from '../../scripts/stand-ins/string-width-fast-path.mjs';

/** Every ES-module copy of string-width in node_modules: the ones the bundle wraps. */
function esmCopies(): string[] {
  const found: string[] = [];
  const visit = (dir: string, depth: number) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      if (!entry.isDirectory()) continue;
      const child = path.join(dir, entry.name);
      if (entry.name === 'string-width') {
        const manifest = JSON.parse(fs.readFileSync(path.join(child, 'package.json'), 'utf8')) as { type?: string };
        if (manifest.type === 'module') found.push(child);
      } else if (depth < 3 && (entry.name === 'node_modules' || dir.endsWith('node_modules'))) visit(child, depth + 1);
    }
  };
  visit(path.resolve('node_modules'), 0);
  return found;
}

const copies = await Promise.all(
  esmCopies().map(async (dir) => {
    const measure = (await import(pathToFileURL(path.join(dir, 'index.js')).href)).default as StringWidth;
    const stripAnsi = (
      await import(
        pathToFileURL(
          path.join(
            path.dirname(dir),
            fs.existsSync(path.join(dir, 'node_modules/strip-ansi')) ? 'string-width/node_modules/strip-ansi' : 'strip-ansi',
            'index.js',
          ),
        ).href
      )
    ).default as (text: string) => string;
    return { dir: path.relative(process.cwd(), dir), measure, wrapped: withFastPath(() => measure, stripAnsi) };
  }),
);

const fastCharacters = Array.from({ length: 0x10000 }, (_, code) => String.fromCharCode(code)).filter((character) => isOneColumnEach(character));

/** A small seeded generator, so that a failure can be reproduced. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

describe('the string-width fast path the bundle puts in front of string-width', () => {
  it('finds the copies it wraps (Ink brings its own)', () => {
    expect(copies.map((copy) => copy.dir)).toContain(path.join('node_modules', 'ink', 'node_modules', 'string-width'));
    expect(fastCharacters.length).toBeGreaterThan(800);
  });

  it.each(copies.map((copy) => [copy.dir, copy] as const))('agrees with %s on every character it measures by itself', (_dir, copy) => {
    const disagreements = fastCharacters.filter((character) => copy.measure(character) !== 1);
    expect(disagreements.map((character) => character.codePointAt(0)?.toString(16))).toEqual([]);
  });

  it.each(copies.map((copy) => [copy.dir, copy] as const))('agrees with %s on mixed text, escape codes included', (_dir, copy) => {
    const next = random(42);
    const pieces = [
      ...fastCharacters.filter((_, index) => index % 7 === 0),
      '\u001B[1m',
      '\u001B[22m',
      '\u001B[38;5;208m',
      '\u001B[39m',
      '謎',
      '👍🏽',
      'e\u0301',
      '\u00AD',
      '\t',
    ];
    for (let sample = 0; sample < 2000; sample++) {
      const text = Array.from({ length: 1 + Math.floor(next() * 30) }, () => pieces[Math.floor(next() * pieces.length)]).join('');
      expect(copy.wrapped(text), JSON.stringify(text)).toBe(copy.measure(text));
    }
  });

  it('leaves wide, combining and emoji text, and the ambiguous-as-wide option, to string-width', () => {
    const ink = copies.find((copy) => copy.dir.includes('ink')) as (typeof copies)[number];
    expect(isOneColumnEach('謎の灯台')).toBe(false);
    expect(ink.wrapped('謎の灯台')).toBe(8);
    expect(ink.wrapped('👍🏽 ok')).toBe(5);
    expect(ink.wrapped('e\u0301')).toBe(1);
    expect(ink.wrapped('·', { ambiguousIsNarrow: false })).toBe(ink.measure('·', { ambiguousIsNarrow: false }));
    expect(ink.wrapped('╭─ Log in ─╮')).toBe(12);
  });

  it('loads string-width only for the first text it cannot measure itself, and once', () => {
    const ink = copies.find((copy) => copy.dir.includes('ink')) as (typeof copies)[number];
    let loads = 0;
    const wrapped = withFastPath(
      () => {
        loads++;
        return ink.measure;
      },
      (text) => text,
    );
    expect([wrapped('╭─ Log in ─╮'), wrapped('Password: ····'), loads]).toEqual([12, 14, 0]);
    expect([wrapped('謎の灯台'), wrapped('👍🏽'), loads]).toEqual([8, 2, 1]);
  });
});
