// Stands in for yoga-layout's entry point in the bundle. Yoga's Emscripten loader reads its inline
// WebAssembly through fetch() whenever fetch exists, and Node's first fetch() loads undici: about
// 30 ms before Ink can draw anything. Without fetch the loader decodes the same inline bytes
// itself, so fetch is hidden for that one synchronous call.
import loadYogaImpl from '../../node_modules/yoga-layout/dist/binaries/yoga-wasm-base64-esm.js';
import wrapAssembly from '../../node_modules/yoga-layout/dist/src/wrapAssembly.js';

function loadWithoutFetch() {
  const { fetch } = globalThis;
  globalThis.fetch = undefined;
  try {
    return loadYogaImpl();
  } finally {
    globalThis.fetch = fetch;
  }
}

const Yoga = wrapAssembly(await loadWithoutFetch());
export default Yoga;
export * from '../../node_modules/yoga-layout/dist/src/generated/YGEnums.js';
