import { Box, Text } from 'ink';
import { useEffect, useState } from 'react';
import type { ScenarioRecord } from '../../store/types.js';
import { BackOnEscape } from '../components/BackOnEscape.js';
import { Frame } from '../components/Frame.js';
import { Loading } from '../components/Loading.js';
import { Menu } from '../components/Menu.js';
import { Notice } from '../components/Notice.js';
import { useServices } from '../context.js';
import { clip } from '../../text/format.js';

/** Short enough for an 80×24 terminal: the scenario's details, clipped. */
export function ScenarioDetails({ scenario }: { scenario: ScenarioRecord | undefined }) {
  if (!scenario) return null;
  return (
    <Box flexDirection="column" marginTop={1}>
      <Text bold>
        {scenario.name}{' '}
        <Text dimColor>
          v{scenario.version} by {scenario.author}
        </Text>
      </Text>
      <Text>{clip(scenario.description, 300)}</Text>
      <Text dimColor>
        You play {scenario.player_name}: {clip(scenario.role, 120)}
      </Text>
    </Box>
  );
}

export function NewGameScreen({ onStart, onBack }: { onStart: (scenarioId: string) => void; onBack: () => void }) {
  const services = useServices();
  const [scenarios, setScenarios] = useState<ScenarioRecord[] | null>(null);
  const [highlighted, setHighlighted] = useState<string | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  useEffect(() => {
    services.listScenarios().then(setScenarios, (e: Error) => {
      setFailure(`The scenarios could not be listed: ${e.message}`);
      setScenarios([]);
    });
  }, [services]);
  if (!scenarios) return <Loading title="New game" onBack={onBack} />;
  const current = scenarios.find((s) => s.scenario_id === highlighted) ?? scenarios[0];
  return (
    <Frame title="New game" hints="↑↓ choose · Enter start · Esc back">
      <BackOnEscape onBack={onBack} />
      {scenarios.length === 0 && !failure ? <Text>No scenarios yet: an admin can import some.</Text> : null}
      <Menu remember="new-game" items={scenarios.map((s) => ({ label: s.name, value: s.scenario_id }))} onSelect={onStart} onHighlight={setHighlighted} />
      <ScenarioDetails scenario={current} />
      <Notice kind="error" text={failure} />
    </Frame>
  );
}
