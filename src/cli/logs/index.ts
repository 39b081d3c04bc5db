import { type Command, Option } from 'commander';
import { lazyAction } from '../lazy.js';

const collect = (value: string, previous: string[] = []) => previous.concat(value);

/** The filters shared by `grep`, `tail` and `stats`. */
function addFilterOptions(command: Command): Command {
  return command
    .option('--level <levels>', 'only these levels, comma-separated (DEBUG, INFO, PERF, WARN, ERROR, FATAL)', collect)
    .option('--min-level <level>', 'this level and above')
    .option('--module <modules>', 'only these modules (app, auth, db_utils, llm_utils, game_logic, cli, tui), comma-separated', collect)
    .option('--user <name>', 'entries with user_id: <name>')
    .option('--session <id>', 'entries of this game session')
    .option('--since <time>', 'from this time: 2024-01-15, "2024-01-15 10:30", or 90s, 15m, 2h, 7d ago')
    .option('--until <time>', 'up to this time (a bare date means the end of that day)')
    .option('--slower-than <duration>', 'entries whose duration exceeds this, e.g. 2s or 250ms')
    .option('-i, --ignore-case', 'match PATTERN without regard to case')
    .option('-F, --fixed-strings', 'PATTERN is a fixed string, not a regular expression')
    .option('--errors', 'read storyos_errors.log instead of storyos.log')
    .option('--dir <path>', 'log directory (default: STORYOS_LOG_DIR)');
}

const lazy = (action: 'grep' | 'tail' | 'stats' | 'rotate' | 'clean' | 'config') => lazyAction(() => import('./actions.js'), action);

export function registerLogsCommands(program: Command): void {
  const logs = program
    .command('logs')
    .description("search, follow, summarise and rotate StoryOS's log files")
    .addHelpText('after', '\nExit status: 0 when something matched, 1 when nothing did, 2 on a usage error.');

  addFilterOptions(
    logs
      .command('grep')
      .description('print entries matching PATTERN and the filters, oldest first')
      .argument('[pattern]', 'regular expression matched against the whole entry'),
  )
    .option('--count', 'print only the number of matching entries')
    .option('--json', 'one JSON object per entry')
    .action(lazy('grep'));

  addFilterOptions(
    logs
      .command('tail')
      .description('print the last entries; -f keeps following, across rotations')
      .argument('[pattern]', 'regular expression matched against the whole entry'),
  )
    .option('-n, --lines <count>', 'how many entries', '20')
    .option('-f, --follow', 'keep printing new entries, following rotations like tail -F')
    .option('--json', 'one JSON object per entry')
    .action(lazy('tail'));

  addFilterOptions(
    logs.command('stats').description('active users and sessions, PERF percentiles, LLM usage per model, error rates per module and operation, and charts'),
  )
    .option('--by <unit>', 'activity per hour or day (default: day when the span is over 48 hours)')
    .option('--json', 'print the figures as JSON')
    .action(lazy('stats'));

  logs
    .command('top')
    .description('a live view of the last minutes: requests a minute, PERF p50/p95, errors, active sessions; Ctrl+C or q ends it')
    .argument('[pattern]', 'only entries matching this regular expression')
    .option('--minutes <n>', 'how many minutes the view covers', '5')
    .option('--interval <seconds>', 'seconds between refreshes', '1')
    .option('--iterations <n>', 'stop after this many refreshes (like top -n)')
    .option('--level <levels>', 'only these levels, comma-separated', collect)
    .option('--min-level <level>', 'this level and above')
    .option('--module <modules>', 'only these modules, comma-separated', collect)
    .option('--user <name>', 'entries with user_id: <name>')
    .option('--session <id>', 'entries of this game session')
    .option('-i, --ignore-case', 'match PATTERN without regard to case')
    .option('-F, --fixed-strings', 'PATTERN is a fixed string, not a regular expression')
    .option('--errors', 'watch storyos_errors.log instead of storyos.log')
    .option('--dir <path>', 'log directory (default: STORYOS_LOG_DIR)')
    .addHelpText('after', '\nIn a terminal the view fills the screen; piped, it prints one plain snapshot per refresh, like top -b.')
    .action(lazyAction(() => import('./top.js'), 'top'));

  logs
    .command('replay')
    .description("one game's story from the logs: each turn's action, narrator calls (TTFT, tokens, duration), retries, database work and errors")
    .requiredOption('--session <id>', 'the game session to replay')
    .option('--since <time>', 'from this time: 2024-01-15, "2024-01-15 10:30", or 90s, 15m, 2h, 7d ago')
    .option('--until <time>', 'up to this time (a bare date means the end of that day)')
    .option('--full', 'narrations in full (DEBUG logs), not their first 240 characters')
    .option('--json', 'the story as JSON')
    .option('--dir <path>', 'log directory (default: STORYOS_LOG_DIR)')
    .action(lazyAction(() => import('./replay.js'), 'replay'));

  logs
    .command('rotate')
    .description('rotate storyos.log now (safe while StoryOS is running)')
    .addOption(new Option('--errors', 'rotate storyos_errors.log instead').conflicts('all'))
    .option('--all', 'rotate both logs')
    .option('--dir <path>', 'log directory (default: STORYOS_LOG_DIR)')
    .action(lazy('rotate'));

  logs
    .command('clean')
    .description('delete rotated log files older than an age (never the active files)')
    .requiredOption('--older-than <age>', 'age such as 12h, 7d or 2w')
    .option('--dry-run', 'list what would be deleted, delete nothing')
    .option('--dir <path>', 'log directory (default: STORYOS_LOG_DIR)')
    .action(lazy('clean'));

  logs
    .command('config')
    .description('effective log settings, the files with sizes and dates, and the most disk the settings allow')
    .option('--json', 'print as JSON')
    .option('--dir <path>', 'log directory (default: STORYOS_LOG_DIR)')
    .action(lazy('config'));

  logs
    .command('lnav')
    .description('print an lnav format definition for these logs (the SQL table storyos_log), or install it')
    .option('--install', "install it for lnav (lnav -i when lnav is on PATH, else into lnav's formats folder)")
    .action(lazyAction(() => import('./lnav.js'), 'lnav'));
}
