import { describe, expect, it } from 'vitest';
import {
  branchIds,
  MESSAGE_ORDER,
  MESSAGE_ORDER_INDEX,
  messageFromDoc,
  messageToDoc,
  parentsFirst,
  scenarioFromDoc,
  scenarioToDoc,
  sessionFromDoc,
  sessionToDoc,
  stateFromDoc,
  type MessageDoc,
  type SessionDoc,
} from '../../src/store/mongo/docs.js';
import type { MessageRecord } from '../../src/store/types.js';
import { LORE, STEERING, scenario, session, state, turn } from './contract.js';

/** Every field name in a document, however deep. */
function fieldNames(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(fieldNames);
  if (value === null || typeof value !== 'object' || value instanceof Date) return [];
  return Object.entries(value).flatMap(([key, inner]) => [key, ...fieldNames(inner)]);
}

const hostile = { 'Dr. Mara': 'a doctor', $ilver: 'a thief', 'a.b': 'dots', '': 'no name' };

describe('MongoDB documents (the part of the MongoDB store a test can reach without a server)', () => {
  it('never have a field name MongoDB refuses, whatever the characters are called, and read back the same', () => {
    const record = { ...session('alice'), state: { ...state(1), characters: hostile } };
    const sessionDoc = sessionToDoc(record);
    const [action, narration] = turn(null, 1);
    const messageDoc = messageToDoc(record.id, { ...narration!, state: { ...state(1), characters: hostile } }, 2);
    for (const doc of [sessionDoc, messageDoc, messageToDoc(record.id, action!, 1)]) {
      expect(fieldNames(doc).filter((name) => name.includes('.') || name.startsWith('$'))).toEqual([]);
    }
    expect(sessionFromDoc({ ...sessionDoc, message_seq: 7 })).toEqual(record);
    expect(messageFromDoc(messageDoc)).toEqual({ ...narration, session_id: record.id, state: { ...state(1), characters: hostile } });
    expect(messageDoc.seq).toBe(2);
  });

  it('keep the choices as a list of { parent, child } (message ids are never field names), and leave an empty list out', () => {
    const choices = [
      { parent: null, child: 'a.b' },
      { parent: '$x.y', child: 'c' },
    ];
    const record = { ...session('alice'), choices };
    const doc = sessionToDoc(record);
    expect(fieldNames(doc).filter((name) => name.includes('.') || name.startsWith('$'))).toEqual([]);
    expect(doc.choices).toEqual(choices);
    expect(sessionFromDoc(doc)).toEqual(record);
    expect('choices' in sessionFromDoc({ ...doc, choices: [] })).toBe(false);
    const [, narration] = turn(null, 1);
    const edited = { ...narration!, narration: { ...narration!.narration!, edited_from: 'original-id' } };
    expect(messageFromDoc(messageToDoc('s', edited, 3)).narration?.edited_from).toBe('original-id');
  });

  it('keep the steering fields and world info as plain fields (lore keys are values), only those set, and read back the same', () => {
    const record = { ...session('alice'), ...STEERING, lore: LORE };
    const doc = sessionToDoc(record);
    expect(fieldNames(doc).filter((name) => name.includes('.') || name.startsWith('$'))).toEqual([]);
    expect(doc).toMatchObject({ memory: STEERING.memory, note: STEERING.note, settings: STEERING.settings, lore: LORE });
    expect(sessionFromDoc(doc)).toEqual(record);
    // None set: none written (the driver would write an undefined field as null), and null reads as absent.
    const plain = sessionToDoc(session('bob'));
    for (const key of ['memory', 'note', 'settings', 'lore']) expect(key in plain, key).toBe(false);
    const nulls = sessionFromDoc({ ...plain, memory: null, note: null, settings: null, lore: null } as unknown as SessionDoc);
    for (const key of ['memory', 'note', 'settings', 'lore']) expect(key in nulls, key).toBe(false);
    const withLore = { ...scenario('x'), world_info: LORE };
    const scenarioDoc = scenarioToDoc(withLore);
    expect(fieldNames(scenarioDoc).filter((name) => name.includes('.') || name.startsWith('$'))).toEqual([]);
    expect(scenarioFromDoc({ ...scenarioDoc, _id: 'oid' } as never)).toEqual(withLore);
    expect('world_info' in scenarioToDoc(scenario('y'))).toBe(false);
  });

  it('read documents written before characters were a list, and before seq', () => {
    const legacy = { ...state(3), characters: { Mara: 'met' } };
    expect(stateFromDoc(legacy)).toEqual(legacy);
    const { id, ...rest } = session('bob');
    expect(sessionFromDoc({ _id: id, ...rest, state: legacy } as SessionDoc)).toEqual({ id, ...rest, state: legacy });
    const [action] = turn(null, 1);
    const { id: messageId, ...message } = action!;
    expect(messageFromDoc({ _id: messageId, ...message, session_id: 's' } as MessageDoc)).toEqual({ ...action, session_id: 's' });
  });

  it('sort by seq, old documents first by time then id, on an index that serves the sort within a session', () => {
    expect(Object.keys(MESSAGE_ORDER)).toEqual(['seq', 'created_at', '_id']);
    expect(MESSAGE_ORDER_INDEX).toEqual({ session_id: 1, seq: 1, created_at: 1, _id: 1 });
  });

  it('put parents before children, otherwise keeping the order (old turns whose action and narration tied)', () => {
    const m = (id: string, parent: string | null) => ({ id, parent_id: parent }) as MessageRecord;
    const ids = (messages: MessageRecord[]) => messages.map((x) => x.id);
    expect(ids(parentsFirst([m('n1', 'a1'), m('a1', null), m('n2', 'a2'), m('a2', 'n1'), m('r2', 'a2')]))).toEqual(['a1', 'n1', 'a2', 'n2', 'r2']);
    expect(ids(parentsFirst([m('a', null), m('b', 'a'), m('c', 'b')]))).toEqual(['a', 'b', 'c']);
    expect(ids(parentsFirst([m('x', 'elsewhere'), m('y', 'x')]))).toEqual(['x', 'y']);
    expect(ids(parentsFirst([m('p', 'q'), m('q', 'p')]))).toHaveLength(2);
  });

  it('walk a branch from its head through the parents, the last `limit` of it, oldest first', () => {
    const links = [
      { _id: 'a1', parent_id: null },
      { _id: 'n1', parent_id: 'a1' },
      { _id: 'a2', parent_id: 'n1' },
      { _id: 'n2', parent_id: 'a2' },
      { _id: 'r2', parent_id: 'a2' },
    ];
    expect(branchIds(links, 'r2', 100)).toEqual(['a1', 'n1', 'a2', 'r2']);
    expect(branchIds(links, 'n2', 2)).toEqual(['a2', 'n2']);
    expect(branchIds(links, 'missing', 5)).toEqual([]);
    expect(
      branchIds(
        [
          { _id: 'p', parent_id: 'q' },
          { _id: 'q', parent_id: 'p' },
        ],
        'p',
        1_000_000_000,
      ),
    ).toEqual(['q', 'p']);
  });
});
