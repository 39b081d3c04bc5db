import { colour } from '../theme.js';
import { Box, Text } from 'ink';
import { BackOnEscape } from '../components/BackOnEscape.js';
import { useState } from 'react';
import type { PublicUser } from '../../store/types.js';
import { ACCOUNT_RULES, CredentialsForm, type Credentials } from '../components/CredentialsForm.js';
import { Frame } from '../components/Frame.js';
import { Menu } from '../components/Menu.js';
import { Notice } from '../components/Notice.js';
import { useServices } from '../context.js';
import { newAccountCheck, useAccountForm } from '../hooks/useAccountForm.js';

type Mode = 'choose' | 'login' | 'register';

export function LoginScreen({ onDone, onQuit }: { onDone: (user: PublicUser) => void; onQuit: () => void }) {
  const services = useServices();
  const [mode, setMode] = useState<Mode>('choose');
  const [lastChoice, setLastChoice] = useState(0);
  const form = useAccountForm(
    async ({ username, password }: Credentials) => {
      if (mode === 'register') await services.accounts.register(username, password);
      return services.accounts.login(username, password);
    },
    onDone,
    mode === 'register' ? newAccountCheck(services) : undefined,
  );
  const switchTo = (next: Mode) => {
    form.reset();
    setMode(next);
  };
  if (mode === 'choose') {
    return (
      <Frame title="Log in" hints="↑↓ choose · Enter select">
        {services.engine.offline ? (
          <Box marginBottom={1}>
            <Text color={colour('yellow')}>Offline demo narrator (no XAI_API_KEY). Set XAI_API_KEY in .env to play with Grok.</Text>
          </Box>
        ) : null}
        <Menu
          initial={lastChoice}
          items={[
            { label: 'Log in', value: 'login' as const },
            { label: 'Register', value: 'register' as const, hint: 'a new player account' },
            { label: 'Quit', value: 'quit' as const },
          ]}
          onSelect={(v) => {
            if (v === 'quit') return onQuit();
            setLastChoice(v === 'login' ? 0 : 1);
            switchTo(v);
          }}
        />
      </Frame>
    );
  }
  return (
    <Frame title={mode === 'login' ? 'Log in' : 'Register'} hints="Enter/Tab: next field · ↑: previous · Esc: back">
      <BackOnEscape onBack={() => switchTo('choose')} />
      {mode === 'register' ? (
        <Box marginBottom={1}>
          <Text dimColor>{ACCOUNT_RULES}</Text>
        </Box>
      ) : null}
      <Box flexDirection="column">
        <CredentialsForm key={mode} confirm={mode === 'register'} busy={form.busy} retry={form.retry} onSubmit={form.submit} />
      </Box>
      <Notice kind="error" text={form.error} />
    </Frame>
  );
}
