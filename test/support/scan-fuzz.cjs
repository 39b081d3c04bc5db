// Feeds stats' native scanner (the module at argv[2]) log-like text of every shape, torn lines and
// chunks cut anywhere, from any offset, for argv[3] rounds; prints how many records it wrote. Run
// under AddressSanitizer by test/logging/reader/native-scan-asan.test.ts: a read past a chunk's
// end is reported there. Each chunk is a buffer of its own exact size (allocUnsafeSlow), so that
// such a read leaves it.
const scanner = require(process.argv[2]);
const rounds = Number(process.argv[3] ?? 30000);
let seed = 7;
// xorshift32: a plain multiply would run past 2^53 and lose the low bits.
const rnd = (n) => {
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return (seed >>> 0) % n;
};
const pick = (list) => list[rnd(list.length)];
const levels = ['INFO', 'PERF', 'WARNING', 'DEBUG', 'ERROR', 'CRITICAL', 'NOTE', ''];
const modules = ['db_utils', 'llm_utils', '', 'auth', 'x]y'];
const messages = ['API call: x', 'API call: ', 'Database query executed: ', 'Database query executed: save', 'User action: go', 'x', '', 'a (b) c'];
const keys = [
  'user_id',
  'session',
  'session_id',
  'finish_reason',
  'duration',
  'model',
  'status',
  'retries',
  'tokens_in',
  'created_by',
  'rows',
  'ttft',
  'operation',
  'kind',
  'attempt',
  'x'.repeat(20),
];
const values = ['alice', 's1', '1.20s', '200', '12', '', 'é', 'a\\, b', '(x', 'x)', '1e3', '123456789012345678', 'grok'];
function line() {
  // Short contexts and none half the time: a line naming no user or session is searched to its end.
  const fields = rnd(4) === 0 ? rnd(70) : rnd(4);
  const context = rnd(2) === 0 ? '' : ` (${Array.from({ length: fields }, () => `${pick(keys)}: ${pick(values)}`).join(', ')})`;
  const text = `[2024-01-15 1${rnd(10)}:${10 + rnd(50)}:00,${100 + rnd(900)}] [${pick(levels)}] [${pick(modules)}] ${pick(messages)}${context}`;
  return rnd(3) === 0 ? text.slice(0, rnd(text.length + 1)) : text;
}
// The layout scan.c reports (see its tables()): a record's ints and doubles, where the records start.
const [head, regions, floatRegions] = scanner
  .tables()
  .split('|')
  .slice(2)
  .map((part) => part.split(',').map(Number));
const [, recordInts, recordFloats] = head;
// Room for a hundred records or so: the scan stops now and then because they are full.
const ints = new Int32Array(regions[5] + 95 * recordInts);
const floats = new Float64Array(floatRegions[2] + 95 * recordFloats);
let records = 0;
for (let round = 0; round < rounds; round++) {
  let text = Array.from({ length: 1 + rnd(6) }, line).join(pick(['\n', '\n', '\n', '', '\n  at x\n']));
  // Now and then a last line the scanner searches to its very end for a user or session.
  if (rnd(8) === 0) text += `\n[2024-01-15 10:00:00,000] [${pick(['INFO', 'DEBUG'])}] [auth] ${'x'.repeat(rnd(40))}`;
  if (rnd(2)) text += '\n';
  const source = Buffer.from(text);
  const length = rnd(3) === 0 ? rnd(source.length + 1) : source.length;
  const chunk = Buffer.allocUnsafeSlow(length);
  source.copy(chunk, 0, 0, length);
  let start = rnd(4) === 0 ? rnd(Math.max(1, length)) : 0;
  for (let guard = 0; guard < 100 && start < length; guard++) {
    // Three collectors in turn: each is given each hour's players and games once.
    scanner.scan(chunk, start, ints, floats, 1 + (round % 3));
    records += ints[2];
    if (ints[1] === 1) {
      const newline = chunk.indexOf(10, ints[0]);
      start = newline === -1 ? length : newline + 1;
    } else start = ints[0];
  }
}
console.log(`records ${records}`);
