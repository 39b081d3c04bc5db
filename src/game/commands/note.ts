import type { AuthorNote } from '../../store/types.js';
import type { CommandContext, CommandOutcome, SlashCommand } from './types.js';

const where = (note: AuthorNote) => (note.depth === 0 ? 'just before your action' : `${note.depth} message${note.depth === 1 ? '' : 's'} before your action`);

function saveNote(ctx: CommandContext): (text: string) => Promise<CommandOutcome> {
  return async (text) => {
    const { note } = await ctx.engine.setNote(ctx.user, ctx.sessionId, { text });
    return { type: 'notice', kind: 'success', text: note.text ? `Author's note set, ${where(note)}.` : "Author's note cleared." };
  };
}

/** `/note`: the author's note, a style or direction instruction near the end of the prompt. */
export const note: SlashCommand = {
  name: 'note',
  args: '[edit|clear|depth N|TEXT]',
  choices: ['edit', 'clear', 'depth'],
  description: "the author's note: a style or direction for the narrator, N messages before your action (default 3)",
  async run(ctx, args, rest) {
    const save = saveNote(ctx);
    const word = args[0]?.toLowerCase();
    if (word === 'clear' && args.length === 1) return save('');
    if (word === 'depth' && args.length <= 2) {
      const depth = /^\d{1,3}$/.test(args[1] ?? '') ? Number(args[1]) : Number.NaN;
      if (Number.isNaN(depth)) return { type: 'notice', kind: 'error', text: 'Usage: /note depth N (0 puts the note just before your action).' };
      const view = await ctx.engine.setNote(ctx.user, ctx.sessionId, { depth });
      return { type: 'notice', kind: 'success', text: `The author's note goes ${where(view.note)}.` };
    }
    if (rest && !(word === 'edit' && args.length === 1)) return save(rest);
    const view = await ctx.engine.steering(ctx.user, ctx.sessionId);
    if (word === 'edit')
      return {
        type: 'edit',
        title: "Author's note: a style or direction for the narrator",
        saves: 'sets the note',
        onTheLine: '/note TEXT',
        original: view.note.text,
        save,
      };
    const body = view.note.text ? `${view.note.text}\n\n(${where(view.note)})` : `(no note yet; it would go ${where(view.note)})`;
    return { type: 'overlay', title: "Author's note", body: `${body}\n\n---\n\n\`/note edit\`, \`/note TEXT\`, \`/note depth N\`, \`/note clear\`.` };
  },
};
