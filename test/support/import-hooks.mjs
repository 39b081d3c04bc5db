import fs from 'node:fs';

export async function resolve(specifier, context, nextResolve) {
  const result = await nextResolve(specifier, context);
  if (process.env.STORYOS_IMPORT_LOG) fs.appendFileSync(process.env.STORYOS_IMPORT_LOG, `${result.url}\n`);
  return result;
}
