import { describe, expect, it } from 'vitest';
import { renderTable } from '../../src/text/table.js';

describe('renderTable', () => {
  it('left-aligns the leading columns and right-aligns the rest, or aligns each as told', () => {
    expect(
      renderTable(
        ['name', 'turns'],
        [
          ['ash', '7'],
          ['lena', '12'],
        ],
      ),
    ).toBe(['name  turns', '----  -----', 'ash       7', 'lena     12'].join('\n'));
    const table = renderTable(
      ['id', 'turns', 'last scene'],
      [
        ['a1', '7', 'The fog…'],
        ['b22', '12', 'Rain'],
      ],
      ['left', 'right', 'left'],
    );
    expect(table).toBe(['id   turns  last scene', '---  -----  ----------', 'a1       7  The fog…', 'b22     12  Rain'].join('\n'));
  });
});
