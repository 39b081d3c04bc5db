// Stands in for node:assert in signal-exit (Ink's and restore-cursor's copies), which asserts only
// that an exit handler is a function: node:assert (about 2 ms to load) loads only to fail one.
export function equal(actual, expected, message) {
  // biome-ignore lint/suspicious/noDoubleEquals: assert.equal's own comparison
  if (actual != expected) process.getBuiltinModule('node:assert').equal(actual, expected, message);
}
