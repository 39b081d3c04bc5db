import { colour } from '../theme.js';
import { Box, Text } from 'ink';
import { useState } from 'react';
import type { PublicUser } from '../../store/types.js';
import { fieldToRetry } from '../../auth/accounts.js';
import { CredentialsForm, MISMATCH, type Credentials, type Retry } from '../components/CredentialsForm.js';
import { Frame } from '../components/Frame.js';
import { Notice } from '../components/Notice.js';
import { useServices } from '../context.js';

/** The first start: no account yet, so the first one is the administrator's. */
export function FirstRunScreen({ onDone }: { onDone: (user: PublicUser) => void }) {
  const services = useServices();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [retry, setRetry] = useState<Retry | null>(null);
  const submit = async ({ username, password }: Credentials) => {
    if (password === MISMATCH) return setError('The two passwords differ; type them again.');
    setBusy(true);
    try {
      await services.accounts.createFirstAdmin(username, password);
      onDone(await services.accounts.login(username, password));
    } catch (e) {
      setError((e as Error).message);
      setRetry({ field: fieldToRetry(e) });
      setBusy(false);
    }
  };
  return (
    <Frame title="Welcome" hints="Enter: next field · Ctrl+C twice: quit">
      <Text>This is the first start: create the administrator's account.</Text>
      <Text dimColor>Usernames: 3–32 letters, digits, _ . -. Passwords: at least 8 characters.</Text>
      {services.engine.offline ? (
        <Text color={colour('yellow')}>No XAI_API_KEY: the offline demo narrator will tell your stories. Set XAI_API_KEY in .env to play with Grok.</Text>
      ) : null}
      <Box marginTop={1} flexDirection="column">
        <CredentialsForm confirm busy={busy} retry={retry} onSubmit={(c) => void submit(c)} />
      </Box>
      <Notice kind="error" text={error} />
    </Frame>
  );
}
