import { colour } from '../theme.js';
import { Box, Text } from 'ink';
import type { PublicUser } from '../../store/types.js';
import { ACCOUNT_RULES, CredentialsForm, type Credentials } from '../components/CredentialsForm.js';
import { Frame } from '../components/Frame.js';
import { Notice } from '../components/Notice.js';
import { useServices } from '../context.js';
import { newAccountCheck, useAccountForm } from '../hooks/useAccountForm.js';

/** The first start: no account yet, so the first one is the administrator's. */
export function FirstRunScreen({ onDone }: { onDone: (user: PublicUser) => void }) {
  const services = useServices();
  const form = useAccountForm(
    async ({ username, password }: Credentials) => {
      await services.accounts.createFirstAdmin(username, password);
      return services.accounts.login(username, password);
    },
    onDone,
    newAccountCheck(services),
  );
  return (
    <Frame title="Welcome" hints="Enter/Tab: next field · ↑: previous · Ctrl+C twice: quit">
      <Text>This is the first start: create the administrator's account.</Text>
      <Text dimColor>{ACCOUNT_RULES}</Text>
      {services.engine.offline ? (
        <Text color={colour('yellow')}>No XAI_API_KEY: the offline demo narrator will tell your stories. Set XAI_API_KEY in .env to play with Grok.</Text>
      ) : null}
      <Box marginTop={1} flexDirection="column">
        <CredentialsForm confirm busy={form.busy} retry={form.retry} onSubmit={form.submit} />
      </Box>
      <Notice kind="error" text={form.error} />
    </Frame>
  );
}
