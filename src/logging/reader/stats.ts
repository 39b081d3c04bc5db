import { renderTable } from '../../text/table.js';
import { normalizeLevel } from '../levels.js';
import type { LogFileInfo } from '../log-files.js';
import { parseBody, type LogEntry } from './entry.js';
import type { EntryFilter } from './filter.js';
import { searchFiles } from './search.js';
import { v2Operation } from './v2-format.js';

export interface OperationStats {
  operation: string;
  count: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

export interface ModuleStats {
  module: string;
  entries: number;
  warnings: number;
  errors: number;
}

export interface HistogramBucket {
  label: string;
  count: number;
}

export interface LogStats {
  entries: number;
  first: string | null;
  last: string | null;
  operations: OperationStats[];
  modules: ModuleStats[];
  histogram: HistogramBucket[];
}

/** Upper bounds in seconds of the duration histogram's buckets. */
const BUCKETS: Array<[number, string]> = [
  [0.01, '<10ms'],
  [0.05, '<50ms'],
  [0.1, '<100ms'],
  [0.25, '<250ms'],
  [0.5, '<500ms'],
  [1, '<1s'],
  [2, '<2s'],
  [5, '<5s'],
  [10, '<10s'],
  [Infinity, '≥10s'],
];

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] as number;
}

/** `process_player_input completed` → `process_player_input`. */
function operationName(message: string): string {
  return message.endsWith(' completed') ? message.slice(0, -' completed'.length) : message;
}

export class StatsCollector {
  private entries = 0;
  private first: string | null = null;
  private last: string | null = null;
  private durations = new Map<string, number[]>();
  private modules = new Map<string, ModuleStats>();

  add(entry: LogEntry): void {
    this.entries++;
    if (entry.time) {
      if (this.first === null || entry.time < this.first) this.first = entry.time;
      if (this.last === null || entry.time > this.last) this.last = entry.time;
    }
    const module = this.moduleStats(entry.module || '(unparsed)');
    module.entries++;
    // Python's WARNING and CRITICAL (v2's logs) count as WARN and FATAL.
    const level = normalizeLevel(entry.level);
    if (level === 'WARN') module.warnings++;
    else if (level === 'ERROR' || level === 'FATAL') module.errors++;
    else if (level === 'PERF') this.addDuration(entry);
  }

  result(): LogStats {
    const operations = [...this.durations].map(([operation, values]) => {
      const sorted = values.sort((a, b) => a - b);
      return {
        operation,
        count: sorted.length,
        p50: percentile(sorted, 50),
        p95: percentile(sorted, 95),
        p99: percentile(sorted, 99),
        max: sorted[sorted.length - 1] as number,
      };
    });
    operations.sort((a, b) => b.count - a.count || a.operation.localeCompare(b.operation));
    const modules = [...this.modules.values()].sort((a, b) => a.module.localeCompare(b.module));
    return { entries: this.entries, first: this.first, last: this.last, operations, modules, histogram: this.histogram() };
  }

  private moduleStats(module: string): ModuleStats {
    let stats = this.modules.get(module);
    if (!stats) {
      stats = { module, entries: 0, warnings: 0, errors: 0 };
      this.modules.set(module, stats);
    }
    return stats;
  }

  private addDuration(entry: LogEntry): void {
    const { message, context } = parseBody(entry.body);
    const seconds = Number.parseFloat(context.duration ?? '');
    if (Number.isNaN(seconds)) return;
    const operation = v2Operation(message, context) ?? operationName(message);
    let values = this.durations.get(operation);
    if (!values) {
      values = [];
      this.durations.set(operation, values);
    }
    values.push(seconds);
  }

  private histogram(): HistogramBucket[] {
    const counts = BUCKETS.map(([, label]) => ({ label, count: 0 }));
    for (const values of this.durations.values()) {
      for (const v of values) {
        const i = BUCKETS.findIndex(([bound]) => v < bound);
        (counts[i === -1 ? counts.length - 1 : i] as HistogramBucket).count++;
      }
    }
    return counts;
  }
}

export function collectStats(files: LogFileInfo[], filter: EntryFilter): LogStats {
  const collector = new StatsCollector();
  searchFiles(files, filter, (entry) => collector.add(entry));
  return collector.result();
}

const seconds = (v: number) => (Number.isNaN(v) ? '-' : `${v.toFixed(2)}s`);

/** Horizontal bars, scaled to the largest bucket. */
export function renderHistogram(buckets: HistogramBucket[], width = 40): string {
  const max = Math.max(1, ...buckets.map((b) => b.count));
  const labelWidth = Math.max(...buckets.map((b) => b.label.length));
  return buckets
    .map((b) => {
      const eighths = Math.round((b.count / max) * width * 8);
      const bar = '█'.repeat(Math.floor(eighths / 8)) + (eighths % 8 ? (' ▏▎▍▌▋▊▉'[eighths % 8] as string) : '');
      return `${b.label.padStart(labelWidth)} │${bar} ${b.count}`;
    })
    .join('\n');
}

export function renderStats(stats: LogStats): string {
  const parts: string[] = [`${stats.entries} entries${stats.first ? ` from ${stats.first} to ${stats.last}` : ''}`];
  if (stats.operations.length) {
    parts.push(
      'Operations (PERF)\n' +
        renderTable(
          ['operation', 'count', 'p50', 'p95', 'p99', 'max'],
          stats.operations.map((o) => [o.operation, String(o.count), seconds(o.p50), seconds(o.p95), seconds(o.p99), seconds(o.max)]),
        ),
    );
    parts.push(`Durations\n${renderHistogram(stats.histogram)}`);
  } else {
    parts.push('No PERF entries.');
  }
  parts.push(
    `Modules\n${renderTable(
      ['module', 'entries', 'warnings', 'errors'],
      stats.modules.map((m) => [m.module, String(m.entries), String(m.warnings), String(m.errors)]),
    )}`,
  );
  return `${parts.join('\n\n')}\n`;
}
