import { Box, Text } from 'ink';
import { useHoldKeys, useKeys } from '../keys.js';
import { useCallback, useEffect, useState } from 'react';
import { unlockMessage } from '../../auth/accounts.js';
import type { PublicUser, SystemPromptRecord } from '../../store/types.js';
import { BackOnEscape } from '../components/BackOnEscape.js';
import { Frame } from '../components/Frame.js';
import { Menu } from '../components/Menu.js';
import { Notice, type NoticeKind } from '../components/Notice.js';
import { useServices } from '../context.js';
import { plural, shortUtc } from '../../text/format.js';

type Tab = 'prompts' | 'users';
const when = (d: Date | null) => shortUtc(d, 'never');

/** Narrator prompt versions (Enter activates one) and users (Enter unlocks a locked one). Tab switches. */
export function AdminScreen({ user, onBack }: { user: PublicUser; onBack: () => void }) {
  const services = useServices();
  const [tab, setTab] = useState<Tab>('prompts');
  const [prompts, setPrompts] = useState<SystemPromptRecord[]>([]);
  const [users, setUsers] = useState<PublicUser[]>([]);
  const [notice, setNotice] = useState<{ kind: NoticeKind; text: string } | null>(null);
  const [loading, setLoading] = useState(true);
  const reload = useCallback(() => {
    void Promise.all([services.promptVersions().then(setPrompts), services.accounts.listUsers().then(setUsers)])
      .catch((e: Error) => setNotice({ kind: 'error', text: `The admin lists could not be loaded: ${e.message}` }))
      .finally(() => setLoading(false));
  }, [services]);
  useEffect(reload, [reload]);
  useHoldKeys(loading);
  /** Shows what an action did (the promise's text) or why it failed, then reloads the lists. */
  const done = (promise: Promise<string>) =>
    promise
      .then((text) => setNotice({ kind: 'success', text }))
      .catch((e: Error) => setNotice({ kind: 'error', text: e.message }))
      .finally(reload);
  const now = new Date();
  return (
    <Frame
      title={`Admin · ${tab === 'prompts' ? 'narrator prompt' : 'users'}`}
      hints={`Tab: ${tab === 'prompts' ? 'users' : 'prompt'} · ↑↓ choose · Enter ${tab === 'prompts' ? 'activate' : 'unlock'} · Esc back`}
    >
      <BackOnEscape onBack={onBack} />
      <TabSwitch
        onTab={() => {
          // What was said of one list is not left under the other.
          setNotice(null);
          setTab(tab === 'prompts' ? 'users' : 'prompts');
        }}
      />
      {tab === 'prompts' ? (
        <Box flexDirection="column">
          <Menu
            key="prompts"
            remember="admin-prompts"
            items={prompts.map((p) => ({
              label: `${p.active ? '●' : '○'} version ${p.version}`,
              value: p.version,
              hint: `${when(p.created_at)} by ${p.created_by}: ${(p.content.split('\n')[0] ?? '').slice(0, 40)}`,
            }))}
            onSelect={(version) => void done(services.activatePrompt(version, user).then(() => `Version ${version} is now the narrator's prompt.`))}
          />
        </Box>
      ) : (
        <Menu
          key="users"
          remember="admin-users"
          items={users.map((u) => ({
            label: `${u.username} (${u.role})`,
            value: u.username,
            hint: `last login ${when(u.last_login_at)}${u.locked_until && u.locked_until > now ? ' · LOCKED' : ''}`,
          }))}
          onSelect={(name) =>
            void done(
              services.accounts.unlock(name, user.username).then((outcome) => {
                if (outcome === 'no-such-user') throw new Error(unlockMessage(name, outcome));
                return unlockMessage(name, outcome);
              }),
            )
          }
        />
      )}
      <Notice kind={notice?.kind ?? 'info'} text={notice?.text ?? null} />
      <Text dimColor>{tab === 'prompts' ? `${plural(prompts.length, 'version')}; a new one: storyos prompt set FILE` : plural(users.length, 'user')}</Text>
    </Frame>
  );
}

function TabSwitch({ onTab }: { onTab: () => void }) {
  useKeys((_input, key) => {
    if (key.tab) onTab();
  });
  return null;
}
