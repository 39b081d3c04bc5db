// Stands in for yoga-layout's entry point in the bundle: Yoga started before this module's
// importers run, with no `await` (scripts/stand-ins/yoga-start.mjs). yoga-layout waits for
// Emscripten's loader, which decodes the inline WebAssembly with atob and a loop of its own
// (~3 ms), and would read it through fetch() wherever fetch exists (loading undici, ~30 ms); and
// the code-cached game script, being CommonJS, cannot wait at its top level. The bundle's build
// gives the loader's inline base64 a name, YOGA_WASM_BASE64 (scripts/bundle.mjs), for Buffer to decode.
import loadYoga, { YOGA_WASM_BASE64 } from '../../node_modules/yoga-layout/dist/binaries/yoga-wasm-base64-esm.js';
import { startYoga } from './yoga-start.mjs';

const Yoga = startYoga(loadYoga, Buffer.from(YOGA_WASM_BASE64, 'base64'));
export default Yoga;
export * from '../../node_modules/yoga-layout/dist/src/generated/YGEnums.js';
