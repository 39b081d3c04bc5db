import fs from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import Yoga from 'yoga-layout';
import { startYoga } from '../../scripts/stand-ins/yoga-start.mjs';

const LOADER = fileURLToPath(new URL('../../node_modules/yoga-layout/dist/binaries/yoga-wasm-base64-esm.js', import.meta.url));

/** The WebAssembly inline in Yoga's loader, as the bundle's build names it (scripts/bundle.mjs). */
function inlineWasm(): Buffer {
  const base64 = /H="data:application\/octet-stream;base64,([A-Za-z0-9+/=]+)"/.exec(fs.readFileSync(LOADER, 'utf8'))?.[1];
  expect(base64).toBeDefined();
  return Buffer.from(base64 as string, 'base64');
}

/** A bordered column of two rows, laid out: each node's left, top, width and height. */
function layout(yoga: typeof Yoga): number[][] {
  const root = yoga.Node.create();
  root.setWidth(100);
  root.setFlexDirection(yoga.FLEX_DIRECTION_COLUMN);
  root.setBorder(yoga.EDGE_ALL, 1);
  const rows = [3, 5].map((height, index) => {
    const row = yoga.Node.create();
    row.setHeight(height);
    root.insertChild(row, index);
    return row;
  });
  root.calculateLayout(undefined, undefined, yoga.DIRECTION_LTR);
  const boxes = [root, ...rows].map((node) => [node.getComputedLeft(), node.getComputedTop(), node.getComputedWidth(), node.getComputedHeight()]);
  root.freeRecursive();
  return boxes;
}

describe("Yoga started at once, as the bundle's stand-in for yoga-layout starts it", () => {
  it('is Yoga before the call returns, and lays out as yoga-layout does', async () => {
    const { default: loadYoga } = (await import(pathToFileURL(LOADER).href)) as { default: (module: object) => Promise<unknown> };
    const started = startYoga(loadYoga, inlineWasm());
    expect(layout(started)).toEqual(layout(Yoga));
    expect(layout(started)).toEqual([
      [0, 0, 100, 10],
      [1, 1, 98, 3],
      [1, 4, 98, 5],
    ]);
  });

  it("fails with WebAssembly's own error when the bytes are not WebAssembly", async () => {
    const { default: loadYoga } = (await import(pathToFileURL(LOADER).href)) as { default: (module: object) => Promise<unknown> };
    expect(() => startYoga(loadYoga, Buffer.from('not wasm'))).toThrow(/^WebAssembly\.Module\(\)/);
  });
});
