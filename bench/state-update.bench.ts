import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { runCli } from '../test/support/cli.js';
import { FakeLlmServer, type Script } from '../test/support/fake-llm-server.js';
import { verdict } from './support.js';

const TURNS = 20;

/** Runs 20 headless turns of a new game in a fresh folder; its wall time in ms. */
async function headlessTurns(root: string, label: string, summary: () => Script): Promise<number> {
  const dir = path.join(root, `state-update-${label}`);
  fs.mkdirSync(dir, { recursive: true });
  runCli(['users', 'add', 'bench', '--password-stdin'], { cwd: dir, input: 'password123\n' });
  const server = await new FakeLlmServer().start();
  server.answerByDefault({ stream: () => ({ kind: 'stream', chunks: ['The storm ', 'answers.'] }), json: summary });
  try {
    const env = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      XAI_API_KEY: 'bench-key-123456',
      STORYOS_LLM_BASE_URL: server.url,
      STORYOS_PASSWORD: 'password123',
    };
    const input = `${Array.from({ length: TURNS }, (_, i) => `I try door ${i + 1}.`).join('\n')}\n`;
    const started = performance.now();
    await new Promise<void>((resolve, reject) => {
      const child = spawn(process.execPath, ['bin/storyos.js', 'play', '--headless', '--user', 'bench', '--new', 'the-lighthouse-at-gull-point'], {
        cwd: process.cwd(),
        env: { ...env, STORYOS_DATA_DIR: path.join(dir, 'data'), STORYOS_LOG_DIR: path.join(dir, 'logs') },
        stdio: ['pipe', 'ignore', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.stdin.end(input);
      child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`headless ${label} exited ${code}: ${stderr}`))));
    });
    return performance.now() - started;
  } finally {
    await server.stop();
  }
}

/** Issue 11: a summary model that always answers invalid JSON, or slowly, does not keep the player waiting. */
export async function runStateUpdateBench(root: string): Promise<void> {
  console.log(`\n## story-state update — ${TURNS} headless turns (fake narrator answering at once)`);
  const good = await headlessTurns(root, 'good', () => ({
    kind: 'json',
    content: JSON.stringify({
      event_title: 'A turn',
      event_summary: 'Doors.',
      involved_characters: [],
      character_updates: [],
      world_state: 'Storm.',
      last_scene: 'A door.',
      location: 'Hall',
      synopsis: 'Doors were tried.',
    }),
  }));
  const invalid = await headlessTurns(root, 'invalid', () => ({ kind: 'json', content: '{"not": "a state"}' }));
  const slow = await headlessTurns(root, 'slow', () => ({ kind: 'json', content: '{"not": "a state"}', delayMs: 5000 }));
  const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  console.log(`good summary model    ${s(good)}`);
  console.log(`invalid JSON always   ${s(invalid)} (+${s(invalid - good)}; target ≤ +2 s: ${verdict(invalid - good <= 2000)})`);
  console.log(`answers after 5 s     ${s(slow)} (+${s(slow - good)}; each turn waits at most 1 s for the update before it)`);
}
