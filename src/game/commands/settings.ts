import type { EffectiveSettings, NarratorSettingsChange } from '../engine.js';
import type { SlashCommand } from './types.js';

const USAGE = 'Usage: /settings model NAME, /settings temperature 0–2, /settings length TOKENS; `default` for any of them goes back to the default.';

/** The narrator settings in effect, each marked as the game's own or the default. */
export function settingsLines(settings: EffectiveSettings): string[] {
  const mark = (key: keyof EffectiveSettings['custom']) => (settings.custom[key] === undefined ? 'default' : 'this game');
  return [
    `- model: ${settings.model} (${mark('model')})`,
    `- temperature: ${settings.temperature ?? "the endpoint's default"} (${mark('temperature')})`,
    `- length: at most ${settings.max_tokens} tokens a narration (${mark('max_tokens')})`,
  ];
}

/** One setting from what was typed: a value, `default` (null), or undefined when it is not one. */
function changeOf(name: string, value: string): NarratorSettingsChange | undefined {
  const reset = value.toLowerCase() === 'default';
  const number = Number(value);
  if (name === 'model') return { model: reset ? null : value };
  if (name === 'temperature') return reset || (value !== '' && Number.isFinite(number)) ? { temperature: reset ? null : number } : undefined;
  if (name === 'length' || name === 'max_tokens') return reset || /^\d{1,6}$/.test(value) ? { max_tokens: reset ? null : number } : undefined;
  return undefined;
}

/** `/settings`: this game's narrator model, temperature and longest narration. */
export const settings: SlashCommand = {
  name: 'settings',
  args: '[model|temperature|length VALUE|default]',
  choices: ['model', 'temperature', 'length'],
  description: "this game's narrator: model, temperature and longest narration (the rest of StoryOS keeps its defaults)",
  async run(ctx, args) {
    if (args.length === 0) {
      const view = await ctx.engine.steering(ctx.user, ctx.sessionId);
      return { type: 'overlay', title: 'Narrator settings', body: `${settingsLines(view.settings).join('\n')}\n\n${USAGE}` };
    }
    const change = args.length === 2 ? changeOf((args[0] as string).toLowerCase(), args[1] as string) : undefined;
    if (!change) return { type: 'notice', kind: 'error', text: USAGE };
    const view = await ctx.engine.setSettings(ctx.user, ctx.sessionId, change);
    return {
      type: 'notice',
      kind: 'success',
      text: `Narrator: ${settingsLines(view.settings)
        .map((l) => l.slice(2))
        .join('; ')}.`,
    };
  },
};
