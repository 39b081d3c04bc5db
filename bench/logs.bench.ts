import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { formatTimestamp } from '../src/logging/format.js';
import { MAIN_LOG, listLogSet } from '../src/logging/log-files.js';
import { buildFilter } from '../src/logging/reader/filter.js';
import { searchFiles } from '../src/logging/reader/search.js';
import { generateLogs } from './generate-logs.js';
import { mbps, ms, timeCommand, timeInProcess, verdict } from './support.js';

const GiB = 1024 ** 3;
const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** The minute prefixes (`[2024-01-15 10:30`) that cover the last ten minutes, for GNU grep. */
function minutePrefixes(sinceMs: number, untilMs: number): string[] {
  const prefixes = new Set<string>();
  for (let t = sinceMs; t <= untilMs + 60_000; t += 60_000) prefixes.add(`[${formatTimestamp(new Date(t)).slice(0, 16)}`);
  return [...prefixes];
}

export function runLogsBench(root: string): void {
  const totalBytes = Math.round(Number(process.env.STORYOS_BENCH_LOG_GIB ?? '1') * GiB);
  const dir = path.join(root, 'logs');
  console.log(`\n## storyos logs — ${(totalBytes / GiB).toFixed(2)} GiB of generated logs`);
  const started = performance.now();
  const generated = generateLogs(dir, totalBytes, 10 * 1024 * 1024);
  console.log(`generated ${generated.files.length} files, ${generated.entries} entries (${generated.perfEntries} PERF) in ${ms(performance.now() - started)}`);

  const files = listLogSet(dir, MAIN_LOG)
    .map((f) => quote(f.path))
    .join(' ');
  const storyos = `node ${quote(path.resolve('bin/storyos.js'))}`;
  timeCommand(`cat ${files} > /dev/null`, 1);

  const gnuPerf = timeCommand(`grep -h -F '] [PERF] [' ${files} | wc -c`);
  const oursPerf = timeCommand(`${storyos} logs grep --level PERF --dir ${quote(dir)} | wc -c`);
  const same = gnuPerf.output === oursPerf.output;
  const ratio = gnuPerf.medianMs / oursPerf.medianMs;
  console.log(`grep -F '] [PERF] ['          ${ms(gnuPerf.medianMs).padStart(10)}  ${mbps(generated.bytes, gnuPerf.medianMs)}  (${gnuPerf.output} bytes out)`);
  console.log(
    `storyos logs grep --level PERF ${ms(oursPerf.medianMs).padStart(10)}  ${mbps(generated.bytes, oursPerf.medianMs)}  (${oursPerf.output} bytes out${same ? ', identical size' : ', SIZE DIFFERS'})`,
  );
  console.log(`throughput ratio storyos/grep: ${ratio.toFixed(2)} (target ≥ 0.50: ${verdict(ratio >= 0.5 && same)})`);

  const now = Date.now();
  const prefixFile = path.join(root, 'minutes.txt');
  fs.writeFileSync(prefixFile, `${minutePrefixes(now - 600_000, now).join('\n')}\n`);
  const gnuSince = timeCommand(`grep -h -F -f ${quote(prefixFile)} ${files} | wc -l`);
  const oursSince = timeCommand(`${storyos} logs grep --since 10m --dir ${quote(dir)} | wc -l`);
  const nodeStart = timeCommand('node -e 0', 9);
  const sinceRatio = gnuSince.medianMs / oursSince.medianMs;
  console.log(`grep over the whole set (last 10 minutes' prefixes)  ${ms(gnuSince.medianMs).padStart(10)}`);
  console.log(`storyos logs grep --since 10m (whole process)        ${ms(oursSince.medianMs).padStart(10)}  (node -e 0 alone: ${ms(nodeStart.medianMs)})`);
  const inProcess = timeInProcess(() => {
    const filter = buildFilter({ since: Date.now() - 600_000 });
    searchFiles(listLogSet(dir, MAIN_LOG), filter, () => {});
  }, 9);
  const inProcessRatio = gnuSince.medianMs / inProcess;
  console.log(`storyos --since 10m search alone (in process)        ${ms(inProcess).padStart(10)}`);
  console.log(
    `ratio grep/storyos, whole process: ${sinceRatio.toFixed(1)}x; search alone: ${inProcessRatio.toFixed(1)}x (target ≥ 20x: ${verdict(sinceRatio >= 20)} end to end, ${verdict(inProcessRatio >= 20)} for the search)`,
  );

  const version = timeCommand(`${storyos} --version`, 15);
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
