import { sanitizeText } from '../llm/sanitize.js';

/**
 * A plain-text table. `align`: how many leading columns are left-aligned (the rest right-aligned,
 * for numbers), or each column's alignment.
 */
export function renderTable(headers: string[], cells: string[][], align: number | ReadonlyArray<'left' | 'right'> = 1): string {
  // Laid out as it will be shown: nothing in a cell a terminal would act on, nor a line break.
  const rows = cells.map((row) => row.map((cell) => sanitizeText(cell).replace(/[\n\t]/g, ' ')));
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const isLeft = (i: number) => (typeof align === 'number' ? i < align : align[i] !== 'right');
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (isLeft(i) ? cell.padEnd(widths[i] as number) : cell.padStart(widths[i] as number)))
      .join('  ')
      .trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}
