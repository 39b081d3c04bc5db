import { useKeys } from '../keys.js';

/** Esc goes back (closes an overlay, leaves a sub-screen). */
export function BackOnEscape({ onBack, active = true }: { onBack: () => void; active?: boolean }) {
  useKeys(
    (_input, key) => {
      if (key.escape) onBack();
    },
    { isActive: active },
  );
  return null;
}
