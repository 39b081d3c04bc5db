const cell = new Int32Array(new SharedArrayBuffer(4));

/** Blocks the thread for `ms`: for the few waits that must stay synchronous (a lock, a full pipe). */
export function sleepSync(ms: number): void {
  Atomics.wait(cell, 0, 0, ms);
}
