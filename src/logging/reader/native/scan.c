/*
 * The stats reader's inner loop in C: cuts a chunk of a StoryOS log into entries and reads the
 * header and context of each, as stats-bytes.ts's ChunkReader does, into fixed-size records the
 * JavaScript side adds up. Only the common shape is read here: one line, a header of a known
 * level, no header glued inside it, a plain context (no backslash, no nested parentheses), ASCII
 * text values and plain numbers. At any other entry the scan stops and says where, and the
 * JavaScript reader reads that one entry as it reads every entry without this module; then the
 * scan goes on after it. So this file decides nothing the JavaScript reader would decide
 * differently: test/logging/reader/scan.test.ts checks the two agree on generated logs of every
 * shape, and native-scan-asan.test.ts that it reads nothing outside its chunk.
 *
 * Most entries it also adds up itself, per scan call: each module's entries, warnings and errors,
 * each database query's completions, each model's answered calls (and their seconds), and the
 * span of times. Of players and games it gives only the pairs (hour, name) a collector has not
 * been given yet. An entry whose figures need more (a PERF entry, an error, an API call naming no
 * model, a name it could not number) it gives whole as a record, for JavaScript to add up.
 *
 * Layout of the results (the JavaScript side, stats-native.ts, reads the same constants, and
 * checks them against tables()): HEAD_INTS ints saying where the scan stopped and how much of
 * each region below it filled, then the regions of modules, operations, models, pairs, calls and
 * records, each at its *_AT offset of ints (and of floats for the numbers).
 */
#include <math.h>
#include <node_api.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/* ints[H_STOP] where the scan stopped, H_LEFT 1 when at an entry left to JavaScript; the others how many of each region were filled. */
enum { H_STOP, H_LEFT, H_RECORDS, H_MODULES, H_OPERATIONS, H_MODELS, H_PAIRS, H_CALLS, H_FIRST, H_LAST, HEAD_INTS };
enum {
  R_START, R_LEVEL, R_MODULE_START, R_MODULE_END, R_FLAGS, R_GIVEN, R_BODY, R_MESSAGE_END,
  R_DB_START, R_DB_END, R_DB_HASH, R_DB_NAME, R_MODULE_NAME, R_TEXTS
};
/* Each text field: its value's start, end, hash and name (see Names; -1 when it has none). */
enum { TEXT_INTS = 4 };
enum { FIELD_COUNT = 14, RECORD_INTS = R_TEXTS + TEXT_INTS * FIELD_COUNT, RECORD_FLOATS = FIELD_COUNT };
enum { F_FIELDS = 1, F_NEEDS_MESSAGE = 2, F_API_CALL = 4, F_DB_OPERATION = 8, F_DONE_BY_ANOTHER = 16, F_UNCOUNTED = 32 };
/*
 * The regions. A module, operation or model: its name's number and where one of its names is in
 * the chunk (id, start, end), then its figures (ints for a module's entries, warnings, errors and
 * an operation's completions; doubles for a model's calls, failures, retries, tokens in and out, cancels).
 * A pair: the header's start (its hour), 0 for a player or 1 for a game, and the name (id, start,
 * end). A call: the model's place in the models region, and its duration and TTFT (NaN: none).
 */
enum { MAX_TOUCHED = 64, MAX_PAIRS = 1024, MAX_CALLS = 4096 };
enum { MODULE_INTS = 6, OPERATION_INTS = 4, MODEL_INTS = 3, MODEL_FLOATS = 6, PAIR_INTS = 5, CALL_INTS = 1, CALL_FLOATS = 2 };
enum {
  MODULES_AT = HEAD_INTS,
  OPERATIONS_AT = MODULES_AT + MAX_TOUCHED * MODULE_INTS,
  MODELS_AT = OPERATIONS_AT + MAX_TOUCHED * OPERATION_INTS,
  PAIRS_AT = MODELS_AT + MAX_TOUCHED * MODEL_INTS,
  CALLS_AT = PAIRS_AT + MAX_PAIRS * PAIR_INTS,
  RECORDS_AT = CALLS_AT + MAX_CALLS * CALL_INTS,
  MODEL_FLOATS_AT = 0,
  CALL_FLOATS_AT = MODEL_FLOATS_AT + MAX_TOUCHED * MODEL_FLOATS,
  RECORD_FLOATS_AT = CALL_FLOATS_AT + MAX_CALLS * CALL_FLOATS,
};
enum { TEXT, SECONDS, COUNT, STATUS };

/* A string literal with its length, counted by the compiler. */
#define NAMED(text, value) {text, value, sizeof(text) - 1}

typedef struct { const char *text; int code; size_t len; } Spelling;
/* As levels.ts's LEVEL_ORDER and spellingsOf: the codes index LEVEL_ORDER. */
static const Spelling SPELLINGS[] = {
  NAMED("DEBUG", 0), NAMED("INFO", 1), NAMED("PERF", 2), NAMED("WARN", 3), NAMED("WARNING", 3), NAMED("ERROR", 4), NAMED("FATAL", 5), NAMED("CRITICAL", 5),
};
typedef struct { const char *name; int reading; size_t len; } Key;
/* As stats.ts's FIELD_READINGS, in its order. */
static const Key KEYS[FIELD_COUNT] = {
  NAMED("operation", TEXT), NAMED("model", TEXT), NAMED("kind", TEXT), NAMED("user_id", TEXT), NAMED("session", TEXT), NAMED("session_id", TEXT),
  NAMED("finish_reason", TEXT),
  NAMED("duration", SECONDS), NAMED("ttft", SECONDS),
  NAMED("retries", COUNT), NAMED("tokens_in", COUNT), NAMED("tokens_out", COUNT), NAMED("attempt", COUNT),
  NAMED("status", STATUS),
};
enum { LEVEL_DEBUG = 0, LEVEL_INFO = 1, LEVEL_PERF = 2, LEVEL_WARN = 3, LEVEL_ERROR = 4 };
enum {
  MODEL_KEY = 1, USER_KEY = 3, SESSION_KEY = 4, SESSION_ID_KEY = 5, FINISH_KEY = 6, DURATION_KEY = 7, TTFT_KEY = 8, RETRIES_KEY = 9, TOKENS_IN_KEY = 10,
  TOKENS_OUT_KEY = 11, STATUS_KEY = 13
};
static const char API_CALL[] = "API call: ";
static const char DB_QUERY[] = "Database query executed: ";

/*
 * Each key's place in KEYS by its length and first byte (-1: none), so that a field's key is
 * compared with one key at most (no two keys share a length and a first byte: set_up_keys checks),
 * and the bits (as in R_GIVEN) of the keys read as text. One per thread, in its instance data:
 * a table shared by the threads would be set up again by each new one while others read it.
 */
enum { KEY_TABLE_LENGTHS = 16 };
typedef struct {
  int8_t by_shape[KEY_TABLE_LENGTHS][128];
  int text_keys;
} KeyTable;

typedef struct {
  const uint8_t *b;
  size_t len;
  const KeyTable *keys;
} Chunk;

static inline int is_digit(uint8_t c) { return c >= '0' && c <= '9'; }

static int digits_at(const uint8_t *b, size_t at, int count) {
  for (int i = 0; i < count; i++)
    if (!is_digit(b[at + i])) return 0;
  return 1;
}

static int number_at(const uint8_t *b, size_t at, int count) {
  int n = 0;
  for (int i = 0; i < count; i++) n = n * 10 + (b[at + i] - '0');
  return n;
}

/* search.ts's headerAt: `[2024-01-15 10:30:15,123] [` and an upper-case letter at `at`. */
static int header_at(const Chunk *c, size_t at) {
  const uint8_t *b = c->b;
  if (at + 27 >= c->len) return 0;
  if (b[at] != '[' || b[at + 24] != ']' || b[at + 25] != ' ' || b[at + 26] != '[') return 0;
  if (b[at + 27] < 'A' || b[at + 27] > 'Z') return 0;
  if (b[at + 5] != '-' || b[at + 8] != '-' || b[at + 11] != ' ' || b[at + 14] != ':' || b[at + 17] != ':' || b[at + 20] != ',') return 0;
  return digits_at(b, at + 1, 4) && digits_at(b, at + 6, 2) && digits_at(b, at + 9, 2) && digits_at(b, at + 12, 2) &&
         digits_at(b, at + 15, 2) && digits_at(b, at + 18, 2) && digits_at(b, at + 21, 3);
}

/* The first place in [i, end) holding `]`, a newline or a byte of 0x80 or more; `end` when none does. */
static inline size_t next_stop(const uint8_t *b, size_t i, size_t end) {
#if defined(__SSE2__)
  const __m128i close = _mm_set1_epi8(']'), newline = _mm_set1_epi8('\n');
  for (; i + 16 <= end; i += 16) {
    __m128i v = _mm_loadu_si128((const __m128i *)(b + i));
    // The bytes' own high bits mark those of 0x80 or more.
    unsigned mask = (unsigned)_mm_movemask_epi8(_mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, close), _mm_cmpeq_epi8(v, newline)), v));
    if (mask != 0) return i + (size_t)__builtin_ctz(mask);
  }
#endif
  for (; i < end; i++)
    if (b[i] == ']' || b[i] == '\n' || b[i] >= 0x80) return i;
  return end;
}

/* search.ts's headerModuleEnd: the module's `]`, or -1; the level's end in *level_end. */
static long header_module_end(const Chunk *c, size_t start, size_t text_end, size_t *level_end) {
  const uint8_t *b = c->b;
  size_t i = start + 27;
  for (;; i++) {
    i = next_stop(b, i, text_end);
    if (i >= text_end || b[i] != ']') return -1;
    if (i + 2 < c->len && b[i + 1] == ' ' && b[i + 2] == '[') break;
  }
  *level_end = i;
  for (i += 3;; i++) {
    i = next_stop(b, i, text_end);
    if (i >= text_end || b[i] != ']') return -1;
    if (i + 1 < c->len && b[i + 1] == ' ') return (long)i;
  }
}

static int bytes_are(const Chunk *c, size_t start, size_t end, const char *text) {
  size_t n = strlen(text);
  if (end - start != n || end > c->len) return 0;
  return memcmp(c->b + start, text, n) == 0;
}

static int starts_with_at(const Chunk *c, size_t at, const char *text) { return bytes_are(c, at, at + strlen(text), text); }

/* Whether the `length` bytes at `at` are `text`'s: a loop, for the few bytes of a key or name (a call to memcmp costs more). */
static inline int same_bytes(const uint8_t *at, const char *text, size_t length) {
  for (size_t i = 0; i < length; i++)
    if (at[i] != (uint8_t)text[i]) return 0;
  return 1;
}

static int level_spelt(const Chunk *c, size_t start, size_t end) {
  for (size_t i = 0; i < sizeof SPELLINGS / sizeof SPELLINGS[0]; i++)
    if (SPELLINGS[i].len == end - start && c->b[start] == (uint8_t)SPELLINGS[i].text[0] && same_bytes(c->b + start, SPELLINGS[i].text, SPELLINGS[i].len))
      return SPELLINGS[i].code;
  return -1;
}

/* search.ts's midLineHeader from `from`: whether a header is glued inside [start, end). */
static int glued_header(const Chunk *c, size_t start, size_t end, size_t from) {
  const uint8_t *b = c->b;
  for (size_t i = from; i < end && i + 2 < c->len; i++) {
    const uint8_t *close = memchr(b + i, ']', end - i);
    if (close == NULL) return 0;
    i = (size_t)(close - b);
    if (i + 2 >= c->len || b[i + 1] != ' ' || b[i + 2] != '[') continue;
    if (i < 24) continue;
    size_t at = i - 24;
    if (at > start && b[at - 1] != '\n' && header_at(c, at)) return 1;
  }
  return 0;
}

/*
 * Whether [start, end) holds the needle (of 2 bytes or more). With SSE2, sixteen places at a time
 * are tried on the needle's first and last bytes and only those that match both are compared whole.
 */
static int holds(const uint8_t *b, size_t start, size_t end, const char *needle, size_t length) {
  size_t i = start;
  if (end - start < length) return 0;
#if defined(__SSE2__)
  const __m128i first = _mm_set1_epi8(needle[0]), last = _mm_set1_epi8(needle[length - 1]);
  for (; i + length - 1 + 16 <= end; i += 16) {
    __m128i a = _mm_loadu_si128((const __m128i *)(b + i));
    __m128i z = _mm_loadu_si128((const __m128i *)(b + i + length - 1));
    unsigned mask = (unsigned)_mm_movemask_epi8(_mm_and_si128(_mm_cmpeq_epi8(a, first), _mm_cmpeq_epi8(z, last)));
    for (; mask != 0; mask &= mask - 1)
      if (same_bytes(b + i + (size_t)__builtin_ctz(mask) + 1, needle + 1, length - 2)) return 1;
  }
#endif
  for (; i + length <= end; i++)
    if (b[i] == (uint8_t)needle[0] && same_bytes(b + i + 1, needle + 1, length - 1)) return 1;
  return 0;
}

/*
 * Whether the line [start, line_end) holds `user_id: ` or `session`, as ChunkReader.namesActivity
 * finds (its hits cannot run past the line: neither needle holds a newline).
 */
static int names_activity(const Chunk *c, size_t start, size_t line_end) {
  return holds(c->b, start, line_end, "user_id: ", 9) || holds(c->b, start, line_end, "session", 7);
}

/*
 * A hash of the bytes [start, end) for the table of names, eight bytes at a step; 0 in *ascii when
 * one of them is 0x80 or more (1 otherwise).
 */
static int32_t hash_of(const uint8_t *b, size_t start, size_t end, int *ascii) {
  const uint64_t mix = 0xff51afd7ed558ccdull;
  uint64_t hash = (uint64_t)(end - start) * 0x9e3779b97f4a7c15ull, seen = 0;
  size_t i = start;
  for (; i + 8 <= end; i += 8) {
    uint64_t word;
    memcpy(&word, b + i, sizeof word);
    seen |= word;
    hash = (hash ^ word) * mix;
    hash ^= hash >> 32;
  }
  if (i < end) {
    uint64_t word = 0;
    for (size_t j = 0; i + j < end; j++) word |= (uint64_t)b[i + j] << (8 * j);
    seen |= word;
    hash = (hash ^ word) * mix;
  }
  hash ^= hash >> 29;
  *ascii = (seen & 0x8080808080808080ull) == 0;
  return (int32_t)(uint32_t)(hash ^ (hash >> 32));
}

/* stats-bytes.ts's decimalAt: 1 and the value when the bytes are digits[.digits] without an exponent. */
static int decimal_at(const uint8_t *b, size_t start, size_t end, double *out) {
  double mantissa = 0, scale = 1;
  int digits = 0;
  size_t i = start;
  for (; i < end && is_digit(b[i]); i++, digits++) mantissa = mantissa * 10 + (b[i] - '0');
  if (digits == 0) return 0;
  if (i < end && b[i] == '.') {
    for (i++; i < end && is_digit(b[i]); i++, digits++) {
      mantissa = mantissa * 10 + (b[i] - '0');
      scale *= 10;
    }
  }
  if (digits > 15 || (i < end && (b[i] == 'e' || b[i] == 'E'))) return 0;
  *out = mantissa / scale;
  return 1;
}

/* stats-bytes.ts's wholeNumberAt: 1 and the value when the bytes are 1 to 15 digits. */
static int whole_number_at(const uint8_t *b, size_t start, size_t end, double *out) {
  if (end == start || end - start > 15) return 0;
  double n = 0;
  for (size_t i = start; i < end; i++) {
    if (!is_digit(b[i])) return 0;
    n = n * 10 + (b[i] - '0');
  }
  *out = n;
  return 1;
}

static int set_up_keys(KeyTable *keys) {
  memset(keys->by_shape, -1, sizeof keys->by_shape);
  keys->text_keys = 0;
  for (int k = 0; k < FIELD_COUNT; k++) {
    if (KEYS[k].reading == TEXT) keys->text_keys |= 1 << k;
    if (KEYS[k].len >= KEY_TABLE_LENGTHS) return 0;
    int8_t *place = &keys->by_shape[KEYS[k].len][(uint8_t)KEYS[k].name[0] & 0x7f];
    if (*place != -1) return 0;
    *place = (int8_t)k;
  }
  return 1;
}

/* One field of a plain context into the record; 0 when its value is not of the shape read here. */
static int visit_field(const Chunk *c, int32_t *rec, double *nums, size_t key_start, size_t key_end, size_t value_end) {
  const uint8_t *b = c->b;
  size_t key_len = key_end - key_start;
  int k = key_len < KEY_TABLE_LENGTHS ? c->keys->by_shape[key_len][b[key_start] & 0x7f] : -1;
  if (k >= 0 && same_bytes(b + key_start, KEYS[k].name, key_len)) {
    if (rec[R_GIVEN] & (1 << k)) return 1;
    rec[R_GIVEN] |= 1 << k;
    size_t start = key_end + 2;
    int ascii = 1;
    switch (KEYS[k].reading) {
      case TEXT:
        rec[R_TEXTS + TEXT_INTS * k + 2] = hash_of(b, start, value_end, &ascii);
        rec[R_TEXTS + TEXT_INTS * k] = (int32_t)start;
        rec[R_TEXTS + TEXT_INTS * k + 1] = (int32_t)value_end;
        return ascii;
      case SECONDS:
        return decimal_at(b, start, value_end, &nums[k]);
      default:
        return whole_number_at(b, start, value_end, &nums[k]);
    }
  }
  if (key_len >= 3 && b[key_end - 3] == '_' && b[key_end - 2] == 'b' && b[key_end - 1] == 'y') rec[R_FLAGS] |= F_DONE_BY_ANOTHER;
  return 1;
}

enum { MAX_FIELDS = 63 };
/* The bytes the context scan stops at; every other byte is passed over. */
static const uint8_t CONTEXT_BYTE[256] = {['('] = 1, [')'] = 1, ['\\'] = 1, [':'] = 1, [','] = 1};

typedef struct {
  size_t found[3 * MAX_FIELDS];
  size_t inner_end, piece_end;
  long colon, open;
  int fields;
} ContextScan;

enum { GO_ON = 0, OPEN_FOUND = 1, NOT_PLAIN = -2 };

/* A `:` or `,` of the context met going back from its end. */
static inline int mark_byte(const uint8_t *b, ContextScan *s, long i) {
  if (b[i] == ':') {
    if ((size_t)i + 1 < s->inner_end && b[i + 1] == ' ') s->colon = i;
  } else if (b[i + 1] == ' ') {
    if (s->colon == -1 || s->fields == MAX_FIELDS) return NOT_PLAIN;
    s->found[3 * s->fields] = (size_t)i + 2;
    s->found[3 * s->fields + 1] = (size_t)s->colon;
    s->found[3 * s->fields + 2] = s->piece_end;
    s->fields++;
    s->piece_end = (size_t)i;
    s->colon = -1;
  }
  return GO_ON;
}

/* One byte of the context met going back from its end (one CONTEXT_BYTE marks). */
static int context_byte(const uint8_t *b, ContextScan *s, long i) {
  uint8_t ch = b[i];
  if (ch == '(') {
    s->open = i;
    return OPEN_FOUND;
  }
  if (ch == ')' || ch == '\\') return NOT_PLAIN;
  return mark_byte(b, s, i);
}

/* mark_byte at each bit of `marks` (the bytes from `at` on), from the highest down, until one says stop. */
static inline int mark_bytes(const uint8_t *b, ContextScan *s, long at, unsigned marks) {
  for (; marks != 0; marks &= ~(1u << (31 - __builtin_clz(marks)))) {
    int said = mark_byte(b, s, at + 31 - __builtin_clz(marks));
    if (said != GO_ON) return said;
  }
  return GO_ON;
}

/* Goes back over [body, inner_end) calling context_byte at each byte CONTEXT_BYTE marks, until it says stop. */
static int scan_back(const uint8_t *b, ContextScan *s, size_t body) {
  long i = (long)s->inner_end - 1;
#if defined(__SSE2__)
  const __m128i open = _mm_set1_epi8('('), close = _mm_set1_epi8(')'), backslash = _mm_set1_epi8('\\');
  const __m128i colon = _mm_set1_epi8(':'), comma = _mm_set1_epi8(',');
  // Sixteen bytes at a time: the `:` and `,` met from the highest down, as far as the highest `(`, `)` or backslash (which ends the scan).
  for (; i - 15 >= (long)body; i -= 16) {
    __m128i v = _mm_loadu_si128((const __m128i *)(b + i - 15));
    unsigned stops = (unsigned)_mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(v, open), _mm_or_si128(_mm_cmpeq_epi8(v, close), _mm_cmpeq_epi8(v, backslash))));
    unsigned marks = (unsigned)_mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(v, colon), _mm_cmpeq_epi8(v, comma)));
    if (stops == 0) {
      int said = mark_bytes(b, s, i - 15, marks);
      if (said != GO_ON) return said;
      continue;
    }
    int top = 31 - __builtin_clz(stops);
    int said = mark_bytes(b, s, i - 15, marks & ~((2u << top) - 1));
    if (said != GO_ON) return said;
    return context_byte(b, s, i - 15 + top);
  }
#endif
  for (; i >= (long)body; i--) {
    if (!CONTEXT_BYTE[b[i]]) continue;
    int said = context_byte(b, s, i);
    if (said != GO_ON) return said;
  }
  return GO_ON;
}

/*
 * context-bytes.ts's scanPlainContext: the context's `(` (-1 when the line has none), its fields
 * into the record; -2 when the context is not plain or a value is not of the shape read here.
 */
static long read_context(const Chunk *c, int32_t *rec, double *nums, size_t body, size_t line_end) {
  const uint8_t *b = c->b;
  if (line_end == 0 || b[line_end - 1] != ')') return -1;
  ContextScan s;
  s.inner_end = line_end - 1;
  s.piece_end = s.inner_end;
  s.colon = -1;
  s.open = -1;
  s.fields = 0;
  if (scan_back(b, &s, body) == NOT_PLAIN) return -2;
  long open = s.open;
  if (open <= (long)body || b[open - 1] != ' ') return -2;
  if ((size_t)open + 1 == s.inner_end) return open;
  if (s.colon == -1) return -2;
  if (!visit_field(c, rec, nums, (size_t)open + 1, (size_t)s.colon, s.piece_end)) return -2;
  for (int f = s.fields - 1; f >= 0; f--)
    if (!visit_field(c, rec, nums, s.found[3 * f], s.found[3 * f + 1], s.found[3 * f + 2])) return -2;
  return open;
}

/* ChunkReader.header for the entry [start, line_end]: 0 when it is not of the shape read here. */
static int read_entry(Chunk *c, int32_t *rec, double *nums, size_t start, size_t line_end, int level, size_t level_end, size_t module_end) {
  const uint8_t *b = c->b;
  rec[R_FLAGS] = 0;
  rec[R_GIVEN] = 0;
  rec[R_START] = (int32_t)start;
  rec[R_LEVEL] = level;
  rec[R_MODULE_START] = (int32_t)(level_end + 3);
  rec[R_MODULE_END] = (int32_t)module_end;
  size_t body = module_end + 2;
  int api_call = starts_with_at(c, body, API_CALL);
  int db_query = level == LEVEL_DEBUG && starts_with_at(c, body, DB_QUERY);
  int quiet = level == LEVEL_DEBUG || level == LEVEL_INFO;
  if (quiet && !api_call && !db_query && !names_activity(c, start, line_end)) return 1;
  rec[R_FLAGS] |= F_FIELDS;
  long open = read_context(c, rec, nums, body, line_end);
  if (open == -2) return 0;
  size_t message_end = open == -1 ? line_end : (size_t)open - 1;
  rec[R_BODY] = (int32_t)body;
  rec[R_MESSAGE_END] = (int32_t)message_end;
  int has_model = (rec[R_GIVEN] & (1 << MODEL_KEY)) && rec[R_TEXTS + TEXT_INTS * MODEL_KEY + 1] > rec[R_TEXTS + TEXT_INTS * MODEL_KEY];
  int api = api_call && message_end - body >= strlen(API_CALL);
  if (level == LEVEL_PERF || (api && !has_model)) rec[R_FLAGS] |= F_NEEDS_MESSAGE;
  else if (api) rec[R_FLAGS] |= F_API_CALL;
  else if (db_query && message_end - body >= strlen(DB_QUERY)) {
    int ascii;
    size_t op = body + strlen(DB_QUERY);
    rec[R_DB_HASH] = hash_of(b, op, message_end, &ascii);
    if (!ascii) return 0;
    rec[R_DB_START] = (int32_t)op;
    rec[R_DB_END] = (int32_t)message_end;
    rec[R_FLAGS] |= F_DB_OPERATION;
  }
  return 1;
}

/*
 * The names (modules, users, sessions, models, operations) a thread's scans have met, each given
 * a number in the order met: a record says a name by its number, and the JavaScript side makes
 * the string of a number once, when it first sees it (it sees every record, in order). One per
 * thread (Node-API instance data), as the JavaScript side keeps one list per thread.
 */
enum { MAX_NAMES = 1 << 16, NAME_SLOTS = 1 << 17, MAX_NAME_BYTES = 1024 };
/* Of a name as a player's or a game's: the collector (its generation) and the hour it was last given to. */
typedef struct {
  uint32_t generation;
  int32_t hour;
} Given;

/* A slot of the table of names: the number of the name there (-1: none) and its hash. */
typedef struct {
  int32_t name;
  uint32_t hash;
} Slot;

enum { MODULE_CACHE = 32 };

typedef struct {
  Slot slots[NAME_SLOTS];
  /* The number of a module met lately, by a slot of its length and first and last bytes (-1: none). */
  int32_t module_cache[MODULE_CACHE];
  uint32_t offset[MAX_NAMES];
  uint16_t length[MAX_NAMES];
  int32_t count;
  uint8_t *bytes;
  size_t used, capacity;
  KeyTable keys;
  /* Each name's place in this call's region of modules, operations or models (-1: none yet). */
  int16_t module_slot[MAX_NAMES], operation_slot[MAX_NAMES], model_slot[MAX_NAMES];
  Given user_given[MAX_NAMES], session_given[MAX_NAMES];
} Names;

/* The number of the name [start, end) (ASCII, its hash given), numbered now if new; -1 when the list is full or it is long. */
static int32_t name_of(Names *names, const uint8_t *b, size_t start, size_t end, int32_t hash) {
  size_t length = end - start;
  if (length > MAX_NAME_BYTES) return -1;
  for (uint32_t slot = (uint32_t)hash & (NAME_SLOTS - 1);; slot = (slot + 1) & (NAME_SLOTS - 1)) {
    int32_t known = names->slots[slot].name;
    if (known == -1) {
      if (names->count == MAX_NAMES) return -1;
      if (names->used + length > names->capacity) {
        size_t capacity = names->capacity * 2 + length + 4096;
        uint8_t *grown = realloc(names->bytes, capacity);
        if (grown == NULL) return -1;
        names->bytes = grown;
        names->capacity = capacity;
      }
      int32_t id = names->count++;
      memcpy(names->bytes + names->used, b + start, length);
      names->offset[id] = (uint32_t)names->used;
      names->length[id] = (uint16_t)length;
      names->used += length;
      names->slots[slot].name = id;
      names->slots[slot].hash = (uint32_t)hash;
      return id;
    }
    if (names->slots[slot].hash == (uint32_t)hash && names->length[known] == length &&
        same_bytes(b + start, (const char *)names->bytes + names->offset[known], length))
      return known;
  }
}

/* Whether name `id` is the bytes [start, end). */
static inline int is_name(const Names *names, int32_t id, const uint8_t *b, size_t start, size_t end) {
  return names->length[id] == end - start && same_bytes(b + start, (const char *)names->bytes + names->offset[id], end - start);
}

/* The number of the module [start, end) (ASCII: the header was checked): a log has a few, found in a small cache before the table. */
static int32_t module_name(Names *names, const uint8_t *b, size_t start, size_t end) {
  if (end == start) return name_of(names, b, start, end, 0);
  int slot = (int)((end - start + 3 * b[start] + 5 * b[end - 1]) & (MODULE_CACHE - 1));
  int32_t cached = names->module_cache[slot];
  if (cached >= 0 && is_name(names, cached, b, start, end)) return cached;
  int ascii;
  int32_t id = name_of(names, b, start, end, hash_of(b, start, end, &ascii));
  if (id >= 0) names->module_cache[slot] = id;
  return id;
}

/* Numbers the names of a record read whole. */
static void name_record(Names *names, const uint8_t *b, int32_t *rec) {
  rec[R_MODULE_NAME] = module_name(names, b, (size_t)rec[R_MODULE_START], (size_t)rec[R_MODULE_END]);
  if (!(rec[R_FLAGS] & F_FIELDS)) return;
  for (int bits = rec[R_GIVEN] & names->keys.text_keys; bits != 0; bits &= bits - 1) {
    int32_t *text = rec + R_TEXTS + TEXT_INTS * __builtin_ctz((unsigned)bits);
    text[3] = name_of(names, b, (size_t)text[0], (size_t)text[1], text[2]);
  }
  if (rec[R_FLAGS] & F_DB_OPERATION) rec[R_DB_NAME] = name_of(names, b, (size_t)rec[R_DB_START], (size_t)rec[R_DB_END], rec[R_DB_HASH]);
}

static void free_names(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  Names *names = data;
  free(names->bytes);
  free(names);
}

/* One scan call's results as they are written. */
typedef struct {
  int32_t *ints;
  double *floats;
  size_t records, capacity;
  int modules, operations, models, pairs, calls;
  long first, last;
  uint32_t generation;
} Out;

/* Whether every region has room for what one entry may add. */
static int has_room(const Out *o) {
  return o->records < o->capacity && o->modules < MAX_TOUCHED && o->operations < MAX_TOUCHED && o->models < MAX_TOUCHED &&
         o->pairs + 2 <= MAX_PAIRS && o->calls < MAX_CALLS;
}

/*
 * The place of name `id` (its bytes [start, end)) in a region of `stride` ints at `at`, given one
 * now, its figures zero, if it has none in this call.
 */
static int place_of(int16_t *slot_of, int *count, int32_t *at, int stride, int32_t id, int32_t start, int32_t end) {
  int slot = slot_of[id];
  if (slot >= 0) return slot;
  slot = (*count)++;
  slot_of[id] = (int16_t)slot;
  int32_t *place = at + slot * stride;
  place[0] = id;
  place[1] = start;
  place[2] = end;
  for (int i = 3; i < stride; i++) place[i] = 0;
  return slot;
}

/* The places given in this call taken back, for the next call to start with none. */
static void clear_places(int16_t *slot_of, int count, const int32_t *at, int stride) {
  for (int i = 0; i < count; i++) slot_of[at[i * stride]] = -1;
}

/* The 8 bytes at `at` as a number that orders as they do (big-endian). */
static inline uint64_t ordered_word(const uint8_t *at) {
  uint64_t word;
  memcpy(&word, at, sizeof word);
  return __builtin_bswap64(word);
}

/* -1, 0 or 1 as the time of the header at a is before, the same as or after the one at b (24 bytes: the time and its `]`). */
static inline int compare_times(const uint8_t *b, size_t a, size_t other) {
  for (int i = 1; i < 25; i += 8) {
    uint64_t x = ordered_word(b + a + i), y = ordered_word(b + other + i);
    if (x != y) return x < y ? -1 : 1;
  }
  return 0;
}

/* The time of the header at `start` to the call's span (the text compares as the times do: fixed digits). */
static void note_time(const uint8_t *b, Out *o, size_t start) {
  if (o->first == -1) {
    o->first = o->last = (long)start;
    return;
  }
  if (compare_times(b, start, (size_t)o->last) > 0) o->last = (long)start;
  else if (compare_times(b, start, (size_t)o->first) < 0) o->first = (long)start;
}

/* The hour of the header at `start` as one number (2024011510). */
static int32_t hour_of(const uint8_t *b, size_t start) {
  return number_at(b, start + 1, 4) * 1000000 + number_at(b, start + 6, 2) * 10000 + number_at(b, start + 9, 2) * 100 + number_at(b, start + 12, 2);
}

/* The text field k's value as a pair (kind 0 a player, 1 a game) unless this collector was given it this hour. */
static void add_pair(Out *o, Given *seen, const int32_t *rec, int k, int kind, int32_t hour) {
  const int32_t *text = rec + R_TEXTS + TEXT_INTS * k;
  Given *g = &seen[text[3]];
  if (g->generation == o->generation && g->hour == hour) return;
  g->generation = o->generation;
  g->hour = hour;
  int32_t *pair = o->ints + PAIRS_AT + o->pairs++ * PAIR_INTS;
  pair[0] = rec[R_START];
  pair[1] = kind;
  pair[2] = text[3];
  pair[3] = text[0];
  pair[4] = text[1];
}

static inline int given(const int32_t *rec, int k) { return (rec[R_GIVEN] >> k) & 1; }
static inline int non_empty(const int32_t *rec, int k) { return given(rec, k) && rec[R_TEXTS + TEXT_INTS * k + 1] > rec[R_TEXTS + TEXT_INTS * k]; }

/*
 * Whether the record's figures are more than this file adds up (StatsCollector.addFields does the
 * rest): a PERF entry, an error that is no answered call, an API call naming no model, or a name
 * without a number.
 */
static int needs_javascript(const int32_t *rec, int text_keys) {
  int flags = rec[R_FLAGS];
  if (rec[R_MODULE_NAME] < 0) return 1;
  if (!(flags & F_FIELDS)) return 0;
  if ((flags & F_NEEDS_MESSAGE) || (rec[R_LEVEL] >= LEVEL_ERROR && !(flags & F_API_CALL))) return 1;
  if ((flags & F_DB_OPERATION) && rec[R_DB_NAME] < 0) return 1;
  for (int bits = rec[R_GIVEN] & text_keys; bits != 0; bits &= bits - 1)
    if (rec[R_TEXTS + TEXT_INTS * __builtin_ctz((unsigned)bits) + 3] < 0) return 1;
  return 0;
}

/* Whether the record's `finish_reason` is the `length` bytes of `reason`. */
static int finished_as(const uint8_t *b, const int32_t *rec, const char *reason, size_t length) {
  const int32_t *text = rec + R_TEXTS + TEXT_INTS * FINISH_KEY;
  return given(rec, FINISH_KEY) && (size_t)(text[1] - text[0]) == length && same_bytes(b + text[0], reason, length);
}
#define FINISHED_AS(b, rec, reason) finished_as(b, rec, reason, sizeof(reason) - 1)

/* An answered call naming its model, to the model's figures (as StatsCollector.addApiCall: a call the player cancelled is counted as such, one cut off as a failure). */
static void add_call(Names *names, Out *o, const uint8_t *b, const int32_t *rec, const double *nums) {
  const int32_t *model = rec + R_TEXTS + TEXT_INTS * MODEL_KEY;
  int placed = o->models;
  int slot = place_of(names->model_slot, &o->models, o->ints + MODELS_AT, MODEL_INTS, model[3], model[0], model[1]);
  double *figures = o->floats + MODEL_FLOATS_AT + slot * MODEL_FLOATS;
  if (o->models != placed) memset(figures, 0, MODEL_FLOATS * sizeof(double));
  double status = given(rec, STATUS_KEY) ? nums[STATUS_KEY] : NAN;
  figures[0] += 1;
  if (FINISHED_AS(b, rec, "cancelled")) figures[5] += 1;
  else if (rec[R_LEVEL] >= LEVEL_ERROR || !(status >= 200 && status < 300) || FINISHED_AS(b, rec, "cut")) figures[1] += 1;
  if (given(rec, RETRIES_KEY)) figures[2] += nums[RETRIES_KEY];
  if (given(rec, TOKENS_IN_KEY)) figures[3] += nums[TOKENS_IN_KEY];
  if (given(rec, TOKENS_OUT_KEY)) figures[4] += nums[TOKENS_OUT_KEY];
  o->ints[CALLS_AT + o->calls] = slot;
  o->floats[CALL_FLOATS_AT + o->calls * CALL_FLOATS] = given(rec, DURATION_KEY) ? nums[DURATION_KEY] : NAN;
  o->floats[CALL_FLOATS_AT + o->calls * CALL_FLOATS + 1] = given(rec, TTFT_KEY) ? nums[TTFT_KEY] : NAN;
  o->calls++;
}

/* What an entry not given to JavaScript adds, as StatsCollector.addFields would (its module counted already). */
static void add_fields(Names *names, Out *o, const uint8_t *b, const int32_t *rec, const double *nums) {
  int flags = rec[R_FLAGS];
  if (!(flags & F_FIELDS)) return;
  if (flags & F_DB_OPERATION) {
    int slot = place_of(names->operation_slot, &o->operations, o->ints + OPERATIONS_AT, OPERATION_INTS, rec[R_DB_NAME], rec[R_DB_START], rec[R_DB_END]);
    o->ints[OPERATIONS_AT + slot * OPERATION_INTS + 3]++;
  }
  if (flags & F_API_CALL) add_call(names, o, b, rec, nums);
  int level = rec[R_LEVEL];
  int player = level <= LEVEL_PERF && !(flags & F_DONE_BY_ANOTHER) && non_empty(rec, USER_KEY);
  int game = given(rec, SESSION_KEY) ? (non_empty(rec, SESSION_KEY) ? SESSION_KEY : -1) : (non_empty(rec, SESSION_ID_KEY) ? SESSION_ID_KEY : -1);
  if (!player && game == -1) return;
  int32_t hour = hour_of(b, (size_t)rec[R_START]);
  if (player) add_pair(o, names->user_given, rec, USER_KEY, 0, hour);
  if (game != -1) add_pair(o, names->session_given, rec, game, 1, hour);
}

/* The entry's module's entries, warnings and errors (F_UNCOUNTED when its name has no number: JavaScript counts it). */
static void count_entry(Names *names, Out *o, int32_t *rec) {
  if (rec[R_MODULE_NAME] < 0) {
    rec[R_FLAGS] |= F_UNCOUNTED;
    return;
  }
  int slot = place_of(names->module_slot, &o->modules, o->ints + MODULES_AT, MODULE_INTS, rec[R_MODULE_NAME], rec[R_MODULE_START], rec[R_MODULE_END]);
  int32_t *counts = o->ints + MODULES_AT + slot * MODULE_INTS + 3;
  counts[0]++;
  if (rec[R_LEVEL] == LEVEL_WARN) counts[1]++;
  else if (rec[R_LEVEL] >= LEVEL_ERROR) counts[2]++;
}

/*
 * scan(chunk, from, ints, floats, generation): from `from` on, until a region is full, the chunk
 * ends or an entry is left to JavaScript. `generation` names the collector the results are for:
 * the pairs it was given before are not given again.
 */
static napi_value scan(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  Chunk c;
  void *data;
  if (argc < 5 || napi_get_buffer_info(env, argv[0], &data, &c.len) != napi_ok) {
    napi_throw_type_error(env, NULL, "scan(chunk, from, ints, floats, generation)");
    return NULL;
  }
  c.b = data;
  double from_d;
  uint32_t generation;
  napi_get_value_double(env, argv[1], &from_d);
  napi_typedarray_type type;
  size_t int_count, float_count;
  void *ints_data, *floats_data;
  napi_typedarray_type float_type;
  if (napi_get_typedarray_info(env, argv[2], &type, &int_count, &ints_data, NULL, NULL) != napi_ok ||
      napi_get_typedarray_info(env, argv[3], &float_type, &float_count, &floats_data, NULL, NULL) != napi_ok || type != napi_int32_array ||
      float_type != napi_float64_array || int_count < RECORDS_AT + RECORD_INTS || float_count < RECORD_FLOATS_AT + RECORD_FLOATS ||
      napi_get_value_uint32(env, argv[4], &generation) != napi_ok) {
    napi_throw_type_error(env, NULL, "scan(chunk, from, ints, floats, generation): ints an Int32Array and floats a Float64Array of the regions and one record");
    return NULL;
  }
  Names *names;
  if (napi_get_instance_data(env, (void **)&names) != napi_ok || names == NULL) {
    napi_throw_error(env, NULL, "the scanner's names were not set up");
    return NULL;
  }
  c.keys = &names->keys;
  Out o = {.ints = ints_data, .floats = floats_data, .first = -1, .last = -1, .generation = generation};
  o.capacity = (int_count - RECORDS_AT) / RECORD_INTS;
  if ((float_count - RECORD_FLOATS_AT) / RECORD_FLOATS < o.capacity) o.capacity = (float_count - RECORD_FLOATS_AT) / RECORD_FLOATS;

  size_t start = (size_t)from_d;
  int left_to_js = 0;
  while (start < c.len && has_room(&o)) {
    const uint8_t *newline = memchr(c.b + start, '\n', c.len - start);
    if (newline == NULL) {
      left_to_js = 1;
      break;
    }
    size_t line_end = (size_t)(newline - c.b), end = line_end + 1;
    size_t level_end = 0;
    long module_end = -1;
    int level = -1;
    if ((end == c.len || c.b[end] == '[') && header_at(&c, start)) module_end = header_module_end(&c, start, line_end, &level_end);
    if (module_end != -1) level = level_spelt(&c, start + 27, level_end);
    int32_t *rec = o.ints + RECORDS_AT + o.records * RECORD_INTS;
    double *nums = o.floats + RECORD_FLOATS_AT + o.records * RECORD_FLOATS;
    if (level == -1 || glued_header(&c, start, end, level_end + 1) ||
        !read_entry(&c, rec, nums, start, line_end, level, level_end, (size_t)module_end)) {
      left_to_js = 1;
      break;
    }
    name_record(names, c.b, rec);
    note_time(c.b, &o, start);
    count_entry(names, &o, rec);
    if (needs_javascript(rec, names->keys.text_keys)) o.records++;
    else add_fields(names, &o, c.b, rec, nums);
    start = end;
  }
  clear_places(names->module_slot, o.modules, o.ints + MODULES_AT, MODULE_INTS);
  clear_places(names->operation_slot, o.operations, o.ints + OPERATIONS_AT, OPERATION_INTS);
  clear_places(names->model_slot, o.models, o.ints + MODELS_AT, MODEL_INTS);
  int32_t *head = o.ints;
  head[H_STOP] = (int32_t)start;
  head[H_LEFT] = left_to_js;
  head[H_RECORDS] = (int32_t)o.records;
  head[H_MODULES] = o.modules;
  head[H_OPERATIONS] = o.operations;
  head[H_MODELS] = o.models;
  head[H_PAIRS] = o.pairs;
  head[H_CALLS] = o.calls;
  head[H_FIRST] = (int32_t)o.first;
  head[H_LAST] = (int32_t)o.last;
  return NULL;
}

/* The tables this file was written against, for the JavaScript side to check against its own. */
static napi_value tables(napi_env env, napi_callback_info info) {
  (void)info;
  char text[512] = "";
  for (size_t i = 0; i < sizeof SPELLINGS / sizeof SPELLINGS[0]; i++) {
    char part[32];
    snprintf(part, sizeof part, "%s%s:%d", i ? "," : "", SPELLINGS[i].text, SPELLINGS[i].code);
    strcat(text, part);
  }
  static const char *READINGS[] = {"text", "seconds", "count", "status"};
  strcat(text, "|");
  for (int k = 0; k < FIELD_COUNT; k++) {
    char part[48];
    snprintf(part, sizeof part, "%s%s:%s", k ? "," : "", KEYS[k].name, READINGS[KEYS[k].reading]);
    strcat(text, part);
  }
  char layout[160];
  snprintf(layout, sizeof layout, "|%d,%d,%d,%d|%d,%d,%d,%d,%d,%d|%d,%d,%d", HEAD_INTS, RECORD_INTS, RECORD_FLOATS, TEXT_INTS, MODULES_AT, OPERATIONS_AT,
           MODELS_AT, PAIRS_AT, CALLS_AT, RECORDS_AT, MODEL_FLOATS_AT, CALL_FLOATS_AT, RECORD_FLOATS_AT);
  strcat(text, layout);
  napi_value result;
  napi_create_string_utf8(env, text, NAPI_AUTO_LENGTH, &result);
  return result;
}

NAPI_MODULE_INIT() {
  Names *names = calloc(1, sizeof(Names));
  if (names == NULL) return NULL;
  if (!set_up_keys(&names->keys)) {
    free(names);
    return NULL;
  }
  for (size_t i = 0; i < NAME_SLOTS; i++) names->slots[i].name = -1;
  memset(names->module_cache, 0xff, sizeof names->module_cache);
  memset(names->module_slot, 0xff, sizeof names->module_slot);
  memset(names->operation_slot, 0xff, sizeof names->operation_slot);
  memset(names->model_slot, 0xff, sizeof names->model_slot);
  napi_set_instance_data(env, names, free_names, NULL);
  napi_value fn;
  napi_create_function(env, "scan", NAPI_AUTO_LENGTH, scan, NULL, &fn);
  napi_set_named_property(env, exports, "scan", fn);
  napi_create_function(env, "tables", NAPI_AUTO_LENGTH, tables, NULL, &fn);
  napi_set_named_property(env, exports, "tables", fn);
  return exports;
}
