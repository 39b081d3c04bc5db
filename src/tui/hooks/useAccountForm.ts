import { useState } from 'react';
import { fieldToRetry } from '../../auth/accounts.js';
import { MISMATCH, type Credentials, type Retry } from '../components/CredentialsForm.js';
import { useHoldKeys } from '../keys.js';

/**
 * What the log-in, register and first-run screens share: sending the form to `account`, one
 * sentence when it is refused, and which field to type again.
 */
export function useAccountForm<T>(account: (credentials: Credentials) => Promise<T>, onDone: (result: T) => void) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [retry, setRetry] = useState<Retry | null>(null);
  // What is typed while the account is checked waits for the next screen (or the form, refused).
  useHoldKeys(busy);
  const submit = async (credentials: Credentials) => {
    if (credentials.password === MISMATCH) return setError('The two passwords differ; type them again.');
    setBusy(true);
    setError(null);
    try {
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
