import { describe, expect, it } from 'vitest';
import { DeferredLlm } from '../../src/llm/deferred.js';
import { OfflineLlm } from '../../src/llm/offline.js';
import type { LlmClient } from '../../src/llm/types.js';

function counted(client: LlmClient | Error) {
  const loads = { count: 0 };
  const llm = new DeferredLlm('grok-test', async () => {
    loads.count++;
    if (client instanceof Error) throw client;
    return client;
  });
  return { llm, loads };
}

const request = { model: 'grok-test', messages: [{ role: 'user' as const, content: 'look around' }], purpose: 'narration' };

describe('DeferredLlm', () => {
  it('loads its client on first use, once, and answers through it', async () => {
    const { llm, loads } = counted(new OfflineLlm(0));
    expect(loads.count).toBe(0);
    expect([llm.label, llm.offline]).toEqual(['grok-test', false]);
    const first = await llm.stream(request);
    await llm.stream(request);
    expect(first.text.length).toBeGreaterThan(0);
    expect(loads.count).toBe(1);
  });

  it('starts loading on warm(); a failed load is tried again by each request, which reports it', async () => {
    const { llm, loads } = counted(new Error('cannot load the SDK'));
    llm.warm();
    expect(loads.count).toBe(1);
    await new Promise((r) => setTimeout(r, 0));
    await expect(llm.stream(request)).rejects.toThrow('cannot load the SDK');
    await expect(llm.json({ ...request, schemaName: 's', schema: {}, parse: (v) => v })).rejects.toThrow('cannot load the SDK');
    expect(loads.count).toBe(3);
  });
});
