/**
 * The TUI's last step before the terminal. Ink draws with SGR colours, cursor moves and erases,
 * and hides the cursor; a text that slipped past sanitising could still carry a terminal command,
 * so whatever else is written is dropped here: OSC (window title, clipboard, hyperlinks), DCS,
 * APC, PM and SOS strings, private modes other than the cursor's and synchronised output (the
 * alternate screen, mouse reporting), other CSI commands, control characters and bidi controls.
 */
const SEQUENCE =
  /\u001b\[([0-?]*)([ -/]*)([@-~])|\u001b[\]P_^X][\s\S]*?(?:\u0007|\u001b\\|$)|\u001b[@-Z\\-_]|\u001b|[\u0000-\u0007\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;
/** CSI finals Ink and the renderer use: cursor up/down/forward/back/column/position, erase, SGR. */
const DRAWING = new Set(['A', 'B', 'C', 'D', 'G', 'H', 'J', 'K', 'm']);
const PRIVATE_MODES = new Set(['?25h', '?25l', '?2026h', '?2026l']);

export function guardTerminalOutput(text: string): string {
  return text.replace(SEQUENCE, (match, params: string | undefined, intermediates: string | undefined, final: string | undefined) => {
    if (final === undefined) return '';
    if (intermediates) return '';
    if (params?.startsWith('?')) return PRIVATE_MODES.has(`${params}${final}`) ? match : '';
    if (params !== undefined && /[<=>]/.test(params)) return '';
    return DRAWING.has(final) ? match : '';
  });
}

/** process.stdout as Ink sees it, every write guarded; everything else (size, resize events) is the real stream's. */
export function guardedStdout(stdout: NodeJS.WriteStream = process.stdout): NodeJS.WriteStream {
  const write = (chunk: unknown, ...rest: unknown[]) => {
    const text = typeof chunk === 'string' ? chunk : Buffer.isBuffer(chunk) ? chunk.toString('utf8') : String(chunk);
    return (stdout.write as (...args: unknown[]) => boolean)(guardTerminalOutput(text), ...rest);
  };
  return new Proxy(stdout, {
    get(target, property) {
      if (property === 'write') return write;
      const value = Reflect.get(target, property, target) as unknown;
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}
