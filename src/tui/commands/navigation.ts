import type { SlashCommand } from './types.js';

export const menu: SlashCommand = { name: 'menu', description: 'back to the main menu (the game is saved)', run: (ctx) => ctx.toMenu() };
export const quit: SlashCommand = { name: 'quit', description: 'leave StoryOS (the game is saved)', run: (ctx) => ctx.quit() };
