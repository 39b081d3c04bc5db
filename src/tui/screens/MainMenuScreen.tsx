import { useEffect, useState } from 'react';
import type { PublicUser, SessionSummary } from '../../store/types.js';
import { Frame } from '../components/Frame.js';
import { Loading } from '../components/Loading.js';
import { Menu, type MenuItem } from '../components/Menu.js';
import { Notice } from '../components/Notice.js';
import { useServices } from '../context.js';

export type MenuChoice = 'new' | 'continue' | 'load' | 'scenarios' | 'admin' | 'logout' | 'quit';

export function MainMenuScreen({ user, onChoose }: { user: PublicUser; onChoose: (choice: MenuChoice, last?: SessionSummary) => void }) {
  const services = useServices();
  const [last, setLast] = useState<SessionSummary | null | undefined>(undefined);
  const [failure, setFailure] = useState<string | null>(null);
  useEffect(() => {
    // A store that fails here leaves the menu without "Continue last game", and says why.
    services.listSessions(user).then(
      (sessions) => setLast(sessions[0] ?? null),
      (e: Error) => {
        setFailure(`Your last game could not be found: ${e.message}`);
        setLast(null);
      },
    );
  }, [services, user]);
  if (last === undefined) return <Loading title="Main menu" />;
  const items: MenuItem<MenuChoice>[] = [
    { label: 'New game', value: 'new' },
    ...(last ? [{ label: 'Continue last game', value: 'continue' as const, hint: `${last.scenario_name}, turn ${last.turn_count}` }] : []),
    { label: 'Load game', value: 'load' },
    { label: 'Scenarios', value: 'scenarios' },
    ...(user.role === 'admin' ? [{ label: 'Admin', value: 'admin' as const, hint: 'narrator prompt, users' }] : []),
    { label: 'Log out', value: 'logout' },
    { label: 'Quit', value: 'quit' },
  ];
  return (
    <Frame title={`Main menu · ${user.username}${user.role === 'admin' ? ' (admin)' : ''}`} hints="↑↓ choose · Enter select · Ctrl+C twice: quit">
      <Menu remember="main" items={items} onSelect={(choice) => onChoose(choice, last ?? undefined)} />
      <Notice kind="error" text={failure} />
    </Frame>
  );
}
