/** The log categories: part of the operator interface (`storyos logs grep --module`). */
export const CATEGORIES = ['app', 'auth', 'db_utils', 'llm_utils', 'game_logic', 'cli', 'tui'] as const;
export type Category = (typeof CATEGORIES)[number];
