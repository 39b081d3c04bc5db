/** Clears the screen and its scrollback and puts the cursor home: what <Static> printed is gone. */
export const CLEAR_SCREEN = '\u001b[2J\u001b[3J\u001b[H';
