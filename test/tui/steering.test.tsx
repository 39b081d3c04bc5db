import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OpenAiLlm } from '../../src/llm/openai-client.js';
import { FakeLlmServer, type RecordedRequest } from '../support/fake-llm-server.js';
import { atLoginScreen, KEY, screenShows, type, inAGame } from './harness.js';

const CTRL_U = '\u0015';

let server: FakeLlmServer;
const saved = { VISUAL: process.env.VISUAL, EDITOR: process.env.EDITOR };
beforeEach(async () => {
  server = await new FakeLlmServer().start();
  delete process.env.VISUAL;
  delete process.env.EDITOR;
});
afterEach(async () => {
  await server.stop();
  for (const [name, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

const narrator = () =>
  new OpenAiLlm({ apiKey: 'xai-test-key', baseUrl: server.url, model: 'grok-test', timeoutS: 2, maxRetries: 0, backoff: { baseMs: 5, capMs: 20 } });

type App = Awaited<ReturnType<typeof atLoginScreen>>;

/** The status bar: the screen's last row. */
const statusRow = (app: App) => (app.lastFrame() ?? '').split('\n').at(-1) ?? '';

/** Waits until the status bar shows `text`. */
async function statusShows(app: App, text: string | RegExp): Promise<string> {
  const last = () => statusRow(app);
  await screenShows(() => last(), text);
  return last();
}

/** The narrations asked of the fake server (not the story-state updates). */
const narrations = (): RecordedRequest[] => server.requests.filter((r) => r.body.stream === true);

/** What the fake server reports as the prompt's tokens (its usage), as the status bar writes it. */
function reportedTokens(request: RecordedRequest): string {
  const tokens = Math.ceil((request.body.messages ?? []).reduce((n, m) => n + m.content.length, 0) / 4);
  return tokens >= 1000 ? `${(tokens / 1000).toFixed(1)}k` : String(tokens);
}

/** Closes the box open and waits for the input line to be back. */
async function closeBox(app: App, title: string) {
  await type(app.stdin, KEY.esc);
  await screenShows(app.lastFrame, new RegExp(`^(?![\\s\\S]*${title})`));
}

describe('steering the narrator, on the game screen', () => {
  it('/memory TEXT pins it and /memory shows it; /memory edit in the inline box saves it', async () => {
    const app = await atLoginScreen({ llm: narrator() });
    await inAGame(app);
    await type(app.stdin, '/memory The keeper is my sister.\r');
    await screenShows(app.lastFrame, 'Memory pinned (24 characters)');
    await type(app.stdin, '/memory\r');
    await screenShows(app.lastFrame, /Memory[\s\S]*The keeper is my sister\./);
    await closeBox(app, '/memory edit. changes it');

    // No $VISUAL or $EDITOR: the game's own box, the memory in it; Esc leaves it, Enter saves.
    await type(app.stdin, '/memory edit\r');
    await screenShows(app.lastFrame, 'Memory: what the narrator must not forget');
    expect(app.lastFrame()).toContain('│ The keeper is my sister.');
    await type(app.stdin, CTRL_U, 'Nothing', KEY.esc);
    await screenShows(app.lastFrame, /^(?![\s\S]*Memory: what the narrator)/);
    await type(app.stdin, '/memory edit\r');
    await screenShows(app.lastFrame, 'Memory: what the narrator must not forget');
    await type(app.stdin, CTRL_U, 'The keeper is my older sister.', KEY.enter);
    await screenShows(app.lastFrame, 'Memory pinned (30 characters)');
    await type(app.stdin, '/memory\r');
    await screenShows(app.lastFrame, 'The keeper is my older sister.');
    await closeBox(app, '/memory edit. changes it');
    const alice = await app.services.accounts.login('alice', 'password123');
    const [game] = await app.services.engine.listSessions(alice);
    expect((await app.services.engine.steering(alice, game?.id as string)).memory).toBe('The keeper is my older sister.');

    // The next narration's prompt has it.
    await type(app.stdin, 'I call her\r');
    await screenShows(app.lastFrame, 'What do you do?', 8000);
    await until(() => narrations().length === 2);
    const body = JSON.stringify(narrations().at(-1)?.body.messages);
    expect(body).toContain('The keeper is my older sister.');
    expect(body).not.toContain('The keeper is my sister.');
    await app.store.close();
  }, 40_000);

  it('/note at depth 0 goes just before the action; /settings temperature 0.9 is in the status bar and the request; the gauge follows each turn', async () => {
    const app = await atLoginScreen({ llm: narrator() });
    await inAGame(app);
    // The opening's prompt is measured: the endpoint's own count, no ~.
    await until(() => narrations().length === 1);
    const opening = narrations()[0] as RecordedRequest;
    expect(await statusShows(app, `prompt ${reportedTokens(opening)}/10.9k · sqlite`)).toMatch(/^n · TTFT /);
    expect(statusRow(app)).not.toContain('t 0.');

    await type(app.stdin, '/note Keep it tense; short paragraphs.\r');
    await screenShows(app.lastFrame, "Author's note set, 3 messages before your action.");
    await type(app.stdin, '/note depth 0\r');
    await screenShows(app.lastFrame, "The author's note goes just before your action.");
    await type(app.stdin, '/note\r');
    await screenShows(app.lastFrame, /Keep it tense; short paragraphs\.[\s│]+\(just before your action\)/);
    await closeBox(app, 'note depth N');

    await type(app.stdin, '/settings temperature 0.9\r');
    await screenShows(app.lastFrame, 'Narrator: model: n (default); temperature: 0.9 (this game)');
    expect(await statusShows(app, 'n · t 0.9 · TTFT ')).not.toContain('max ');
    await type(app.stdin, '/settings length 512\r');
    await statusShows(app, 'n · t 0.9 · max 512 tok · TTFT ');

    await type(app.stdin, 'I climb the stairs\r');
    await until(() => narrations().length === 2, 8000);
    const turn = narrations()[1] as RecordedRequest;
    expect(turn.body.temperature).toBe(0.9);
    expect(turn.body.max_tokens).toBe(512);
    expect(opening.body.temperature).toBeUndefined();
    // The note is the message just before the action.
    const messages = turn.body.messages ?? [];
    expect(messages.at(-1)).toMatchObject({ role: 'user' });
    expect(messages.at(-1)?.content).toContain('I climb the stairs');
    expect(messages.at(-2)).toEqual({ role: 'system', content: "[Author's note: Keep it tense; short paragraphs.]" });
    // The status bar's gauge is this turn's prompt, in the endpoint's tokens.
    const after = await statusShows(app, `prompt ${reportedTokens(turn)}/10.9k`);
    expect(reportedTokens(turn)).not.toBe(reportedTokens(opening));
    expect(after).toMatch(/^n · t 0\.9 · max 512 tok · TTFT [\d.]+s · \d+ tok\/s · [\d.]+k? tok \(session [\d.]+k?\) · prompt [\d.]+k?\/10\.9k/);

    // Back to the defaults: the temperature leaves the bar and the request.
    await type(app.stdin, '/settings temperature default\r');
    await screenShows(app.lastFrame, "temperature: the endpoint's default (default)");
    await statusShows(app, /^n · max 512 tok · TTFT /);
    await type(app.stdin, 'I wait\r');
    await until(() => narrations().length === 3, 8000);
    expect(narrations()[2]?.body.temperature).toBeUndefined();
    await app.store.close();
  }, 40_000);

  it('a loaded game shows its narrator settings and the next prompt against the budget before any turn', async () => {
    const app = await atLoginScreen({ llm: narrator() });
    const alice = await app.services.accounts.login('alice', 'password123');
    const { session } = await app.services.engine.newSession(alice, 'neon-rain');
    await app.services.engine.setSettings(alice, session.id, { temperature: 1.2, model: 'grok-other' });
    await app.services.engine.settled();
    await type(app.stdin, KEY.enter);
    await screenShows(app.lastFrame, 'Username:');
    await type(app.stdin, 'alice\r', 'password123\r');
    await screenShows(app.lastFrame, '› New game');
    await type(app.stdin, KEY.down, KEY.enter);
    await screenShows(app.lastFrame, 'What do you do?');
    expect(await statusShows(app, /^grok-other · t 1\.2 · TTFT – · .* · prompt ~?[\d.]+k?\/10\.9k · sqlite$/)).not.toContain('grok-test');
    await app.store.close();
  }, 30_000);
});

async function until(condition: () => boolean, timeoutMs = 6000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}
