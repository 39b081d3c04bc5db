import { createContext, useContext } from 'react';

/**
 * The game screen registers how to cancel a narration; Ctrl+C asks it first. It answers false
 * when there was nothing to cancel, else the sentence to show, or null when the screen says
 * itself what the cancel did.
 */
export interface CancelRegistry {
  current: (() => false | string | null) | null;
  /** Settles when the narration in progress (if any) is done and saved: a signal waits for it. */
  inFlight: Promise<void> | null;
}

export const CancelContext = createContext<CancelRegistry>({ current: null, inFlight: null });

export function useCancelRegistry(): CancelRegistry {
  return useContext(CancelContext);
}
