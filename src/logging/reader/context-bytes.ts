/**
 * The context of a header line read on its bytes, when it is the simple shape StoryOS almost always
 * writes: no backslash inside it (so nothing escaped, no escaped parenthesis). Then the context is
 * the `(` (after a space) that pairs with the line's final `)`, split at `, ` and each piece at its
 * first `: ` — exactly as rawContext splits it. Anything else is left to rawContext.
 */

/** Called for each field in order: the key [keyStart, keyEnd) and the value [keyEnd + 2, valueEnd). */
export type FieldVisitor = (keyStart: number, keyEnd: number, valueEnd: number) => void;

const BACKSLASH = 0x5c;
const OPEN = 0x28;
const CLOSE = 0x29;
const COMMA = 0x2c;
const COLON = 0x3a;
const SPACE = 0x20;

/**
 * Visits the fields of the body [bodyStart, lineEnd) and returns where its context's `(` is, or
 * -1 when the body has none, and -2 when it is not the simple shape (read it with rawContext).
 */
export function scanContext(buf: Buffer, bodyStart: number, lineEnd: number, visit: FieldVisitor): number {
  if (buf[lineEnd - 1] !== CLOSE) return -1;
  return scanPlainContext(buf, bodyStart, lineEnd, visit) ?? scanNestedContext(buf, bodyStart, lineEnd, visit);
}

/** Where each field's key starts, key ends and value ends, as the plain scan finds them (three a field). */
const MAX_FIELDS = 63;
const found = new Int32Array(3 * MAX_FIELDS);

/**
 * scanContext when the context is the text after the line's last `(` and holds no `)` but the
 * final one and no backslash (nearly every line): one pass back from the end that finds the `(`
 * and splits the fields on the way, then a visit of each in order. `, ` cannot overlap another
 * `, `, so it splits the same read from either end, and the last `: ` seen going back in a piece
 * is its first. Undefined when the context is not of that shape (the nested scan reads it).
 */
function scanPlainContext(buf: Buffer, bodyStart: number, lineEnd: number, visit: FieldVisitor): number | undefined {
  const innerEnd = lineEnd - 1;
  let fields = 0;
  let pieceEnd = innerEnd;
  let colon = -1;
  let open = -1;
  for (let i = innerEnd - 1; i >= bodyStart; i--) {
    const c = buf[i];
    if (c === OPEN) {
      open = i;
      break;
    }
    if (c === CLOSE || c === BACKSLASH) return undefined;
    if (c === COLON) {
      if (i + 1 < innerEnd && buf[i + 1] === SPACE) colon = i;
    } else if (c === COMMA && buf[i + 1] === SPACE) {
      if (colon === -1 || fields === MAX_FIELDS) return undefined;
      found[3 * fields] = i + 2;
      found[3 * fields + 1] = colon;
      found[3 * fields + 2] = pieceEnd;
      fields++;
      pieceEnd = i;
      colon = -1;
    }
  }
  if (open <= bodyStart || buf[open - 1] !== SPACE) return undefined;
  if (open + 1 === innerEnd) return open;
  if (colon === -1) return undefined;
  visit(open + 1, colon, pieceEnd);
  for (let f = fields - 1; f >= 0; f--) visit(found[3 * f] as number, found[3 * f + 1] as number, found[3 * f + 2] as number);
  return open;
}

/** scanContext for any context: back from the end to the `(` that pairs with the final `)`, then forward. */
function scanNestedContext(buf: Buffer, bodyStart: number, lineEnd: number, visit: FieldVisitor): number {
  let depth = 0;
  let open = -1;
  for (let i = lineEnd - 2; i >= bodyStart; i--) {
    const c = buf[i];
    if (c === BACKSLASH) return -2;
    if (c === CLOSE) depth++;
    else if (c === OPEN) {
      if (depth === 0) {
        open = i;
        break;
      }
      depth--;
    }
  }
  if (open <= bodyStart || buf[open - 1] !== SPACE) return -2;
  const innerEnd = lineEnd - 1;
  if (open + 1 === innerEnd) return open;
  let pieceStart = open + 1;
  let colon = -1;
  for (let i = pieceStart; i <= innerEnd; i++) {
    const c = i < innerEnd ? buf[i] : COMMA;
    if (c === COLON && colon === -1 && i + 1 < innerEnd && buf[i + 1] === SPACE) colon = i;
    else if (c === COMMA && (i === innerEnd || buf[i + 1] === SPACE)) {
      if (colon === -1) return -2;
      visit(pieceStart, colon, i);
      pieceStart = i + 2;
      colon = -1;
      i++;
    }
  }
  return open;
}

/** Whether the bytes [start, end) are `key`'s. */
export function bytesAre(buf: Buffer, start: number, end: number, key: Buffer): boolean {
  if (end - start !== key.length) return false;
  for (let i = 0; i < key.length; i++) if (buf[start + i] !== key[i]) return false;
  return true;
}
