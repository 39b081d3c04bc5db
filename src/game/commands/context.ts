import type { ContextView } from '../engine.js';
import type { SlashCommand } from './types.js';

/** Each section's tokens against its budget, then the whole prompt's against the whole budget. */
function budgetTable(prompt: ContextView): string {
  const rows = prompt.sections.map((s) => `| ${s.name} | ${s.tokens} | ${s.budget} |`);
  return ['| section | tokens | budget |', '|---|---:|---:|', ...rows, `| **all** | **${prompt.totalTokens}** | **${prompt.budgetTokens}** |`].join('\n');
}

/** Why each world-info entry is in the prompt, or fired and was left out. */
function worldInfoLines(prompt: ContextView): string {
  const { fired, dropped } = prompt.worldInfo;
  const name = (e: { source: string; index: number; entry: { keys: string[] } }) =>
    `${e.source === 'scenario' ? 's' : ''}${e.index} (${e.entry.keys.join(', ')})`;
  const lines = [
    ...fired.map((e) => `- in: ${name(e)}: ${e.why}, ${e.tokens} tokens`),
    ...dropped.map((e) => `- left out: ${name(e)}: ${e.why}; ${e.dropped}`),
  ];
  return lines.join('\n') || '- none fired';
}

export const context: SlashCommand = {
  name: 'context',
  description: 'the exact prompt of the next turn: each section with its tokens and budget, and why each world-info entry is in it',
  async run(ctx) {
    const prompt = await ctx.engine.nextPrompt(ctx.user, ctx.sessionId);
    const messages = prompt.messages.map((m) => `**[${m.role}]**\n\n${m.content}`).join('\n\n---\n\n');
    const body = [
      `Tokens for ${prompt.model}: ${prompt.estimate.label}.`,
      budgetTable(prompt),
      `**World info**\n${worldInfoLines(prompt)}`,
      '---',
      messages,
    ].join('\n\n');
    return { type: 'overlay', title: `Next prompt: ${prompt.totalTokens} of ${prompt.budgetTokens} tokens`, body };
  },
};
