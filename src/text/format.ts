/** `2024-01-15 10:30` in UTC, or `fallback` when there is no date. */
export function shortUtc(date: Date | null, fallback = '-'): string {
  return date ? date.toISOString().replace('T', ' ').slice(0, 16) : fallback;
}

/** At most `max` characters, an ellipsis marking a cut. */
export function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
