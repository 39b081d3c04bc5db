import pc from 'picocolors';
import { UserFacingError } from '../../config/errors.js';
import { listLogSet, MAIN_LOG } from '../../logging/log-files.js';
import { buildFilter } from '../../logging/reader/filter.js';
import { colourWanted, EntryPrinter } from '../../logging/reader/output.js';
import { ReplayBuilder, renderReplay } from '../../logging/reader/replay.js';
import { searchFiles } from '../../logging/reader/search.js';
import { parseTimeSpec } from '../../logging/reader/time-spec.js';
import { existingLogDir } from '../context.js';
import { EXIT } from '../exit.js';

interface ReplayFlags {
  session: string;
  since?: string;
  until?: string;
  json?: boolean;
  full?: boolean;
  dir?: string;
}

/** `storyos logs replay --session ID`: the game's story from storyos.log and its rotated files. */
export async function replay(_args: string[], flags: ReplayFlags): Promise<number> {
  const session = flags.session.trim();
  if (!session) throw new UserFacingError('--session needs the id of a game (storyos sessions list shows them).');
  const now = Date.now();
  const filter = buildFilter({
    session,
    since: flags.since === undefined ? undefined : parseTimeSpec(flags.since, '--since', now),
    until: flags.until === undefined ? undefined : parseTimeSpec(flags.until, '--until', now),
  });
  const dir = existingLogDir(flags.dir);
  const builder = new ReplayBuilder(session);
  searchFiles(listLogSet(dir, MAIN_LOG), filter, (entry) => builder.add(entry));
  const story = builder.build();
  if (story.lines === 0) {
    const window = flags.since !== undefined || flags.until !== undefined ? ' in that time window' : '';
    process.stderr.write(`storyos: no line of session ${JSON.stringify(session)} in ${MAIN_LOG} of ${dir}${window}.\n`);
    return EXIT.noMatch;
  }
  const colour = colourWanted();
  const c = pc.createColors(colour);
  const printer = new EntryPrinter('text', colour);
  printer.write(
    flags.json
      ? `${JSON.stringify(story, null, 2)}\n`
      : renderReplay(story, { full: flags.full, paint: { title: (t) => c.bold(t), dim: c.dim, warn: c.yellow, error: c.red } }),
  );
  return EXIT.ok;
}
