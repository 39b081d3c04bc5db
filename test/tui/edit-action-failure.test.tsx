import { afterEach, beforeEach, expect, it } from 'vitest';
import { OpenAiLlm } from '../../src/llm/openai-client.js';
import { FakeLlmServer } from '../support/fake-llm-server.js';
import { until } from '../support/wait.js';
import { atLoginScreen, inAGame, screenShows, type } from './harness.js';

const OPENING = 'Telling number 1 of the story.';
let server: FakeLlmServer;
let told = 0;
beforeEach(async () => {
  told = 0;
  server = await new FakeLlmServer().start();
  server.answerByDefault({ stream: () => ({ kind: 'stream', chunks: [`Telling number ${++told} `, 'of the story.'] }) });
  delete process.env.VISUAL;
  delete process.env.EDITOR;
});
afterEach(async () => {
  await server.stop();
});
const narrator = () =>
  new OpenAiLlm({ apiKey: 'xai-test-key', baseUrl: server.url, model: 'grok-test', timeoutS: 2, maxRetries: 0, backoff: { baseMs: 5, capMs: 20 } });

it('after a failed /edit action the screen shows the branch the game is on, and the next action follows it', async () => {
  const app = await atLoginScreen({ llm: narrator() });
  await inAGame(app);
  await type(app.stdin, 'I open the door\r');
  await screenShows(app.lastFrame, 'Telling number 2 of the story.');
  server.script({ kind: 'status', status: 400 });
  await type(app.stdin, '/edit action I kick the door\r');
  // The edited action was saved beside the old one before it failed: the old turn is no longer shown.
  // The story as printed last (the test terminal keeps what was printed before a redraw above it).
  const lastPrinted = () => (app.lastFrame() ?? '').slice((app.lastFrame() ?? '').lastIndexOf(OPENING));
  const redrawn = () => !lastPrinted().includes('Telling number 2') && /│ I kick the door/.test(lastPrinted());
  if (!(await until(redrawn, 6000))) throw new Error(`not redrawn:\n${app.lastFrame()}`);
  await type(app.stdin, '\u0015', 'I look around\r');
  await screenShows(app.lastFrame, 'Telling number 3 of the story.');
  const story = lastPrinted();
  expect(story).toMatch(/Telling number 1 of the story\.[\s\S]*› I look around[\s\S]*Telling number 3 of the story\./);
  expect(story).not.toContain('Telling number 2');
  expect(story).not.toContain('I open the door');
});
