// Bundles the CLI into dist/bundle/ with esbuild, one file per lazily loaded part (code splitting).
// Start-up then reads a few files instead of hundreds of small modules: Ink and React alone are
// over a hundred, and loading them one by one was most of the time to the login screen.
import { isAscii } from 'node:buffer';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const inRoot = (file) => path.resolve(ROOT, file);

// `node scripts/bundle.mjs [entry outdir]`: the benchmarks bundle a bare Ink app the same way.
const [entryArg = 'src/cli/main.ts', outArg = 'dist/bundle'] = process.argv.slice(2);
const [ENTRY, OUT] = [inRoot(entryArg), inRoot(outArg)];
// The output directory is emptied first, so it must be one of the build's own.
if (![inRoot('dist'), inRoot('bench/.work')].some((dir) => OUT.startsWith(`${dir}${path.sep}`))) {
  console.error(`bundle: refusing to write to ${OUT}: only under dist/ or bench/.work/`);
  process.exit(2);
}

/**
 * Puts scripts/stand-ins/string-width-fast-path.mjs in front of each ES-module copy of string-width (Ink,
 * wrap-ansi and others bring their own versions), which then loads only when text needs it; older
 * CommonJS copies are left as they are.
 */
function stringWidthFastPath() {
  const NAMESPACE = 'string-width-fast-path';
  return {
    name: NAMESPACE,
    setup(build) {
      build.onResolve({ filter: /^string-width$/ }, async (args) => {
        if (args.pluginData === NAMESPACE) return undefined;
        const real = await build.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, pluginData: NAMESPACE });
        if (real.errors.length > 0) return real;
        const manifest = JSON.parse(fs.readFileSync(path.join(path.dirname(real.path), 'package.json'), 'utf8'));
        if (manifest.type !== 'module') return real;
        return { path: real.path, namespace: NAMESPACE };
      });
      build.onLoad({ filter: /.*/, namespace: NAMESPACE }, (args) => ({
        // require(), not import: esbuild then runs the real module only when it is first required.
        contents: [
          "import stripAnsi from 'strip-ansi';",
          `import { withFastPath } from ${JSON.stringify(inRoot('scripts/stand-ins/string-width-fast-path.mjs'))};`,
          `export default withFastPath(() => require(${JSON.stringify(args.path)}).default, stripAnsi);`,
        ].join('\n'),
        resolveDir: path.dirname(args.path),
        loader: 'js',
      }));
    },
  };
}

/**
 * Node's modules that the first frame does not use, put off by stand-ins (scripts/stand-ins/),
 * each only in the files named by `importer` (a path from the repository's root).
 */
const DEFERRED_BUILTINS = [
  { name: /^node:crypto$/, importer: /^src\//, standIn: 'scripts/stand-ins/deferred-crypto.mjs' },
  { name: /^(node:)?cluster$/, importer: /(^|\/)node_modules\/log4js\//, standIn: 'scripts/stand-ins/no-cluster-workers.cjs' },
  { name: /^(node:)?assert$/, importer: /(^|\/)node_modules\/signal-exit\//, standIn: 'scripts/stand-ins/deferred-assert.mjs' },
];

function deferredBuiltins() {
  return {
    name: 'deferred-builtins',
    setup(build) {
      build.onResolve({ filter: /^(node:)?(crypto|cluster|assert)$/ }, (args) => {
        const importer = path.relative(ROOT, args.importer).split(path.sep).join('/');
        const rule = DEFERRED_BUILTINS.find((r) => r.name.test(args.path) && r.importer.test(importer));
        return rule ? { path: inRoot(rule.standIn) } : undefined;
      });
    },
  };
}

/**
 * Gives the base64 of Yoga's inline WebAssembly a name, YOGA_WASM_BASE64, exported beside the
 * loader, for scripts/stand-ins/yoga-at-once.mjs to decode; the loader keeps the same text.
 */
function yogaWasmBase64() {
  const DATA_URI = /H="data:application\/octet-stream;base64,([A-Za-z0-9+/=]+)"/;
  return {
    name: 'yoga-wasm-base64',
    setup(build) {
      build.onLoad({ filter: /[\\/]yoga-layout[\\/]dist[\\/]binaries[\\/]yoga-wasm-base64-esm\.js$/ }, (args) => {
        const contents = fs.readFileSync(args.path, 'utf8');
        const base64 = DATA_URI.exec(contents)?.[1];
        if (!base64) throw new Error('yoga-layout\'s loader changed: no inline WebAssembly (H="data:...") to name');
        return {
          contents: `${contents.replace(DATA_URI, 'H="data:application/octet-stream;base64,"+YOGA_WASM_BASE64')}\nexport const YOGA_WASM_BASE64 = "${base64}";\n`,
          loader: 'js',
        };
      });
    },
  };
}

/** Rewrites Ink's two top-level awaits (both only for React DevTools) for a CommonJS script. */
function inkWithoutTopLevelAwait() {
  const edits = [
    ["await import('./devtools.js');", 'void 0;'],
    ['? await loadPackageJson()', '? { name: undefined, version: undefined }'],
  ];
  return {
    name: 'ink-without-top-level-await',
    setup(build) {
      build.onLoad({ filter: /[\\/]ink[\\/]build[\\/]reconciler\.js$/ }, (args) => {
        let contents = fs.readFileSync(args.path, 'utf8');
        for (const [from, to] of edits) {
          if (!contents.includes(from)) throw new Error(`ink/build/reconciler.js changed: no ${JSON.stringify(from)} to rewrite`);
          contents = contents.replace(from, to);
        }
        return { contents, loader: 'js' };
      });
    },
  };
}

const shared = {
  absWorkingDir: ROOT,
  bundle: true,
  platform: 'node',
  target: 'node20',
  sourcemap: 'linked',
  // Smaller files parse sooner; names are kept, so stack traces in storyos_errors.log stay readable.
  minifyWhitespace: true,
  minifySyntax: true,
  // React and Ink run their production builds, as any shipped React app does. Intl.Segmenter is
  // scripts/stand-ins/grapheme-fast-path.mjs's, which makes the real one only for text that needs it.
  define: { 'process.env.NODE_ENV': '"production"', 'Intl.Segmenter': 'GraphemeSegmenter' },
  inject: [inRoot('scripts/stand-ins/grapheme-fast-path.mjs')],
  // Native addons, and the MongoDB driver (loaded only with a MongoDB URI), stay in node_modules.
  external: ['better-sqlite3', 'argon2', 'mongodb'],
  metafile: true,
  logLevel: 'warning',
};
const standIns = {
  'react-devtools-core': inRoot('scripts/stand-ins/no-devtools.mjs'),
  'yoga-layout': inRoot('scripts/stand-ins/yoga-at-once.mjs'),
  streamroller: inRoot('scripts/stand-ins/no-streamroller.mjs'),
};

fs.rmSync(OUT, { recursive: true, force: true });
const defaultBuild = process.argv.length <= 2;
const split = await build({
  ...shared,
  // The worker thread `storyos logs` searches with is an entry of its own (src/logging/reader/parallel.ts).
  entryPoints: defaultBuild ? [ENTRY, inRoot('src/logging/reader/grep-worker.ts')] : [ENTRY],
  outdir: OUT,
  entryNames: '[name]',
  splitting: true,
  format: 'esm',
  alias: standIns,
  // Bundled CommonJS dependencies call require() for Node's own modules.
  banner: { js: "import { createRequire as __storyosCreateRequire } from 'node:module'; const require = __storyosCreateRequire(import.meta.url);" },
  plugins: [stringWidthFastPath(), deferredBuiltins(), yogaWasmBase64()],
});
// Which sources went into which output file: the test of what each command loads reads it.
fs.writeFileSync(path.join(OUT, 'meta.json'), JSON.stringify(split.metafile));

// The same program as one CommonJS script, which bare `storyos` runs through V8's code cache
// (src/launch/start-game.ts): esbuild splits only ES modules, and only scripts take a code cache.
// Its launcher is CommonJS too (start-game.cjs), which bin/storyos.js requires: no ES module
// is compiled and linked on the way to the game.
if (defaultBuild) {
  const game = await build({
    ...shared,
    entryPoints: { 'storyos-game': ENTRY, 'start-game': inRoot('src/launch/start-game.ts') },
    outdir: OUT,
    outExtension: { '.js': '.cjs' },
    format: 'cjs',
    alias: standIns,
    define: { ...shared.define, 'import.meta.url': '__storyosModuleUrl' },
    banner: { js: "const __storyosModuleUrl = require('node:url').pathToFileURL(__filename).href;" },
    plugins: [stringWidthFastPath(), deferredBuiltins(), yogaWasmBase64(), inkWithoutTopLevelAwait()],
    // import() of a package left out (argon2) becomes require(): a vm script cannot import.
    supported: { 'dynamic-import': false },
    // ASCII only: the launcher then reads it as Latin-1, ten times faster than decoding UTF-8.
    charset: 'ascii',
  });
  if (!isAscii(fs.readFileSync(path.join(OUT, 'storyos-game.cjs'))))
    throw new Error('storyos-game.cjs is not ASCII: escape the character in the source (a regular expression, most likely)');
  const imports = Object.values(game.metafile.outputs).flatMap((output) => output.imports);
  const dynamic = imports.filter((imported) => imported.kind === 'dynamic-import').map((imported) => imported.path);
  if (dynamic.length > 0) throw new Error(`storyos-game.cjs would import() ${dynamic.join(', ')}, which a vm script cannot`);
}
