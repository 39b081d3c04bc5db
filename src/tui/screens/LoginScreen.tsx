import { colour } from '../theme.js';
import { Box, Text } from 'ink';
import { BackOnEscape } from '../components/BackOnEscape.js';
import { useState } from 'react';
import type { PublicUser } from '../../store/types.js';
import { fieldToRetry } from '../../auth/accounts.js';
import { CredentialsForm, MISMATCH, type Credentials, type Retry } from '../components/CredentialsForm.js';
import { Frame } from '../components/Frame.js';
import { Menu } from '../components/Menu.js';
import { Notice } from '../components/Notice.js';
import { useServices } from '../context.js';

type Mode = 'choose' | 'login' | 'register';

export function LoginScreen({ onDone, onQuit }: { onDone: (user: PublicUser) => void; onQuit: () => void }) {
  const services = useServices();
  const [mode, setMode] = useState<Mode>('choose');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [retry, setRetry] = useState<Retry | null>(null);
  const [lastChoice, setLastChoice] = useState(0);
  const switchTo = (next: Mode) => {
    setError(null);
    setRetry(null);
    setMode(next);
  };
  const submit = async ({ username, password }: Credentials) => {
    if (password === MISMATCH) return setError('The two passwords differ; type them again.');
    setBusy(true);
    setError(null);
    try {
      if (mode === 'register') await services.accounts.register(username, password);
      onDone(await services.accounts.login(username, password));
    } catch (e) {
      setError((e as Error).message);
      setRetry({ field: fieldToRetry(e) });
      setBusy(false);
    }
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
    <Frame title={mode === 'login' ? 'Log in' : 'Register'} hints="Enter: next field · Esc: back">
      <BackOnEscape onBack={() => switchTo('choose')} />
      <Box flexDirection="column">
        <CredentialsForm key={mode} confirm={mode === 'register'} busy={busy} retry={retry} onSubmit={(c) => void submit(c)} />
      </Box>
      <Notice kind="error" text={error} />
    </Frame>
  );
}

