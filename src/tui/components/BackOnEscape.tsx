import { useInput } from 'ink';

/** Esc goes back (closes an overlay, leaves a sub-screen). */
export function BackOnEscape({ onBack, active = true }: { onBack: () => void; active?: boolean }) {
  useInput((_input, key) => key.escape && onBack(), { isActive: active });
  return null;
}
