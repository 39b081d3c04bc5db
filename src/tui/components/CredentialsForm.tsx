import { Box } from 'ink';
import { useEffect, useState } from 'react';
import { applyKeys, TextField } from './TextField.js';

/** What a new account's name and password must be, for the forms that make one. */
export const ACCOUNT_RULES = 'Usernames: 3–32 letters, digits, _ . -. Passwords: at least 8 characters.';

export interface Credentials {
  username: string;
  password: string;
  /** The password typed again, in a form that makes an account. */
  repeat?: string;
}

/** After a refused submission: the field to type again, emptied (a new object each time). */
export interface Retry {
  field: 'username' | 'password';
}

const SEPARATOR = /(\r\n|\r|\n|\t)/;

/**
 * The fields after keys typed ahead of the screen (a fast typist, a paste, a password manager's
 * "name Tab password Enter"): a line or a Tab ends a field, Enter on the last one submits, and
 * what follows a submission is `unused`, for the next screen.
 */
export function typeAhead(
  values: readonly string[],
  field: number,
  rest: string,
  last: number,
): { values: string[]; field: number; submit: boolean; unused: string } {
  const filled = [...values];
  let at = field;
  const pieces = rest.split(SEPARATOR);
  for (const [index, piece] of pieces.entries()) {
    if (piece === '\t') at = Math.min(last, at + 1);
    else if (SEPARATOR.test(piece)) {
      if (at === last) return { values: filled, field: at, submit: true, unused: pieces.slice(index + 1).join('') };
      at += 1;
    } else {
      const text = filled[at] ?? '';
      filled[at] = applyKeys([...piece], text, text.length).next;
    }
  }
  return { values: filled, field: at, submit: false, unused: '' };
}

/**
 * Username, password (and its confirmation): Enter (or Tab) moves to the next field, Enter on the
 * last submits; ↑↓ move between fields. A refused submission clears the passwords, and puts the
 * cursor in `retry.field` with its text cleared.
 */
export function CredentialsForm({
  confirm = false,
  busy = false,
  retry = null,
  onSubmit,
}: {
  confirm?: boolean;
  busy?: boolean;
  retry?: Retry | null;
  onSubmit: (c: Credentials) => void;
}) {
  const [field, setField] = useState(0);
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [repeat, setRepeat] = useState('');
  const last = confirm ? 2 : 1;
  useEffect(() => {
    if (!retry) return;
    if (retry.field === 'username') setUsername('');
    setPassword('');
    setRepeat('');
    setField(retry.field === 'username' ? 0 : 1);
  }, [retry]);
  /** `value` is the field's text, which may be newer than this render's; `rest` what was typed after it. Returns what the form did not use. */
  const next = (value: string, rest = '\r') => {
    const typed = typeAhead(
      [username, password, repeat].map((text, i) => (i === field ? value : text)),
      field,
      rest,
      last,
    );
    const [name = '', secret = '', again = ''] = typed.values;
    setUsername(name);
    setPassword(secret);
    setRepeat(again);
    setField(typed.field);
    if (!typed.submit) return;
    setPassword('');
    setRepeat('');
    setField(1);
    onSubmit(confirm ? { username: name, password: secret, repeat: again } : { username: name, password: secret });
    return typed.unused;
  };
  return (
    <Box flexDirection="column">
      <TextField
        label="Username:"
        value={username}
        onChange={setUsername}
        onSubmit={next}
        endsAtSeparator
        focus={!busy && field === 0}
        onHistory={(d) => d === 'down' && setField(1)}
      />
      <TextField
        label="Password:"
        value={password}
        onChange={setPassword}
        onSubmit={next}
        endsAtSeparator
        mask
        focus={!busy && field === 1}
        onHistory={(d) => setField(d === 'up' ? 0 : Math.min(last, 2))}
      />
      {confirm ? (
        <TextField
          label="Repeat it:"
          value={repeat}
          onChange={setRepeat}
          onSubmit={next}
          endsAtSeparator
          mask
          focus={!busy && field === 2}
          onHistory={(d) => d === 'up' && setField(1)}
        />
      ) : null}
    </Box>
  );
}
