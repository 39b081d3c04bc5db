import { escapeControl, escapeKey, valueAsWritten } from './escape.js';
import { isSecretKey, redactText, REDACTED } from './redact.js';

export type ContextValue = string | number | boolean | null | undefined | Date | readonly unknown[] | object;
export type LogContext = Record<string, ContextValue>;

export interface LogRecord {
  time: Date;
  level: string;
  category: string;
  message: string;
  context?: LogContext | undefined;
  error?: unknown;
}

const pad2 = (n: number) => (n < 10 ? `0${n}` : String(n));
const pad3 = (n: number) => (n < 10 ? `00${n}` : n < 100 ? `0${n}` : String(n));

/** `2024-01-15 10:30:15,123` in local time. */
export function formatTimestamp(d: Date): string {
  return `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())} ${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())},${pad3(d.getMilliseconds())}`;
}

/** Seconds with two decimals and an `s`, so `grep "duration: [2-9]\."` finds slow operations. */
export function formatDuration(ms: number): string {
  return `${(ms / 1000).toFixed(2)}s`;
}

/** One-line, secret-free rendering of any value. */
export function safeText(value: unknown): string {
  return escapeControl(redactText(typeof value === 'string' ? value : stringify(value)));
}

function stringify(value: unknown): string {
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Error) return `${value.name}: ${value.message}`;
  if (typeof value === 'object' && value !== null) {
    try {
      return JSON.stringify(value, (key, v) => (key && isSecretKey(key) ? REDACTED : v));
    } catch {
      return String(value);
    }
  }
  return String(value);
}

/**
 * ` (key: value, …)`, each key and value escaped (escapeKey, escapeValue) so that no text inside
 * them can close the context or make a field. A message that ends with `)` and has no context gets
 * an empty ` ()`, so that the reader never takes a parenthesised end of free text for a context.
 */
export function formatContext(context: LogContext | undefined, message = ''): string {
  const parts: string[] = [];
  if (context) {
    for (const [key, value] of Object.entries(context)) {
      if (value === undefined) continue;
      const shown = isSecretKey(key) ? REDACTED : redactText(typeof value === 'string' ? value : stringify(value));
      parts.push(`${escapeControl(escapeKey(key))}: ${valueAsWritten(shown)}`);
    }
  }
  if (parts.length) return ` (${parts.join(', ')})`;
  return message.endsWith(')') ? ' ()' : '';
}

/** Stack lines indented so that only the header line of an entry starts with `[`. */
export function formatStack(error: unknown): string {
  if (!(error instanceof Error) || !error.stack) return '';
  const lines = redactText(error.stack).split(/\r?\n/);
  let out = '';
  for (const line of lines) if (line.trim()) out += `    ${escapeControl(line.trim())}\n`;
  return out;
}

export function formatRecord(record: LogRecord): string {
  const message = safeText(record.message);
  const header = `[${formatTimestamp(record.time)}] [${record.level}] [${escapeControl(record.category)}] ${message}${formatContext(record.context, message)}`;
  return `${header}\n${formatStack(record.error)}`;
}
