/**
 * A token estimate without a tokenizer: about four characters a token for English prose, the
 * usual rule of thumb for GPT-style tokenizers. Grok's own counts come back in each answer's
 * usage; this only sizes the prompt before it is sent.
 */
export function estimateTokens(text: string): number {
  return tokensOfLength(text.length);
}

/** The estimate for a text of this many characters. */
export function tokensOfLength(chars: number): number {
  return Math.ceil(chars / 4);
}

/** Cuts text to about `tokens` tokens, at a word boundary, marking the cut. */
export function truncateToTokens(text: string, tokens: number): string {
  const maxChars = tokens * 4;
  if (text.length <= maxChars) return text;
  const cut = text.slice(0, Math.max(0, maxChars - 1));
  const space = cut.lastIndexOf(' ');
  return `${space > maxChars * 0.8 ? cut.slice(0, space) : cut}…`;
}

/** Keeps the end of a text (the most recent part of a story), marking the cut. */
export function keepLastTokens(text: string, tokens: number): string {
  const maxChars = tokens * 4;
  return text.length <= maxChars ? text : `…${text.slice(text.length - maxChars + 1)}`;
}
