export type StringWidth = (text: string, options?: { ambiguousIsNarrow?: boolean; countAnsiEscapeCodes?: boolean }) => number;
export function withFastPath(loadMeasure: () => StringWidth, stripAnsi: (text: string) => string): StringWidth;
export function isOneColumnEach(plain: string): boolean;
