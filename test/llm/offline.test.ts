import { describe, expect, it } from 'vitest';
import { OfflineLlm } from '../../src/llm/offline.js';
import type { StreamRequest } from '../../src/llm/types.js';

const request = (action: string): StreamRequest => ({
  model: 'offline',
  purpose: 'turn',
  messages: [
    { role: 'system', content: 'The story begins at: a lighthouse\nThe player character: Mara, a keeper' },
    { role: 'user', content: action },
  ],
});

const narrate = async (llm: OfflineLlm, action: string) => (await llm.stream(request(action))).text;

describe('the offline narrator', () => {
  it('narrates the same action the same way in a new game, and differently when asked again (/retry)', async () => {
    const llm = new OfflineLlm(0);
    const first = await narrate(llm, 'I climb the stairs');
    const retried = await narrate(llm, 'I climb the stairs');
    const third = await narrate(llm, 'I climb the stairs');
    expect(first).toContain('You decide: *I climb the stairs*');
    expect(retried).toContain('You decide: *I climb the stairs*');
    expect(new Set([first, retried, third]).size).toBe(3);
    expect(await narrate(new OfflineLlm(0), 'I climb the stairs')).toBe(first);
  });

  it('never repeats a sentence of the last narration, and opens asking what the player does', async () => {
    const llm = new OfflineLlm(0);
    const opening = (await llm.stream(request('Begin the story.'))).text;
    expect(opening.endsWith('What do you do?')).toBe(true);
    const system = request('').messages[0] as { role: 'system'; content: string };
    let history: StreamRequest['messages'] = [system];
    let last = '';
    const actions = Array.from({ length: 40 }, (_, turn) => ['I open the door', 'I look around', 'I wait'][turn % 3] as string);
    for (const action of actions) {
      history = [...history, { role: 'user', content: action }];
      const text = (await llm.stream({ ...request(action), messages: history })).text;
      const body = text.split('\n\n')[1] as string;
      for (const sentence of body.split(/(?<=[.!?])\s+/)) expect(last, `${action}: ${sentence}`).not.toContain(sentence);
      last = text;
      history = [...history, { role: 'assistant', content: text }];
    }
  });

  it('moves the story state to where the player goes, and keeps it otherwise', async () => {
    const update = async (action: string, location: string) =>
      (
        await new OfflineLlm(0).json<{ location: string }>({
          model: 'offline',
          purpose: 'state',
          schemaName: 'state',
          schema: {},
          messages: [
            { role: 'user', content: `State before this turn:\n${JSON.stringify({ location })}\nThe player's action: ${action}\nThe narration: It is done.` },
          ],
          parse: (value) => value as { location: string },
        })
      ).value.location;
    expect(await update('I climb up to the lamp room, quickly', 'the landing stage')).toBe('the lamp room');
    expect(await update('We head into the Old Quarter', 'the docks')).toBe('the Old Quarter');
    expect(await update('I look around', 'the landing stage')).toBe('the landing stage');
    expect(await update('I go into the kitchen and look for the cook', 'the hall')).toBe('the kitchen');
    expect(await update('Go to the bar to find Mia', 'the street')).toBe('the bar');
    expect(await update('I enter the vault', 'the street')).toBe('the vault');
    // Not moves to a place: the location stays.
    for (const action of ['I go to sleep', 'I step into it', 'I head back to check the boat', 'I walk to Alice and greet her', 'I return the favour']) {
      expect(await update(action, 'the hall')).toBe('the hall');
    }
  });

  it("keeps a long action's cut visible in the synopsis, and ends a whole one with a full stop", async () => {
    const synopsisAfter = async (action: string) =>
      (
        await new OfflineLlm(0).json<{ synopsis: string }>({
          model: 'offline',
          purpose: 'state',
          schemaName: 'state',
          schema: {},
          messages: [{ role: 'user', content: `State before this turn:\n{}\nThe player's action: ${action}\nThe narration: It is done.` }],
          parse: (value) => value as { synopsis: string },
        })
      ).value.synopsis;
    expect(await synopsisAfter('I light the lamp')).toBe('I light the lamp.');
    const long = await synopsisAfter('I walk along the quay past the boats and the nets and I keep typing a very long action');
    expect(long.endsWith('…')).toBe(true);
    expect(long).not.toMatch(/\.$/);
  });

  it('streams word by word and reports usage', async () => {
    const pieces: string[] = [];
    const result = await new OfflineLlm(0).stream({ ...request('I light the lamp'), onText: (t) => pieces.push(t) });
    expect(pieces.join('')).toBe(result.text);
    expect(pieces.length).toBeGreaterThan(10);
    expect(result.usage.tokens_out).toBeGreaterThan(0);
    expect(result.interrupted).toBe(false);
  });
});
