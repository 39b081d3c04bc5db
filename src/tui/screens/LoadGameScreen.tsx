import { Box, Text } from 'ink';
import { useCallback, useEffect, useState } from 'react';
import type { PublicUser, SessionSummary } from '../../store/types.js';
import { BackOnEscape } from '../components/BackOnEscape.js';
import { Frame } from '../components/Frame.js';
import { Loading } from '../components/Loading.js';
import { Menu } from '../components/Menu.js';
import { Notice, type NoticeKind } from '../components/Notice.js';
import { Question } from '../components/Question.js';
import { useServices } from '../context.js';
import { existingFile } from '../services.js';
import { clip, plural, shortUtc } from '../../text/format.js';

/** A y/n question and what y does. */
type Asking = { text: string; yes: () => void };

/** The player's own games: Enter continues, e exports (Markdown), d deletes after a y/n. */
export function LoadGameScreen({ user, onOpen, onBack }: { user: PublicUser; onOpen: (sessionId: string) => void; onBack: () => void }) {
  const services = useServices();
  const [sessions, setSessions] = useState<SessionSummary[] | null>(null);
  const [notice, setNotice] = useState<{ kind: NoticeKind; text: string } | null>(null);
  const [asking, setAsking] = useState<Asking | null>(null);
  const [highlighted, setHighlighted] = useState<string | null>(null);
  const reload = useCallback(
    () =>
      void services.listSessions(user).then(setSessions, (e: Error) => {
        setNotice({ kind: 'error', text: `Your games could not be listed: ${e.message}` });
        // The list shown stays (after a delete), or is empty (the first load).
        setSessions((shown) => shown ?? []);
      }),
    [services, user],
  );
  useEffect(reload, [reload]);
  if (!sessions) return <Loading title="Load game" onBack={onBack} />;
  const current = sessions.find((s) => s.id === highlighted) ?? sessions[0];
  const onKey = (input: string, id: string) => {
    const session = sessions.find((s) => s.id === id);
    if (!session) return;
    if (input === 'd') {
      const game = `your ${session.scenario_name} game (${plural(session.turn_count, 'turn')}, last played ${shortUtc(session.updated_at)})`;
      setNotice(null);
      setAsking({
        text: `Delete ${game} for good?`,
        yes: () =>
          void services
            .deleteSession(user, id)
            .then(() => setNotice({ kind: 'success', text: `Deleted ${game}.` }))
            .catch((e: Error) => setNotice({ kind: 'error', text: e.message }))
            .finally(reload),
      });
      return true;
    }
    if (input === 'e' || input === 'E') {
      const format = input === 'e' ? 'md' : 'json';
      const exportTo = (replace: boolean) =>
        services
          .exportSession(user, id, format, undefined, { replace })
          .then((file) => setNotice({ kind: 'success', text: `Exported to ${file}.` }))
          .catch((e: Error) => {
            const there = existingFile(e);
            // A file of that name is there already: replaced only after a y.
            if (there && !replace) return setAsking({ text: `${there} exists already: replace it?`, yes: () => void exportTo(true) });
            setNotice({ kind: 'error', text: e.message });
          });
      setNotice(null);
      void exportTo(false);
    }
  };
  return (
    <Frame title="Load game" hints={sessions.length === 0 ? 'Esc back' : '↑↓ choose · Enter continue · e/E export md/json · d delete · Esc back'}>
      <BackOnEscape onBack={onBack} active={asking === null} />
      {sessions.length === 0 && notice?.kind !== 'error' ? <Text>No games yet: start one from the main menu.</Text> : null}
      <Menu
        remember="load-game"
        focus={asking === null}
        items={sessions.map((s) => ({ label: `${s.scenario_name}`, value: s.id, hint: `turn ${s.turn_count} · ${shortUtc(s.updated_at)}` }))}
        onSelect={onOpen}
        onHighlight={setHighlighted}
        onKey={onKey}
      />
      {current ? (
        <Box marginTop={1}>
          <Text dimColor>{clip(current.last_scene || '(no scene yet)', 200)}</Text>
        </Box>
      ) : null}
      {asking ? (
        <Question
          text={asking.text}
          onAnswer={(yes) => {
            setAsking(null);
            if (yes) asking.yes();
          }}
        />
      ) : null}
      <Notice kind={notice?.kind ?? 'info'} text={notice?.text ?? null} />
    </Frame>
  );
}
