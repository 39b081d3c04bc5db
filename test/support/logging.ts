import fs from 'node:fs';
import path from 'node:path';
import { afterEach } from 'vitest';
import { parseConfig, type Config } from '../../src/config/env.js';
import { configureLogging, shutdownLogging } from '../../src/logging/setup.js';

afterEach(async () => {
  await shutdownLogging();
});

/** Configures the real logging into `dir` with the given environment overrides. */
export function logInto(dir: string, env: Record<string, string> = {}, secrets: string[] = []): Config {
  const config = parseConfig({ STORYOS_LOG_DIR: dir, ...env }, dir);
  configureLogging(config, { console: 'off', colour: false, secrets });
  return config;
}

export function readLog(dir: string, name = 'storyos.log'): string {
  const file = path.join(dir, name);
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
}

export function linesOf(text: string): string[] {
  return text.split('\n').filter(Boolean);
}

export const HEADER = /^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}\] \[(DEBUG|INFO|PERF|WARN|ERROR|FATAL)\] \[[a-z_]+\] /;
