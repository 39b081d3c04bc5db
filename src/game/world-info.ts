/**
 * World info (lorebook) matching, SPEC §12: which entries enter the narrator's prompt, and why.
 * Pure: the prompt calls it with the branch's last messages and the action.
 */
import vm from 'node:vm';
import { estimateTokens, tokensOfLength } from '../llm/tokens.js';
import type { WorldInfoEntry } from '../store/types.js';

/** An entry fires when one of its keys is in this many last messages of the branch, or in the action. */
export const DEFAULT_WORLD_INFO_WINDOW = 4;
/** The order of an entry that does not give one. */
export const DEFAULT_WORLD_INFO_ORDER = 100;
/** The heading of the prompt's world-info section (counted in its budget). */
export const WORLD_INFO_HEADING = '## World info';

/** Where an entry comes from: the scenario's (shared by its games) or the game's own. */
export type LoreSource = 'scenario' | 'game';

/** An entry with where it is: its list, and its place in it (1-based, as /lore lists them). */
export interface PlacedEntry {
  entry: WorldInfoEntry;
  source: LoreSource;
  /** 1-based, in its own list. */
  index: number;
}

export interface FiredEntry extends PlacedEntry {
  /** "key 'lighthouse' in the action", "key /gull\w+/ in message 3 of the last 4", "always on". */
  why: string;
  /** The key that matched; null for an entry that is always on. */
  key: string | null;
  /** Its content's estimated tokens in the prompt. */
  tokens: number;
}

export interface DroppedEntry extends FiredEntry {
  /** Why it is not in the prompt although it fired: "did not fit the world-info budget …". */
  dropped: string;
}

/** An entry that did not fire, and why (no key in the window, or a key that can never match). */
export interface SilentEntry extends PlacedEntry {
  why: string;
}

export interface WorldInfoMatch {
  /** In the prompt, in the order they are written there: highest order first. */
  fired: FiredEntry[];
  /** Fired, but left out for the budget: lowest order first went. */
  dropped: DroppedEntry[];
  /** Did not fire. */
  silent: SilentEntry[];
  /** The section's text (empty when nothing fired). */
  text: string;
  /** Estimated tokens of the section. */
  tokens: number;
  budget: number;
  /** How many last messages were looked at (at most the window). */
  window: number;
}

export interface WorldInfoInput {
  scenario: WorldInfoEntry[];
  game: WorldInfoEntry[];
  /** The branch's last messages, oldest first (only the last `window` are read). */
  history: string[];
  action: string;
  /** DEFAULT_WORLD_INFO_WINDOW. */
  window?: number;
  /** Tokens of the whole section, its heading included. */
  budget: number;
}

/** A key as a test on text, or why it can never match. */
export type KeyMatcher = { ok: true; test: (text: string) => boolean; label: string } | { ok: false; label: string; why: string };

/** `/source/flags`, the flags being JavaScript's own: `/etc/passwd` is a word key, not a regex with the flags "passwd". */
export const REGEX_KEY = /^\/(.+)\/([dgimsuvy]*)$/s;
/** Letters, their combining marks, digits and `_`: what a whole-word key may not touch on either side. */
const WORD_CHAR = String.raw`[\p{L}\p{M}\p{N}_]`;
/** Scripts written without spaces between words: a key in them matches anywhere. */
const UNSPACED_SCRIPT = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Thai}\p{Script=Lao}\p{Script=Khmer}\p{Script=Myanmar}]/u;
/** The longest a regex key may take on one text before it is taken for one that never ends (catastrophic backtracking). */
export const REGEX_KEY_TIMEOUT_MS = 50;

/** A key written `/…/flags`. */
export function isRegexKey(key: string): boolean {
  return REGEX_KEY.test(key.trim());
}

/**
 * Regex keys come from players and from character cards, so one may backtrack for hours on the
 * wrong text: they run in a context of their own, under a time limit. A key that overruns it is
 * remembered as one that never matches, for the life of the process.
 */
let sandbox: vm.Context | null = null;
let regexTestScript: vm.Script | null = null;
const tooSlow = new Set<string>();

function regexTest(key: string, source: string, flags: string): (text: string) => boolean {
  return (text) => {
    if (tooSlow.has(key)) return false;
    // Made on first use: most stories have no regex key.
    sandbox ??= vm.createContext({ cache: new Map<string, RegExp>() });
    regexTestScript ??= new vm.Script(
      '{ const id = source + "\\u0000" + flags; let r = cache.get(id); if (!r) { r = new RegExp(source, flags); cache.set(id, r); } r.test(text) }',
    );
    Object.assign(sandbox, { source, flags, text });
    try {
      return regexTestScript.runInContext(sandbox, { timeout: REGEX_KEY_TIMEOUT_MS }) === true;
    } catch {
      tooSlow.add(key);
      return false;
    }
  };
}

/** Keys are tested many times a turn: each is compiled once (a lorebook has at most some thousands of keys). */
const matchers = new Map<string, KeyMatcher>();
const MAX_CACHED_MATCHERS = 20_000;

/**
 * A key's matcher: a word or phrase matches whole, whatever its case and Unicode form (spaces
 * match any run of white space; in scripts written without spaces, such as Chinese or Thai, it
 * matches anywhere); a `/regex/flags` key is a regular expression with its own flags (g and y,
 * which make a regex remember where it stopped, are ignored), run under a time limit. An invalid
 * regex never matches. Text is given in NFC (`normalizeForKeys`).
 */
export function keyMatcher(rawKey: string): KeyMatcher {
  const cached = matchers.get(rawKey);
  if (cached) return cached;
  const matcher = buildMatcher(rawKey);
  if (matchers.size >= MAX_CACHED_MATCHERS) matchers.clear();
  matchers.set(rawKey, matcher);
  return matcher;
}

function buildMatcher(rawKey: string): KeyMatcher {
  const key = rawKey.trim();
  const regex = REGEX_KEY.exec(key);
  if (regex) {
    const [, source, written] = regex as unknown as [string, string, string];
    const flags = written.replace(/[gy]/g, '');
    try {
      new RegExp(source, flags);
    } catch (error) {
      return {
        ok: false,
        label: key,
        why: `key ${key} is not a valid regular expression (${(error as Error).message.replace(/^Invalid regular expression: /, '')}), so it never matches`,
      };
    }
    return { ok: true, label: key, test: regexTest(key, source, flags) };
  }
  const label = `'${key}'`;
  if (!key) return { ok: false, label, why: 'an empty key never matches' };
  const words = key
    .normalize('NFC')
    .split(/\s+/)
    .map((word) => word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join(String.raw`\s+`);
  const pattern = UNSPACED_SCRIPT.test(key) ? new RegExp(words, 'iu') : new RegExp(`(?<!${WORD_CHAR})${words}(?!${WORD_CHAR})`, 'iu');
  return { ok: true, test: (text) => pattern.test(text), label };
}

/** Text as keys are matched against it: NFC, so that a decomposed `é` is the key's `é`. */
export function normalizeForKeys(text: string): string {
  return text.normalize('NFC');
}

/** Whether a regex key has been found too slow to test (it then never matches). */
export function isTooSlow(key: string): boolean {
  return tooSlow.has(key.trim());
}

/** The problem with a key a player writes, as one sentence; null when it is fine. */
export function keyProblem(key: string): string | null {
  const matcher = keyMatcher(key);
  return matcher.ok ? null : `The ${matcher.why.replace(/, so it never matches$/, '')}.`;
}

/** Why an entry fires, or null; `silentWhy` says why not. */
function firing(
  entry: WorldInfoEntry,
  windowTexts: string[],
  action: string,
): { key: string | null; why: string } | { key: null; why: null; silentWhy: string } {
  if (entry.always) return { key: null, why: 'always on' };
  const broken: string[] = [];
  for (const raw of entry.keys) {
    const matcher = keyMatcher(raw);
    if (!matcher.ok) {
      broken.push(matcher.why);
      continue;
    }
    if (matcher.test(action)) return { key: raw.trim(), why: `key ${matcher.label} in the action` };
    // One test on the whole window first: most keys are in none of its messages.
    if (windowTexts.length > 1 && !matcher.test(windowTexts.join('\n\n'))) {
      if (isTooSlow(raw)) broken.push(`key ${matcher.label} took more than ${REGEX_KEY_TIMEOUT_MS} ms on one text, so it never matches`);
      continue;
    }
    for (let i = windowTexts.length - 1; i >= 0; i--)
      if (matcher.test(windowTexts[i] as string)) return { key: raw.trim(), why: `key ${matcher.label} in message ${i + 1} of the last ${windowTexts.length}` };
    if (isTooSlow(raw)) broken.push(`key ${matcher.label} took more than ${REGEX_KEY_TIMEOUT_MS} ms on one text, so it never matches`);
  }
  const none = entry.keys.filter((k) => k.trim()).length === 0 ? 'it has no keys' : `no key in the action or the last ${windowTexts.length} messages`;
  return { key: null, why: null, silentWhy: broken.length > 0 ? `${none}; ${broken.join('; ')}` : none };
}

/** The section's text for these entries. */
export function worldInfoText(entries: FiredEntry[]): string {
  return entries.length > 0 ? `${WORLD_INFO_HEADING}\n${entries.map((f) => f.entry.content.trim()).join('\n\n')}` : '';
}

/**
 * Which entries enter the prompt: those always on and those with a key in the window or the action,
 * highest order first (ties: their list order, the scenario's before the game's), as long as they
 * fit the budget; the rest are dropped, lowest order first. An entry longer than the whole budget
 * by itself is dropped alone and does not keep out the ones after it.
 */
export function matchWorldInfo(input: WorldInfoInput): WorldInfoMatch {
  const window = Math.max(0, Math.floor(input.window ?? DEFAULT_WORLD_INFO_WINDOW));
  const windowTexts = window > 0 ? input.history.slice(-window).map(normalizeForKeys) : [];
  const action = normalizeForKeys(input.action);
  const placed: PlacedEntry[] = [
    ...input.scenario.map((entry, i) => ({ entry, source: 'scenario' as const, index: i + 1 })),
    ...input.game.map((entry, i) => ({ entry, source: 'game' as const, index: i + 1 })),
  ];
  const candidates: FiredEntry[] = [];
  const silent: SilentEntry[] = [];
  for (const p of placed) {
    const f = firing(p.entry, windowTexts, action);
    if (f.why === null) silent.push({ ...p, why: (f as { silentWhy: string }).silentWhy });
    else candidates.push({ ...p, key: f.key, why: f.why, tokens: estimateTokens(p.entry.content.trim()) });
  }
  // A stable sort: equal orders keep the list order, the scenario's entries first.
  candidates.sort((a, b) => orderOf(b.entry) - orderOf(a.entry));
  const fired: FiredEntry[] = [];
  const dropped: DroppedEntry[] = [];
  const headingChars = WORLD_INFO_HEADING.length + 1;
  let chars = headingChars;
  let full = false;
  for (const c of candidates) {
    const content = c.entry.content.trim();
    const added = (fired.length > 0 ? 2 : 0) + content.length;
    if (!content) {
      dropped.push({ ...c, dropped: 'its content is empty' });
    } else if (tokensOfLength(headingChars + content.length) > input.budget) {
      dropped.push({ ...c, dropped: `it is longer (about ${c.tokens} tokens) than the whole world-info budget of ${input.budget} tokens` });
    } else if (full || tokensOfLength(chars + added) > input.budget) {
      full = true;
      dropped.push({ ...c, dropped: `it did not fit the world-info budget of ${input.budget} tokens (entries of a higher order came first)` });
    } else {
      chars += added;
      fired.push(c);
    }
  }
  const text = worldInfoText(fired);
  return { fired, dropped: dropped.reverse(), silent, text, tokens: text ? estimateTokens(text) : 0, budget: input.budget, window: windowTexts.length };
}

function orderOf(entry: WorldInfoEntry): number {
  return Number.isFinite(entry.order) ? entry.order : DEFAULT_WORLD_INFO_ORDER;
}
