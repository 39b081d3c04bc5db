import { useState } from 'react';
import { fieldToRetry } from '../../auth/accounts.js';
import { checkPassword, checkUsername, ValidationError } from '../../auth/passwords.js';
import type { Credentials, Retry } from '../components/CredentialsForm.js';
import { useHoldKeys } from '../keys.js';
import type { AppServices } from '../services.js';

/**
 * The checks of a form that makes an account, field by field from the top, so that the first
 * wrong field is the one named: the username's form, whether it is taken, the password's rules,
 * then whether the two passwords match.
 */
export function newAccountCheck(services: Pick<AppServices, 'usernameTaken'>) {
  return async ({ username, password, repeat }: Credentials): Promise<void> => {
    checkUsername(username);
    if (await services.usernameTaken(username)) throw new ValidationError(`The username ${username} is taken.`, 'username');
    checkPassword(password);
    if (repeat !== undefined && repeat !== password) throw new ValidationError('The two passwords differ; type them again.', 'password');
  };
}

/**
 * What the log-in, register and first-run screens share: sending the form to `account` (after
 * `check`, when given), one sentence when it is refused, and which field to type again.
 */
export function useAccountForm<T>(
  account: (credentials: Credentials) => Promise<T>,
  onDone: (result: T) => void,
  check?: (credentials: Credentials) => Promise<void>,
) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [retry, setRetry] = useState<Retry | null>(null);
  // What is typed while the account is checked waits for the next screen (or the form, refused).
  useHoldKeys(busy);
  const submit = async (credentials: Credentials) => {
    setBusy(true);
    setError(null);
    try {
      await check?.(credentials);
      onDone(await account(credentials));
    } catch (e) {
      setError((e as Error).message);
      setRetry({ field: fieldToRetry(e) });
      setBusy(false);
    }
  };
  const reset = () => {
    setError(null);
    setRetry(null);
  };
  return { error, busy, retry, submit: (credentials: Credentials) => void submit(credentials), reset };
}
