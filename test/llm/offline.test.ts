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

  it('streams word by word and reports usage', async () => {
    const pieces: string[] = [];
    const result = await new OfflineLlm(0).stream({ ...request('I light the lamp'), onText: (t) => pieces.push(t) });
    expect(pieces.join('')).toBe(result.text);
    expect(pieces.length).toBeGreaterThan(10);
    expect(result.usage.tokens_out).toBeGreaterThan(0);
    expect(result.interrupted).toBe(false);
  });
});
