/** `2024-01-15 10:30` in UTC, or `fallback` when there is no date. */
export function shortUtc(date: Date | null, fallback = '-'): string {
  return date ? date.toISOString().replace('T', ' ').slice(0, 16) : fallback;
}

/** At most `max` characters, an ellipsis marking a cut, made between words when one ends near it. */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max - 1);
  const lastSpace = cut.lastIndexOf(' ');
  return `${(lastSpace >= max * 0.6 ? cut.slice(0, lastSpace) : cut).replace(/[\s.,;:]+$/, '')}…`;
}

/** `1 game`, `3 games`. */
export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

let segmenter: Intl.Segmenter | undefined;

/** Characters as a person sees them (grapheme clusters): an emoji, a flag or an accented letter is one. */
export function graphemeLength(text: string): number {
  segmenter ??= new Intl.Segmenter();
  let count = 0;
  for (const _ of segmenter.segment(text)) count++;
  return count;
}
