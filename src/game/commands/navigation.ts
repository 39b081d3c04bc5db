import type { SlashCommand } from './types.js';

export const menu: SlashCommand = { name: 'menu', description: 'back to the main menu (the game is saved)', run: async () => ({ type: 'menu' }) };
export const quit: SlashCommand = { name: 'quit', description: 'leave StoryOS (the game is saved)', run: async () => ({ type: 'quit' }) };
