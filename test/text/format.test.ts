import { describe, expect, it } from 'vitest';
import { clip } from '../../src/text/format.js';

describe('clip', () => {
  it('leaves short text alone and cuts long text between words, marking the cut', () => {
    expect(clip('a short line', 20)).toBe('a short line');
    expect(clip('The air is still, as if the world were holding its breath.', 30)).toBe('The air is still, as if the…');
    expect(clip('Somewhere close, something shifts. Patient and unseen.', 36)).toBe('Somewhere close, something shifts…');
  });

  it('cuts inside a word that is too long to end near the limit', () => {
    expect(clip('Supercalifragilisticexpialidocious', 10)).toBe('Supercali…');
    expect(clip('Supercalifragilisticexpialidocious', 10)).toHaveLength(10);
  });
});
