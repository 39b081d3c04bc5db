import fs from 'node:fs';
import path from 'node:path';
import pc from 'picocolors';
import { parseConfig, type Config } from '../../config/env.js';
import { probeEndpoint } from '../../llm/probe.js';
import { colourWanted } from '../../logging/reader/output.js';
import { EXIT } from '../exit.js';
import { startCommandLogging } from '../context.js';
import { plural } from '../../text/format.js';
import { printOut } from '../output.js';
import { sanitizeText } from '../../llm/sanitize.js';

type Outcome = 'ok' | 'warn' | 'fail';
interface Check {
  outcome: Outcome;
  text: string;
}

const c = pc.createColors(colourWanted());
const MARK: Record<Outcome, string> = { ok: c.green('✓'), warn: c.yellow('!'), fail: c.red('✗') };

function checkLogDir(config: Config): Check {
  const dir = config.log.dir;
  try {
    fs.mkdirSync(dir, { recursive: true });
    const probe = path.join(dir, `.doctor-${process.pid}`);
    fs.writeFileSync(probe, '');
    fs.rmSync(probe);
    return { outcome: 'ok', text: `log directory ${dir} is writable` };
  } catch (error) {
    return {
      outcome: 'fail',
      text: `cannot write to the log directory ${dir} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}): fix its permissions or set STORYOS_LOG_DIR`,
    };
  }
}

async function checkStore(config: Config): Promise<Check> {
  try {
    const { openStore } = await import('../../store/open.js');
    const store = await openStore(config);
    try {
      const counts = await store.counts();
      return {
        outcome: 'ok',
        text: `${store.engine} store at ${store.location}: ${plural(counts.users, 'user')}, ${plural(counts.scenarios, 'scenario')}, ${plural(counts.game_sessions, 'game')}`,
      };
    } finally {
      await store.close();
    }
  } catch (error) {
    return { outcome: 'fail', text: (error as Error).message };
  }
}

async function checkNarrator(config: Config): Promise<Check[]> {
  const { apiKey, baseUrl, narratorModel } = config.llm;
  const keyCheck: Check = apiKey
    ? { outcome: 'ok', text: 'XAI_API_KEY is set' }
    : { outcome: 'warn', text: 'XAI_API_KEY is not set: the game offers the offline demo narrator. Put XAI_API_KEY=… in .env to play with Grok' };
  const probe = await probeEndpoint(baseUrl, apiKey);
  if (probe.ok) {
    const listed = probe.models.length === 0 || probe.models.includes(narratorModel);
    return [
      keyCheck,
      { outcome: 'ok', text: `${baseUrl} answers${apiKey ? ' and accepts the key' : ''} (${probe.models.length} models)` },
      listed
        ? { outcome: 'ok', text: `narrator model ${narratorModel} is available` }
        : { outcome: 'warn', text: `${baseUrl} does not list ${narratorModel}: check STORYOS_NARRATOR_MODEL` },
    ];
  }
  if (probe.status === 401 || probe.status === 403) {
    return [
      keyCheck,
      apiKey
        ? { outcome: 'fail', text: `${baseUrl} rejects the key (${probe.reason}): check XAI_API_KEY` }
        : { outcome: 'ok', text: `${baseUrl} answers (it wants a key)` },
    ];
  }
  return [keyCheck, { outcome: apiKey ? 'fail' : 'warn', text: `cannot reach ${baseUrl} (${probe.reason}): check STORYOS_LLM_BASE_URL and the network` }];
}

export async function doctor(): Promise<number> {
  const checks: Check[] = [];
  const print = (check: Check) => process.stdout.write(`${MARK[check.outcome]} ${sanitizeText(check.text)}\n`);
  checks.push(
    fs.existsSync('.env')
      ? { outcome: 'ok', text: `.env read from ${process.cwd()}` }
      : { outcome: 'ok', text: `no .env in ${process.cwd()} (optional: see .env.example)` },
  );
  let config: Config;
  try {
    config = parseConfig();
    checks.push({ outcome: 'ok', text: 'every configuration value is valid' });
  } catch (error) {
    checks.push({ outcome: 'fail', text: (error as Error).message });
    checks.forEach(print);
    return EXIT.failure;
  }
  checks.forEach(print);
  const rest = [checkLogDir(config), await checkStore(config), ...(await checkNarrator(config))];
  rest.forEach(print);
  await startCommandLogging(config);
  const failed = [...checks, ...rest].filter((ch) => ch.outcome === 'fail').length;
  const warned = [...checks, ...rest].filter((ch) => ch.outcome === 'warn').length;
  const warnings = warned ? ` (${warned} warning${warned > 1 ? 's' : ''} above)` : '';
  printOut(failed ? `\n${failed} problem${failed > 1 ? 's' : ''} to fix${warnings}.\n` : warned ? `\nNothing to fix${warnings}.\n` : '\nAll good.\n');
  return failed ? EXIT.failure : EXIT.ok;
}
