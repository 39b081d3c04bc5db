import { Box } from 'ink';
import { useEffect, useState } from 'react';
import { TextField } from './TextField.js';

/** Sent as the password when the confirmation differs. */
export const MISMATCH = '\u0000mismatch';

export interface Credentials {
  username: string;
  password: string;
}

/** After a refused submission: the field to type again (a new object each time). */
export interface Retry {
  field: 'username' | 'password';
}

/**
 * Username, password (and its confirmation): Enter moves to the next field, then submits; ↑↓
 * move between fields. A refused submission clears the passwords and focuses `retry.field`.
 */
export function CredentialsForm({ confirm = false, busy = false, retry = null, onSubmit }: { confirm?: boolean; busy?: boolean; retry?: Retry | null; onSubmit: (c: Credentials) => void }) {
  const [field, setField] = useState(0);
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [repeat, setRepeat] = useState('');
  const last = confirm ? 2 : 1;
  useEffect(() => {
    if (!retry) return;
    setPassword('');
    setRepeat('');
    setField(retry.field === 'username' ? 0 : 1);
  }, [retry]);
  /** `value` is the submitted field's text, which may be newer than the state of this render. */
  const next = (value: string) => {
    const values = { username, password, repeat, [['username', 'password', 'repeat'][field] as string]: value };
    if (field < last) return setField(field + 1);
    if (confirm && values.password !== values.repeat) {
      setPassword('');
      setRepeat('');
      setField(1);
      onSubmit({ username: values.username, password: MISMATCH });
      return;
    }
    onSubmit({ username: values.username, password: values.password });
    setPassword('');
    setRepeat('');
    setField(1);
  };
  return (
    <Box flexDirection="column">
      <TextField label="Username:" value={username} onChange={setUsername} onSubmit={next} focus={!busy && field === 0} onHistory={(d) => d === 'down' && setField(1)} />
      <TextField label="Password:" value={password} onChange={setPassword} onSubmit={next} mask focus={!busy && field === 1} onHistory={(d) => setField(d === 'up' ? 0 : Math.min(last, 2))} />
      {confirm ? <TextField label="Repeat it:" value={repeat} onChange={setRepeat} onSubmit={next} mask focus={!busy && field === 2} onHistory={(d) => d === 'up' && setField(1)} /> : null}
    </Box>
  );
}

