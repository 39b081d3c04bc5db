import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { BIN } from '../support/cli.js';
import { tempDir } from '../support/temp.js';
import { TmuxSession } from '../support/tmux.js';
import { until } from '../support/wait.js';

const REPORT_HOOK = fileURLToPath(new URL('../support/first-frame-report.cjs', import.meta.url));
const sessions: TmuxSession[] = [];
afterEach(() => {
  for (const s of sessions.splice(0)) s.stop();
});

describe("bare storyos's first frame, in a terminal", () => {
  it("comes before Node's crypto, zlib, cluster and assert load and before any Intl.Segmenter is made (scripts/stand-ins/)", async () => {
    const dir = tempDir();
    const report = path.join(dir, 'first-frame.json');
    const tmux = new TmuxSession({ columns: 100, rows: 30 });
    sessions.push(tmux);
    const env = `STORYOS_DATA_DIR=${dir} STORYOS_LOG_DIR=${dir} STORYOS_FIRST_FRAME_REPORT=${report} TERM=xterm-256color`;
    tmux.start(`env ${env} ${process.execPath} --require ${REPORT_HOOK} ${BIN}`, dir);
    await tmux.waitFor("create the administrator's account");
    expect(await until(() => fs.existsSync(report), 10_000)).toBe(true);
    const { builtins, segmenters } = JSON.parse(fs.readFileSync(report, 'utf8')) as { builtins: string[]; segmenters: number };
    expect(builtins).toContain('tty');
    for (const later of ['crypto', 'zlib', 'cluster', 'assert']) expect(builtins, later).not.toContain(later);
    expect(segmenters).toBe(0);
  }, 60_000);
});
