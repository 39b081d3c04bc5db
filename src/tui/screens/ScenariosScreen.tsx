import { useCallback, useEffect, useState } from 'react';
import type { PublicUser, ScenarioRecord } from '../../store/types.js';
import { BackOnEscape } from '../components/BackOnEscape.js';
import { Frame } from '../components/Frame.js';
import { Loading } from '../components/Loading.js';
import { Menu } from '../components/Menu.js';
import { Notice, type NoticeKind } from '../components/Notice.js';
import { Question } from '../components/Question.js';
import { TextField } from '../components/TextField.js';
import { useServices } from '../context.js';
import { ScenarioDetails } from './NewGameScreen.js';

type Mode = { kind: 'browse' } | { kind: 'import'; path: string } | { kind: 'delete'; scenario: ScenarioRecord };

/** Browse scenarios; an admin also imports (i), edits in $EDITOR (x) and deletes (d). */
export function ScenariosScreen({ user, onBack }: { user: PublicUser; onBack: () => void }) {
  const services = useServices();
  const admin = user.role === 'admin';
  const [scenarios, setScenarios] = useState<ScenarioRecord[] | null>(null);
  const [highlighted, setHighlighted] = useState<string | null>(null);
  const [mode, setMode] = useState<Mode>({ kind: 'browse' });
  const [notice, setNotice] = useState<{ kind: NoticeKind; text: string } | null>(null);
  const reload = useCallback(
    () =>
      void services.listScenarios().then(setScenarios, (e: Error) => {
        setNotice({ kind: 'error', text: `The scenarios could not be listed: ${e.message}` });
        // The list shown stays (after an action), or is empty (the first load).
        setScenarios((shown) => shown ?? []);
      }),
    [services],
  );
  useEffect(reload, [reload]);
  const report = (promise: Promise<string>) =>
    promise
      .then((text) => setNotice({ kind: 'success', text }))
      .catch((e: Error) => setNotice({ kind: 'error', text: e.message }))
      .finally(() => {
        setMode({ kind: 'browse' });
        reload();
      });
  if (!scenarios) return <Loading title="Scenarios" onBack={onBack} />;
  const current = scenarios.find((s) => s.scenario_id === highlighted) ?? scenarios[0];
  const onKey = (input: string, id: string) => {
    if (!admin) return;
    const scenario = scenarios.find((s) => s.scenario_id === id);
    // What an earlier action said is not left under the next one.
    if (['i', 'd', 'x'].includes(input)) setNotice(null);
    if (input === 'i') setMode({ kind: 'import', path: '' });
    else if (input === 'd' && scenario) setMode({ kind: 'delete', scenario });
    else if (input === 'x' && scenario && services.editScenario) void report(services.editScenario(id, user));
    else return false;
    return true;
  };
  const hints = admin ? `↑↓ choose · i import a file${services.editScenario ? ' · x edit in $EDITOR' : ''} · d delete · Esc back` : '↑↓ choose · Esc back';
  return (
    <Frame title="Scenarios" hints={hints}>
      <BackOnEscape onBack={mode.kind === 'browse' ? onBack : () => setMode({ kind: 'browse' })} active={mode.kind !== 'delete'} />
      <Menu
        remember="scenarios"
        focus={mode.kind === 'browse'}
        items={scenarios.map((s) => ({ label: s.name, value: s.scenario_id, hint: `${s.scenario_id} v${s.version}` }))}
        onSelect={() => {}}
        onHighlight={setHighlighted}
        onKey={onKey}
      />
      <ScenarioDetails scenario={current} />
      {mode.kind === 'import' ? (
        <TextField
          label="Import from file (.md or .json):"
          value={mode.path}
          onChange={(path) => setMode({ kind: 'import', path })}
          onSubmit={(path) => void report(services.importScenario(path.trim(), user).then((id) => `Imported ${id}.`))}
        />
      ) : null}
      {mode.kind === 'delete' ? (
        <Question
          text={`Delete the scenario ${mode.scenario.name} (${mode.scenario.scenario_id}) for good?`}
          onAnswer={(yes) => {
            const { scenario } = mode;
            if (yes) void report(services.deleteScenario(scenario.scenario_id, user).then(() => `Deleted ${scenario.name}.`));
            else setMode({ kind: 'browse' });
          }}
        />
      ) : null}
      <Notice kind={notice?.kind ?? 'info'} text={notice?.text ?? null} />
    </Frame>
  );
}
