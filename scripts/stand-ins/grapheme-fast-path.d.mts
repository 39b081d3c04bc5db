export function isOneUnitEach(text: string): boolean;
export class GraphemeSegmenter {
  constructor(locales?: string | string[], options?: Intl.SegmenterOptions);
  segment(input: string): Intl.Segments;
  resolvedOptions(): Intl.ResolvedSegmenterOptions;
}
