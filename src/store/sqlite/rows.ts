import { cleanSteering, cleanWorldInfo } from '../steering.js';
import {
  type AuthorNote,
  type BranchChoice,
  narrationFromStored,
  type MessageRecord,
  type NarrationMeta,
  type NarratorSettings,
  type ScenarioRecord,
  type SessionRecord,
  type StoryState,
  type SystemPromptRecord,
  type SessionSteering,
  type UserRecord,
  type WorldInfoEntry,
} from '../types.js';

/** SQLite keeps dates as ISO 8601 UTC text and nested values as JSON text. */
export const toText = (d: Date | null): string | null => (d ? d.toISOString() : null);
export const toDate = (s: string | null): Date | null => (s ? new Date(s) : null);
const json = <T>(s: string | null): T | null => (s ? (JSON.parse(s) as T) : null);

export type Row = Record<string, unknown>;

export function userFromRow(r: Row): UserRecord {
  return {
    username: r.username as string,
    username_lower: r.username_lower as string,
    password_hash: r.password_hash as string,
    role: r.role as UserRecord['role'],
    created_at: toDate(r.created_at as string) as Date,
    last_login_at: toDate(r.last_login_at as string | null),
    failed_attempts: r.failed_attempts as number,
    locked_until: toDate(r.locked_until as string | null),
  };
}

/** A scenario's world info is JSON text, null when it has none (absent from the record). */
export function scenarioFromRow(r: Row): ScenarioRecord {
  const { world_info, ...rest } = r;
  const entries = json<WorldInfoEntry[]>((world_info as string | null | undefined) ?? null);
  return {
    ...(rest as unknown as ScenarioRecord),
    created_at: toDate(r.created_at as string) as Date,
    updated_at: toDate(r.updated_at as string) as Date,
    ...(entries ? { world_info: entries } : {}),
  };
}

export function scenarioToRow(s: ScenarioRecord): Row {
  return {
    ...s,
    created_at: toText(s.created_at),
    updated_at: toText(s.updated_at),
    world_info: s.world_info ? JSON.stringify(cleanWorldInfo(s.world_info)) : null,
  };
}

export function promptFromRow(r: Row): SystemPromptRecord {
  return {
    name: r.name as string,
    version: r.version as number,
    content: r.content as string,
    active: r.active === 1,
    created_at: toDate(r.created_at as string) as Date,
    created_by: r.created_by as string,
  };
}

/** The columns of the steering fields given (memory is its text, the others JSON), for an UPDATE or an INSERT. */
export function steeringToColumns(steering: SessionSteering): Row {
  const s = cleanSteering(steering);
  const columns: Row = {};
  if (s.memory !== undefined) columns.memory = s.memory;
  if (s.note !== undefined) columns.note = JSON.stringify(s.note);
  if (s.settings !== undefined) columns.settings = JSON.stringify(s.settings);
  if (s.lore !== undefined) columns.lore = JSON.stringify(s.lore);
  return columns;
}

/** The steering fields of a row, each absent when its column is null. */
export function steeringFromRow(r: Row): SessionSteering {
  const out: SessionSteering = {};
  if (typeof r.memory === 'string') out.memory = r.memory;
  const note = json<AuthorNote>((r.note as string | null | undefined) ?? null);
  if (note) out.note = note;
  const settings = json<NarratorSettings>((r.settings as string | null | undefined) ?? null);
  if (settings) out.settings = settings;
  const lore = json<WorldInfoEntry[]>((r.lore as string | null | undefined) ?? null);
  if (lore) out.lore = lore;
  return out;
}

/** A session's choices as kept: JSON text, null when there is none. */
export const choicesToText = (choices: BranchChoice[] | undefined): string | null => (choices?.length ? JSON.stringify(choices) : null);

export function sessionFromRow(r: Row): SessionRecord {
  const choices = json<BranchChoice[]>((r.choices as string | null | undefined) ?? null);
  return {
    id: r.id as string,
    user: r.user as string,
    scenario_id: r.scenario_id as string,
    scenario_name: r.scenario_name as string,
    created_at: toDate(r.created_at as string) as Date,
    updated_at: toDate(r.updated_at as string) as Date,
    head: (r.head as string | null) ?? null,
    turn_count: r.turn_count as number,
    usage: { tokens_in: r.tokens_in as number, tokens_out: r.tokens_out as number },
    state: json<StoryState>(r.state as string) as StoryState,
    ...(choices?.length ? { choices } : {}),
    ...steeringFromRow(r),
  };
}

export function sessionToRow(s: SessionRecord): Row {
  return {
    id: s.id,
    user: s.user,
    scenario_id: s.scenario_id,
    scenario_name: s.scenario_name,
    created_at: toText(s.created_at),
    updated_at: toText(s.updated_at),
    head: s.head,
    turn_count: s.turn_count,
    tokens_in: s.usage.tokens_in,
    tokens_out: s.usage.tokens_out,
    state: JSON.stringify(s.state),
    choices: choicesToText(s.choices),
    memory: null,
    note: null,
    settings: null,
    lore: null,
    ...steeringToColumns(s),
  };
}

export function messageFromRow(r: Row): MessageRecord {
  return {
    id: r.id as string,
    session_id: r.session_id as string,
    parent_id: (r.parent_id as string | null) ?? null,
    sender: r.sender as MessageRecord['sender'],
    content: r.content as string,
    created_at: toDate(r.created_at as string) as Date,
    narration: narrationFromStored(json<NarrationMeta>(r.narration as string | null)),
    state: json<StoryState>(r.state as string | null),
  };
}

export function messageToRow(sessionId: string, m: Omit<MessageRecord, 'session_id'>): Row {
  return {
    id: m.id,
    session_id: sessionId,
    parent_id: m.parent_id,
    sender: m.sender,
    content: m.content,
    created_at: toText(m.created_at),
    narration: m.narration ? JSON.stringify(m.narration) : null,
    state: m.state ? JSON.stringify(m.state) : null,
  };
}
