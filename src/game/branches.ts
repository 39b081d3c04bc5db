import type { BranchChoice, MessageRecord } from '../store/types.js';

/**
 * The story's message tree, without a store: tellings, the line a branch follows, branch points.
 * Pure; every function takes messages in the order they were appended (the store's `seq` order),
 * the whole session's or only the part it needs (a turn's children and grandchildren).
 */

/** 1-based: "‹ 2/3 ›". */
export interface Telling {
  index: number;
  count: number;
}

export interface BranchAlternative {
  /** The narration to jump to. */
  id: string;
  /** The player's action before it; null for an opening or a continuation. */
  action: string | null;
  /** The first words of the narration, on one line. */
  preview: string;
  /** Whether it is on the branch shown. */
  shown: boolean;
}

export interface BranchPoint {
  /** The turn number these alternatives are of (the opening is 0). */
  turn: number;
  alternatives: BranchAlternative[];
}

export const ONE_TELLING: Telling = { index: 1, count: 1 };
const PREVIEW_WORDS = 8;

/** An edge of the tree: a parent (null: the session's first messages) and one of its children. */
export type Edge = BranchChoice;

/** Messages by id and by parent, each parent's children in the order given. */
export class MessageTree {
  readonly byId = new Map<string, MessageRecord>();
  private readonly kids = new Map<string | null, MessageRecord[]>();
  private readonly place = new Map<string, number>();

  constructor(messages: Iterable<MessageRecord>) {
    for (const message of messages) this.add(message);
  }

  /** Adds a message after those already there (one about to be appended, say). */
  add(message: MessageRecord): void {
    if (this.byId.has(message.id)) return;
    this.byId.set(message.id, message);
    this.place.set(message.id, this.place.size);
    const siblings = this.kids.get(message.parent_id);
    if (siblings) siblings.push(message);
    else this.kids.set(message.parent_id, [message]);
  }

  get(id: string | null): MessageRecord | undefined {
    return id === null ? undefined : this.byId.get(id);
  }

  children(parentId: string | null): MessageRecord[] {
    return this.kids.get(parentId) ?? [];
  }

  /** The order a message was appended in, among those given. */
  order(id: string): number {
    return this.place.get(id) ?? Number.POSITIVE_INFINITY;
  }

  /** The messages from the first down to `id`, oldest first (as far up as the tree holds). */
  pathTo(id: string): MessageRecord[] {
    const path: MessageRecord[] = [];
    const seen = new Set<string>();
    for (let m = this.byId.get(id); m && !seen.has(m.id); m = m.parent_id === null ? undefined : this.byId.get(m.parent_id)) {
      path.push(m);
      seen.add(m.id);
    }
    return path.reverse();
  }
}

const isNarration = (m: MessageRecord | undefined): boolean => m?.sender === 'StoryOS';

/**
 * The message a narration's turn starts from: the narration before the player's action it answers,
 * or the narration it continues; null for an opening (or an action that is the session's first message).
 */
export function turnStartOf(narration: MessageRecord, parent: MessageRecord | null | undefined): string | null {
  if (narration.parent_id === null) return null;
  if (parent?.sender === 'player') return parent.parent_id;
  return narration.parent_id;
}

/**
 * The tellings of the turn that starts from `startId`, in the order they were appended: every
 * narration that is a child of it (a continuation and its retries), or a child of one of its
 * player children (retries, other actions, edited actions). Actions with no narration are none.
 */
export function tellingsOf(tree: MessageTree, startId: string | null): MessageRecord[] {
  const out: MessageRecord[] = [];
  for (const child of tree.children(startId)) {
    if (isNarration(child)) out.push(child);
    else out.push(...tree.children(child.id).filter(isNarration));
  }
  return out.sort((a, b) => tree.order(a.id) - tree.order(b.id));
}

/** Which telling of its turn `narrationId` is ({1, 1} when it has no alternatives, or is no telling of that turn). */
export function tellingIndex(tree: MessageTree, startId: string | null, narrationId: string): Telling {
  const tellings = tellingsOf(tree, startId);
  const i = tellings.findIndex((m) => m.id === narrationId);
  return i < 0 ? ONE_TELLING : { index: i + 1, count: tellings.length };
}

/** Whether a child leads to a narration: a narration, or an action that has one. */
function leadsOn(tree: MessageTree, child: MessageRecord): boolean {
  return isNarration(child) || tree.children(child.id).some(isNarration);
}

/** The child a line takes by default: the latest that leads to a narration; null when none does. */
export function defaultChild(tree: MessageTree, parentId: string | null): MessageRecord | null {
  const children = tree.children(parentId);
  for (let i = children.length - 1; i >= 0; i--) {
    const child = children[i] as MessageRecord;
    if (leadsOn(tree, child)) return child;
  }
  return null;
}

/** The child the line takes at `parentId`: the one last shown when it is remembered (and leads on), else the default. */
export function chosenChild(tree: MessageTree, choices: readonly BranchChoice[], parentId: string | null): MessageRecord | null {
  const remembered = choices.find((c) => c.parent === parentId);
  const child = remembered ? tree.get(remembered.child) : undefined;
  if (child && child.parent_id === parentId && leadsOn(tree, child)) return child;
  return defaultChild(tree, parentId);
}

/**
 * The next narration along the line from `fromId` (a narration, or null for the story's start):
 * through the chosen child, and through the player's action when that child is one. Null at the end.
 */
export function nextNarration(tree: MessageTree, choices: readonly BranchChoice[], fromId: string | null): MessageRecord | null {
  const child = chosenChild(tree, choices, fromId);
  if (!child) return null;
  if (isNarration(child)) return child;
  return chosenChild(tree, choices, child.id);
}

/** The narrations from `fromId` (included) down to the end of its line, following the choices. */
export function lineFrom(tree: MessageTree, choices: readonly BranchChoice[], fromId: string): MessageRecord[] {
  const line: MessageRecord[] = [];
  const seen = new Set<string>();
  for (let m: MessageRecord | null | undefined = tree.get(fromId); m && !seen.has(m.id); m = nextNarration(tree, choices, m.id)) {
    line.push(m);
    seen.add(m.id);
  }
  return line;
}

/** The edges of a path of messages (oldest first, starting at the session's first message or below). */
export function edgesOf(path: readonly MessageRecord[]): Edge[] {
  return path.map((m) => ({ parent: m.parent_id, child: m.id }));
}

/**
 * The choices once the head is on a path through `edges`: at each of their parents, the child on
 * the path is remembered when it is not the default, and forgotten when it is; the choices at
 * other branch points are kept. An edge to an action with no narration changes nothing.
 */
export function withChoices(tree: MessageTree, choices: readonly BranchChoice[], edges: readonly Edge[]): BranchChoice[] {
  const out = new Map<string | null, string>(choices.map((c) => [c.parent, c.child]));
  for (const { parent, child } of edges) {
    const message = tree.get(child);
    if (!message || !leadsOn(tree, message)) continue;
    if (defaultChild(tree, parent)?.id === child) out.delete(parent);
    else out.set(parent, child);
  }
  return [...out].map(([parent, child]) => ({ parent, child }));
}

/** A narration's words without Markdown's marks (`*`, `_`, `` ` ``, `#`), which a preview on one line would show raw. */
function plainWords(text: string): string[] {
  return text
    .split(/\s+/)
    .map((word) => word.replace(/[*_`#]+/g, ''))
    .filter(Boolean);
}

/** The first words of a narration, on one line; after `skip` words (those its alternatives share) when given. */
export function previewOf(text: string, words = PREVIEW_WORDS, skip = 0): string {
  const all = plainWords(text);
  const head = all.slice(skip, skip + words).join(' ');
  return `${skip > 0 ? '… ' : ''}${head}${all.length > skip + words ? ' …' : ''}`;
}

/** Alternatives that begin alike (a retry often does) are told apart where they differ: the words all of them share, when there are 3 or more. */
export function sharedOpening(texts: string[]): number {
  const lists = texts.map(plainWords);
  const shortest = Math.min(...lists.map((l) => l.length));
  let shared = 0;
  while (shared < shortest - 1 && lists.every((l) => l[shared] === lists[0]?.[shared])) shared++;
  return shared >= 3 ? shared : 0;
}

/** The number of a narration's turn: the narrations on its branch before it (the opening is 0). */
export function turnNumberOf(tree: MessageTree, narrationId: string): number {
  return tree.pathTo(narrationId).filter(isNarration).length - 1;
}

/**
 * Every branch point of the tree: the turns with two tellings or more, oldest first (by turn, then
 * by when the first telling was appended), each with its alternatives and which one is shown.
 */
export function branchPoints(tree: MessageTree, headId: string | null): BranchPoint[] {
  const shown = new Set(headId ? tree.pathTo(headId).map((m) => m.id) : []);
  const starts: Array<string | null> = [null, ...[...tree.byId.values()].filter(isNarration).map((m) => m.id)];
  const points: Array<BranchPoint & { first: number }> = [];
  const turns = new Map<string | null, number>([[null, -1]]);
  const turnOf = (id: string | null): number => {
    const known = turns.get(id);
    if (known !== undefined) return known;
    const n = turnNumberOf(tree, id as string);
    turns.set(id, n);
    return n;
  };
  for (const start of starts) {
    const tellings = tellingsOf(tree, start);
    if (tellings.length < 2) continue;
    const skip = sharedOpening(tellings.map((m) => m.content));
    points.push({
      turn: turnOf(start) + 1,
      first: tree.order((tellings[0] as MessageRecord).id),
      alternatives: tellings.map((m) => {
        const parent = tree.get(m.parent_id);
        return {
          id: m.id,
          action: parent?.sender === 'player' ? parent.content : null,
          preview: previewOf(m.content, PREVIEW_WORDS, skip),
          shown: shown.has(m.id),
        };
      }),
    });
  }
  return points.sort((a, b) => a.turn - b.turn || a.first - b.first).map(({ turn, alternatives }) => ({ turn, alternatives }));
}
