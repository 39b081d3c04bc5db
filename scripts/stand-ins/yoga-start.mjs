// Starts Yoga at once for scripts/stand-ins/yoga-at-once.mjs: Emscripten's loader is handed the
// compiled WebAssembly through its instantiateWasm hook, which it calls before it returns, and
// then runs Yoga's start-up before it returns too; its promise is left unused.
import wrapAssembly from '../../node_modules/yoga-layout/dist/src/wrapAssembly.js';

/** Yoga's API, from its Emscripten loader (`loadYoga`) and its WebAssembly. */
export function startYoga(loadYoga, wasmBytes) {
  const wasm = new WebAssembly.Module(wasmBytes);
  const yoga = {
    instantiateWasm(imports, receiveInstance) {
      receiveInstance(new WebAssembly.Instance(wasm, imports));
      return {};
    },
  };
  loadYoga(yoga);
  if (!yoga.calledRun) throw new Error('Yoga did not start: its WebAssembly could not be instantiated.');
  return wrapAssembly(yoga);
}
