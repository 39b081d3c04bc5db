import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { formatTimestamp } from '../src/logging/format.js';
import { MAIN_LOG, listLogSet } from '../src/logging/log-files.js';
import { buildFilter } from '../src/logging/reader/filter.js';
import { searchFiles } from '../src/logging/reader/search.js';
import { generateLogs } from './generate-logs.js';
import { hasCommand, mbps, ms, timeCommand, timeInProcess, verdict } from './support.js';

const GiB = 1024 ** 3;
const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** The minute prefixes (`[2024-01-15 10:30`) from `sinceMs`'s minute to the minute after `untilMs`, for GNU grep. */
function minutePrefixes(sinceMs: number, untilMs: number): string[] {
  const prefixes = new Set<string>();
  for (let t = sinceMs; t <= untilMs + 60_000; t += 60_000) prefixes.add(`[${formatTimestamp(new Date(t)).slice(0, 16)}`);
  return [...prefixes];
}

/** What a run printed, reduced to what can be compared across tools. */
interface Digest {
  /** Lines starting with `[`: the entries' header lines (continuation lines start with spaces). */
  headers: number;
  /** sha256 of those header lines, in order. */
  sha: string;
  /** The number the run printed, for `stats` and `grep -c`. */
  count?: number;
}

/** Runs a shell command once and digests its stdout. Not timed: it doubles as the warm-up run. */
function digest(command: string, reduce: (stdout: string) => Partial<Digest> = () => ({})): Digest {
  const result = spawnSync('sh', ['-c', command], { encoding: 'utf8', maxBuffer: 1 << 30 });
  if (result.status !== 0 && result.status !== 1) throw new Error(`${command} failed (${result.status}): ${result.stderr}`);
  const lines = result.stdout.split('\n').filter((line) => line.startsWith('['));
  const sha = createHash('sha256')
    .update(lines.map((line) => `${line}\n`).join(''))
    .digest('hex');
  return { headers: lines.length, sha, ...reduce(result.stdout) };
}

/** Median wall time of a shell command over `runs` runs, with no warm-up of its own (the digest run was it). */
function median(command: string, runs: number): number {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    const result = spawnSync('sh', ['-c', command], { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
    times.push(performance.now() - started);
    if (result.status !== 0 && result.status !== 1) throw new Error(`${command} failed (${result.status}): ${result.stderr}`);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] as number;
}

const sumOfCounts = (stdout: string): Partial<Digest> => ({ count: stdout.split('\n').reduce((sum, line) => sum + (Number(line) || 0), 0) });
/** `stats --json`: the PERF entries are counted per operation (every generated PERF line is `<operation> completed (duration: …)`). */
const statsPerfCount = (stdout: string): Partial<Digest> => ({
  count: (JSON.parse(stdout) as { operations: { count: number }[] }).operations.reduce((sum, op) => sum + op.count, 0),
});

interface Query {
  /** The storyos arguments after `storyos logs`, as the row's name. */
  name: string;
  storyos: string;
  /** Environment for storyos's run (`NAME=value …`). */
  env?: string | undefined;
  /** GNU grep's nearest equivalent, with FILES standing for the log set, oldest first; the same for rg (undefined: none). */
  grep: string;
  rg?: string | undefined;
  /** How outputs are compared: header lines (count and sha256), the printed count, or the last 20 header lines. */
  check: 'headers' | 'count' | 'tail';
  /** For `--since`: the command whose output is compared with grep's (the timed one moves with the clock). */
  storyosCheck?: string;
  /** For `tail`: what grep's side is compared with. */
  grepCheck?: string;
  reduce?: (stdout: string) => Partial<Digest>;
  reduceTools?: (stdout: string) => Partial<Digest>;
}

/** `stats` timed against `grep -c` of the PERF lines, in the environment given. */
const statsQuery = (name: string, env?: string): Query => ({
  name,
  storyos: 'stats --json',
  env,
  grep: `grep -c -h -F '] [PERF] ['`,
  rg: `rg -c --no-filename -F '] [PERF] ['`,
  check: 'count',
  reduce: statsPerfCount,
  reduceTools: sumOfCounts,
});

interface Row {
  query: Query;
  storyosMs: number;
  grepMs: number;
  rgMs: number | undefined;
  check: string;
  agree: boolean;
}

export function runLogsBench(root: string): void {
  const totalBytes = Math.round(Number(process.env.STORYOS_BENCH_LOG_GIB ?? '1') * GiB);
  // 3 timed runs on 1 GiB keep this part near five minutes on 2 cores; smaller sets get 5.
  const runs = Number(process.env.STORYOS_BENCH_RUNS ?? (totalBytes > 0.5 * GiB ? 3 : 5));
  const dir = path.join(root, 'logs');
  console.log(`\n## storyos logs — ${(totalBytes / GiB).toFixed(2)} GiB of generated logs`);
  const started = performance.now();
  const generated = generateLogs(dir, totalBytes, 10 * 1024 * 1024);
  console.log(`generated ${generated.files.length} files, ${generated.entries} entries (${generated.perfEntries} PERF) in ${ms(performance.now() - started)}`);

  // The same files for every tool, oldest first (storyos.log.N … storyos.log.1, storyos.log), as storyos reads them.
  const files = listLogSet(dir, MAIN_LOG)
    .map((f) => quote(f.path))
    .join(' ');
  const storyos = `node ${quote(path.resolve('bin/storyos.js'))}`;
  const rg = hasCommand('rg');
  timeCommand(`cat ${files} > /dev/null`, 1); // page cache warmed for everyone

  // A session that exists: the one of the newest PERF entry.
  const newest = fs.readFileSync(path.join(dir, MAIN_LOG), 'utf8');
  const session = /\] \[PERF\] \[.*session: (s[0-9a-f]+)/.exec(newest.slice(newest.lastIndexOf('] [PERF] [') - 30))?.[1] ?? 's000001';

  // --since 10m: storyos finds the time in each file by bisection; grep has to read the whole set for the
  // minute prefixes of the window (the nearest a line tool gets). Its window starts at the minute's start,
  // so the agreement check asks storyos for that same minute (`--since "YYYY-MM-DD HH:MM"`).
  const now = Date.now();
  const prefixes = minutePrefixes(now - 600_000, now);
  const prefixFile = path.join(root, 'minutes.txt');
  fs.writeFileSync(prefixFile, `${prefixes.join('\n')}\n`);
  const sinceMinute = (prefixes[0] as string).slice(1);

  const queries: Query[] = [
    // A level is written `] [PERF] [` between the timestamp and the module: a fixed string, grep's fastest path.
    { name: '--level PERF', storyos: 'grep --level PERF', grep: `grep -h -F '] [PERF] ['`, rg: `rg -N --no-filename -F '] [PERF] ['`, check: 'headers' },
    // Level and module are adjacent in the header, so one fixed string says both.
    {
      name: '--level ERROR --module db_utils',
      storyos: 'grep --level ERROR --module db_utils',
      grep: `grep -h -F '] [ERROR] [db_utils] '`,
      rg: `rg -N --no-filename -F '] [ERROR] [db_utils] '`,
      check: 'headers',
    },
    // WARN and above, with the aliases storyos accepts as levels (WARNING, CRITICAL).
    {
      name: '--min-level WARN',
      storyos: 'grep --min-level WARN',
      grep: `grep -h -E '\\] \\[(WARN|WARNING|ERROR|FATAL|CRITICAL)\\] \\['`,
      rg: `rg -N --no-filename -e '\\] \\[(WARN|WARNING|ERROR|FATAL|CRITICAL)\\] \\['`,
      check: 'headers',
    },
    // The user_id field, ended by `,` or `)`, case-insensitive as storyos's user match is.
    {
      name: '--user alice',
      storyos: 'grep --user alice',
      grep: `grep -h -i -E 'user_id: alice[,)]'`,
      rg: `rg -N --no-filename -i -e 'user_id: alice[,)]'`,
      check: 'headers',
    },
    // Session ids are all `s` + six hex digits, so the fixed string cannot match a longer id.
    {
      name: `--session ${session}`,
      storyos: `grep --session ${session}`,
      grep: `grep -h -F 'session: ${session}'`,
      rg: `rg -N --no-filename -F 'session: ${session}'`,
      check: 'headers',
    },
    // Durations are written with two decimals (`duration: 2.00s`); this regex is "more than 2.00 s".
    {
      name: '--slower-than 2s',
      storyos: 'grep --slower-than 2s',
      grep: `grep -h -E 'duration: (2\\.(0[1-9]|[1-9][0-9])|[3-9]\\.[0-9]{2}|[1-9][0-9]+\\.[0-9]{2})s'`,
      rg: `rg -N --no-filename -e 'duration: (2\\.(0[1-9]|[1-9][0-9])|[3-9]\\.[0-9]{2}|[1-9][0-9]+\\.[0-9]{2})s'`,
      check: 'headers',
    },
    // The same regular expression for all three.
    {
      name: `'duration: [2-9]\\.'`,
      storyos: `grep 'duration: [2-9]\\.'`,
      grep: `grep -h 'duration: [2-9]\\.'`,
      rg: `rg -N --no-filename -e 'duration: [2-9]\\.'`,
      check: 'headers',
    },
    // The same fixed string; grep also prints the stack-trace line `Error: connection reset` of each entry,
    // which the header-line comparison leaves out on both sides.
    {
      name: `-i -F 'connection reset'`,
      storyos: `grep -i -F 'connection reset'`,
      grep: `grep -h -i -F 'connection reset'`,
      rg: `rg -N --no-filename -i -F 'connection reset'`,
      check: 'headers',
    },
    {
      name: '--since 10m',
      storyos: 'grep --since 10m',
      storyosCheck: `grep --since ${quote(sinceMinute)}`,
      grep: `grep -h -F -f ${quote(prefixFile)}`,
      rg: `rg -N --no-filename -F -f ${quote(prefixFile)}`,
      check: 'headers',
    },
    // stats reads every entry; grep -c of the PERF lines is the cheapest full read that counts something
    // (it prints a count per file: the bench adds them up).
    statsQuery('stats'),
    // The same without the native scanner (as where it could not be built): JavaScript reads every entry.
    statsQuery('stats (JavaScript only)', 'STORYOS_NATIVE_SCAN=0'),
    // tail reads the end of the newest file. Its 20 lines may hold fewer than 20 entries (stack traces), so
    // the check compares storyos's 20 headers with the last 20 header lines of the file's last 200 lines.
    {
      name: 'tail -n 20',
      storyos: 'tail -n 20',
      grep: `tail -n 20 ${quote(path.join(dir, MAIN_LOG))}`,
      grepCheck: `tail -n 200 ${quote(path.join(dir, MAIN_LOG))} | grep '^\\[' | tail -n 20`,
      check: 'tail',
    },
  ];

  const withFiles = (command: string) => (command.startsWith('tail ') ? command : `${command} ${files}`);
  const ours = (args: string, env?: string) => `${env ? `env ${env} ` : ''}${storyos} logs ${args} --dir ${quote(dir)}`;
  // Every tool's output goes into the same consumer: a pipe (GNU grep stops at the first match when its
  // output is /dev/null).
  const timed = (command: string) => `${command} | wc -c`;

  const rows = new Map<Query, Row>();
  // --since first, while the generated logs' last ten minutes are still (nearly) the clock's last ten.
  const since = queries.find((query) => query.name === '--since 10m') as Query;
  for (const query of [since, ...queries.filter((query) => query !== since)]) {
    const s = digest(ours(query.storyosCheck ?? query.storyos, query.env), query.reduce);
    const sMs = median(timed(ours(query.storyos, query.env)), runs);
    const g = digest(query.grepCheck ?? withFiles(query.grep), query.reduceTools);
    const gMs = median(timed(withFiles(query.grep)), runs);
    let r: Digest | undefined;
    let rMs: number | undefined;
    if (rg && query.rg) {
      // -j1 for the check only: with threads, rg prints the files in the order it finishes them.
      r = digest(withFiles(query.rg.replace(/^rg /, 'rg -j1 ')), query.reduceTools);
      rMs = median(timed(withFiles(query.rg)), runs);
    }
    const same = (a: Digest, b: Digest) => (query.check === 'count' ? a.count === b.count : a.headers === b.headers && a.sha === b.sha);
    const agree = same(s, g) && (r === undefined || same(s, r));
    const figure = (d: Digest) => String(query.check === 'count' ? d.count : d.headers);
    const check = agree
      ? `agree (${figure(s)}${query.check === 'count' ? ' PERF' : ''})`
      : `DIFFER (storyos ${figure(s)}, grep ${figure(g)}${r ? `, rg ${figure(r)}` : ''})`;
    rows.set(query, { query, storyosMs: sMs, grepMs: gMs, rgMs: rMs, check, agree });
  }

  const nodeStart = timeCommand('node -e 0', 9);
  const version = timeCommand(`${storyos} --version`, 15);

  const verdictOf = (row: Row): string => {
    const ratio = row.grepMs / row.storyosMs;
    const stretch = row.rgMs === undefined ? '' : row.rgMs / row.storyosMs >= 0.5 ? ', stretch met' : ', stretch missed';
    if (!row.agree) return 'TARGET MISSED (outputs differ)';
    if (row.query.name.startsWith('stats'))
      return `${verdict(row.storyosMs <= 2 * row.grepMs)} (≤ 2× grep -c: ${(row.storyosMs / row.grepMs).toFixed(2)}×)${stretch}`;
    if (row.query.name === '--since 10m') {
      const vs = row.storyosMs / version.medianMs;
      return `${verdict(ratio >= 1 && vs <= 2)} (≥ 1.0; ≤ 2× --version: ${vs.toFixed(2)}×)${stretch}`;
    }
    // tail(1) answers in a few milliseconds, less than starting Node takes: storyos's tail is
    // judged as --since is, against its own start (`storyos --version`), and shown beside tail(1).
    if (row.query.name === 'tail -n 20') {
      const vs = row.storyosMs / version.medianMs;
      return `${verdict(vs <= 2)} (≤ 2× --version: ${vs.toFixed(2)}×; tail(1) is not a Node program)`;
    }
    return `${verdict(ratio >= 1)} (≥ 1.0)${stretch}`;
  };

  const table = [
    ['query', 'storyos ms', 'grep ms', 'rg ms', 'grep/storyos', 'rg/storyos', 'output check', 'target'],
    ...[...rows.values()]
      .sort((a, b) => queries.indexOf(a.query) - queries.indexOf(b.query))
      .map((row) => [
        row.query.name,
        row.storyosMs.toFixed(1),
        row.grepMs.toFixed(1),
        row.rgMs === undefined ? '-' : row.rgMs.toFixed(1),
        (row.grepMs / row.storyosMs).toFixed(2),
        row.rgMs === undefined ? '-' : (row.rgMs / row.storyosMs).toFixed(2),
        row.check,
        verdictOf(row),
      ]),
  ];
  const widths = table[0]?.map((_, i) => Math.max(...table.map((cells) => (cells[i] as string).length))) ?? [];
  const line = (cells: string[]) => `| ${cells.map((cell, i) => cell.padEnd(widths[i] as number)).join(' | ')} |`;
  console.log(
    `\n${runs} timed runs each (median), after one warm-up run that also checks the output; ${os.cpus().length} cores; every output piped into wc -c.`,
  );
  console.log(line(table[0] as string[]));
  console.log(line(widths.map((w) => '-'.repeat(w))));
  for (const cells of table.slice(1)) console.log(line(cells));
  const perf = rows.get(queries[0] as Query) as Row;
  console.log(
    `throughput on --level PERF: storyos ${mbps(generated.bytes, perf.storyosMs)}, grep ${mbps(generated.bytes, perf.grepMs)}${perf.rgMs ? `, rg ${mbps(generated.bytes, perf.rgMs)}` : ''}`,
  );

  console.log('\nThe commands, to rerun in sh (the files oldest first):');
  const set = listLogSet(dir, MAIN_LOG);
  const rotated = set.length - 1;
  const generatedNames = set.every((f, i) => f.name === (i === rotated ? MAIN_LOG : `${MAIN_LOG}.${rotated - i}`));
  // The generated set is storyos.log.N … storyos.log.1, storyos.log: a loop says it in one short line.
  const filesLine = generatedNames
    ? `FILES="$(for i in $(seq ${rotated} -1 1); do printf '%s ' ${quote(dir)}/${MAIN_LOG}.$i; done)"${quote(path.join(dir, MAIN_LOG))}`
    : `FILES=${quote(files.replace(/'/g, ''))}`;
  console.log(`  ${filesLine}`);
  for (const query of queries) {
    const row = rows.get(query) as Row;
    const shown = (command: string) => command.replace(files, '$FILES');
    console.log(`  ${row.query.name}`);
    console.log(`    storyos: ${shown(ours(row.query.storyos, row.query.env))}`);
    if (row.query.storyosCheck) console.log(`    storyos (output check): ${shown(ours(row.query.storyosCheck, row.query.env))}`);
    console.log(`    grep:    ${shown(withFiles(row.query.grep))}`);
    if (row.query.grepCheck) console.log(`    grep (output check): ${shown(row.query.grepCheck)}`);
    if (row.query.rg) console.log(`    rg:      ${shown(withFiles(row.query.rg))}${rg ? '' : '  (rg not installed)'}`);
  }

  const sinceRow = rows.get(since) as Row;
  const inProcess = timeInProcess(() => {
    const filter = buildFilter({ since: Date.now() - 600_000 });
    searchFiles(listLogSet(dir, MAIN_LOG), filter, () => {});
  }, 9);
  console.log(
    `\nstoryos --since 10m: whole process ${ms(sinceRow.storyosMs)}, the search alone (in process) ${ms(inProcess)}; grep over the whole set ${ms(sinceRow.grepMs)} (${(sinceRow.grepMs / inProcess).toFixed(0)}× the search alone)`,
  );
  const versionRatio = version.medianMs / nodeStart.medianMs;
  console.log(
    `storyos --version ${ms(version.medianMs)} vs node -e 0 ${ms(nodeStart.medianMs)}: ${versionRatio.toFixed(2)}x (target ≤ 1.5x: ${verdict(versionRatio <= 1.5)})`,
  );
  fs.rmSync(dir, { recursive: true, force: true });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'storyos-bench-'));
  runLogsBench(root);
  fs.rmSync(root, { recursive: true, force: true });
}
