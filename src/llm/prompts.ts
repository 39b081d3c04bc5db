/** Words shared by the summary prompt and the offline narrator that reads it. */
export const OPENING_NOTE = 'This is the opening scene of the story.';
export const CONTINUED_NOTE = 'The narrator continued the story without a player action.';
