import type { SlashCommand } from './types.js';

export const context: SlashCommand = {
  name: 'context',
  description: 'the exact prompt of the next turn, with tokens per section',
  async run(ctx) {
    const prompt = await ctx.engine.nextPrompt(ctx.user, ctx.sessionId);
    const table = prompt.sections.map((s) => `- ${s.name}: ${s.tokens} tokens`).join('\n');
    const messages = prompt.messages.map((m) => `**[${m.role}]**\n\n${m.content}`).join('\n\n---\n\n');
    return { type: 'overlay', title: `Next prompt: about ${prompt.totalTokens} tokens`, body: `${table}\n\n---\n\n${messages}` };
  },
};
