// Wraps string-width in the bundle. string-width's first call on any text beyond ASCII compiles
// /^\p{RGI_Emoji}$/v, about 30 ms, and Ink's borders are beyond ASCII: every start paid it before
// the first frame. Text made only of characters that take one column each and never join a
// neighbour (ASCII, Latin letters, box drawing, the punctuation and arrows of the screens) is
// measured here by its length; anything else goes to string-width itself, which is loaded only
// then: its module builds an Intl.Segmenter and its Unicode-property regular expressions as it
// loads (about 20 ms for the copies Ink's first frame reaches, on Node 20 and 24 alike).

// No combining marks, joiners, variation selectors, emoji or wide forms. Left out: U+00AD (the
// soft hyphen) is invisible, and © and ® count as emoji (two columns) in string-width 7.
const ONE_COLUMN_EACH =
  /^[\u0020-\u007E\u00A0-\u00A8\u00AA-\u00AC\u00AF-\u02FF\u2010-\u2027\u2030-\u203A\u2190-\u2193\u21BB\u2500-\u259F\u25CB\u25CF\u2713\u2717]*$/;

/** True when every character of `plain` (no escape codes) takes one column of its own. */
export function isOneColumnEach(plain) {
  return ONE_COLUMN_EACH.test(plain);
}

/**
 * string-width with the fast path in front; `loadMeasure` returns the package's own function (it
 * is called at the first text the fast path leaves to it, and once), `stripAnsi` is its own too.
 */
export function withFastPath(loadMeasure, stripAnsi) {
  let measure;
  const measured = (text, options) => {
    measure ??= loadMeasure();
    return measure(text, options);
  };
  return function stringWidth(text, options) {
    if (typeof text !== 'string' || options?.ambiguousIsNarrow === false || options?.countAnsiEscapeCodes) {
      return measured(text, options);
    }
    const plain = text.includes('\u001B') || text.includes('\u009B') ? stripAnsi(text) : text;
    return isOneColumnEach(plain) ? plain.length : measured(text, options);
  };
}
