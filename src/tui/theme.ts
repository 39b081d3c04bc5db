/** Ink colours, or none at all when NO_COLOR is set. */
export const colourEnabled = !('NO_COLOR' in process.env);

export function colour(name: string): string | undefined {
  return colourEnabled ? name : undefined;
}
