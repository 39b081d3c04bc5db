import { createContext, useContext } from 'react';

/** The game screen registers how to cancel a narration; Ctrl+C asks it first. */
export interface CancelRegistry {
  current: (() => boolean) | null;
}

export const CancelContext = createContext<CancelRegistry>({ current: null });

export function useCancelRegistry(): CancelRegistry {
  return useContext(CancelContext);
}
