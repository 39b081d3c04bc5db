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
 * Layout of the results (the JavaScript side, stats-native.ts, reads the same constants):
 * ints[0] where the scan stopped, ints[1] records written, ints[2] 1 when it stopped at an entry
 * it leaves to JavaScript; then RECORD_INTS ints and RECORD_FLOATS doubles per record.
 */
#include <node_api.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

enum { HEAD_INTS = 3 };
enum {
  R_START, R_LEVEL, R_MODULE_START, R_MODULE_END, R_SAME_HOUR, R_REST, R_FLAGS, R_GIVEN, R_BODY, R_MESSAGE_END,
  R_DB_START, R_DB_END, R_DB_HASH, R_DB_NAME, R_MODULE_NAME, R_TEXTS
};
/* Each text field: its value's start, end, hash and name (see Names; -1 when it has none). */
enum { TEXT_INTS = 4 };
enum { FIELD_COUNT = 13, RECORD_INTS = R_TEXTS + TEXT_INTS * FIELD_COUNT, RECORD_FLOATS = FIELD_COUNT };
enum { F_FIELDS = 1, F_NEEDS_MESSAGE = 2, F_API_CALL = 4, F_DB_OPERATION = 8, F_DONE_BY_ANOTHER = 16 };
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
  NAMED("duration", SECONDS), NAMED("ttft", SECONDS),
  NAMED("retries", COUNT), NAMED("tokens_in", COUNT), NAMED("tokens_out", COUNT), NAMED("attempt", COUNT),
  NAMED("status", STATUS),
};
enum { LEVEL_DEBUG = 0, LEVEL_INFO = 1, LEVEL_PERF = 2 };
enum { MODEL_KEY = 1 };
static const char API_CALL[] = "API call: ";
static const char DB_QUERY[] = "Database query executed: ";

typedef struct {
  const uint8_t *b;
  size_t len;
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

/* search.ts's headerModuleEnd: the module's `]`, or -1; the level's end in *level_end. */
static long header_module_end(const Chunk *c, size_t start, size_t text_end, size_t *level_end) {
  const uint8_t *b = c->b;
  size_t i = start + 27;
  for (; i < text_end; i++) {
    uint8_t ch = b[i];
    if (ch == ']' && i + 2 < c->len && b[i + 1] == ' ' && b[i + 2] == '[') break;
    if (ch == '\n' || ch >= 0x80) return -1;
  }
  *level_end = i;
  for (i += 3; i < text_end; i++) {
    uint8_t ch = b[i];
    if (ch == ']' && i + 1 < c->len && b[i + 1] == ' ') return (long)i;
    if (ch == '\n' || ch >= 0x80) return -1;
  }
  return -1;
}

static int bytes_are(const Chunk *c, size_t start, size_t end, const char *text) {
  size_t n = strlen(text);
  if (end - start != n || end > c->len) return 0;
  return memcmp(c->b + start, text, n) == 0;
}

static int starts_with_at(const Chunk *c, size_t at, const char *text) { return bytes_are(c, at, at + strlen(text), text); }

static int level_spelt(const Chunk *c, size_t start, size_t end) {
  for (size_t i = 0; i < sizeof SPELLINGS / sizeof SPELLINGS[0]; i++)
    if (SPELLINGS[i].len == end - start && memcmp(c->b + start, SPELLINGS[i].text, SPELLINGS[i].len) == 0) return SPELLINGS[i].code;
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

/* Whether the `length` bytes at `at` are `text`'s: a loop, for the few bytes of a key (a call to memcmp costs more). */
static inline int same_bytes(const uint8_t *at, const char *text, size_t length) {
  for (size_t i = 0; i < length; i++)
    if (at[i] != (uint8_t)text[i]) return 0;
  return 1;
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

/* stats-bytes.ts's ByteStrings hash (FNV-1a), for ASCII bytes; 0 in *ascii when one is not. */
static int32_t hash_of(const uint8_t *b, size_t start, size_t end, int *ascii) {
  uint32_t hash = 0x811c9dc5u;
  for (size_t i = start; i < end; i++) {
    if (b[i] >= 0x80) {
      *ascii = 0;
      return 0;
    }
    hash = (hash ^ b[i]) * 0x01000193u;
  }
  *ascii = 1;
  return (int32_t)hash;
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

/* One field of a plain context into the record; 0 when its value is not of the shape read here. */
static int visit_field(const Chunk *c, int32_t *rec, double *nums, size_t key_start, size_t key_end, size_t value_end) {
  const uint8_t *b = c->b;
  size_t key_len = key_end - key_start;
  for (int k = 0; k < FIELD_COUNT; k++) {
    if (KEYS[k].len != key_len || !same_bytes(b + key_start, KEYS[k].name, key_len)) continue;
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

/* One byte of the context met going back from its end (one CONTEXT_BYTE marks). */
static int context_byte(const uint8_t *b, ContextScan *s, long i) {
  uint8_t ch = b[i];
  if (ch == '(') {
    s->open = i;
    return OPEN_FOUND;
  }
  if (ch == ')' || ch == '\\') return NOT_PLAIN;
  if (ch == ':') {
    if ((size_t)i + 1 < s->inner_end && b[i + 1] == ' ') s->colon = i;
  } else if (ch == ',' && b[i + 1] == ' ') {
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

/* Goes back over [body, inner_end) calling context_byte at each byte CONTEXT_BYTE marks, until it says stop. */
static int scan_back(const uint8_t *b, ContextScan *s, size_t body) {
  long i = (long)s->inner_end - 1;
#if defined(__SSE2__)
  const __m128i open = _mm_set1_epi8('('), close = _mm_set1_epi8(')'), backslash = _mm_set1_epi8('\\');
  const __m128i colon = _mm_set1_epi8(':'), comma = _mm_set1_epi8(',');
  // Sixteen bytes at a time: the marked ones found at once, then met from the highest down.
  for (; i - 15 >= (long)body; i -= 16) {
    __m128i v = _mm_loadu_si128((const __m128i *)(b + i - 15));
    __m128i hits = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, open), _mm_cmpeq_epi8(v, close)),
                                _mm_or_si128(_mm_cmpeq_epi8(v, backslash), _mm_or_si128(_mm_cmpeq_epi8(v, colon), _mm_cmpeq_epi8(v, comma))));
    unsigned mask = (unsigned)_mm_movemask_epi8(hits);
    while (mask != 0) {
      int bit = 31 - __builtin_clz(mask);
      int said = context_byte(b, s, i - 15 + bit);
      if (said != GO_ON) return said;
      mask &= ~(1u << bit);
    }
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
  rec[R_REST] = number_at(b, start + 15, 2) * 100000 + number_at(b, start + 18, 2) * 1000 + number_at(b, start + 21, 3);
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
typedef struct {
  int32_t slot_name[NAME_SLOTS];
  uint32_t slot_hash[NAME_SLOTS];
  uint32_t offset[MAX_NAMES];
  uint16_t length[MAX_NAMES];
  int32_t count;
  uint8_t *bytes;
  size_t used, capacity;
} Names;

/* The number of the name [start, end) (ASCII, its hash given), numbered now if new; -1 when the list is full or it is long. */
static int32_t name_of(Names *names, const uint8_t *b, size_t start, size_t end, int32_t hash) {
  size_t length = end - start;
  if (length > MAX_NAME_BYTES) return -1;
  for (uint32_t slot = (uint32_t)hash & (NAME_SLOTS - 1);; slot = (slot + 1) & (NAME_SLOTS - 1)) {
    int32_t known = names->slot_name[slot];
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
      names->slot_name[slot] = id;
      names->slot_hash[slot] = (uint32_t)hash;
      return id;
    }
    if (names->slot_hash[slot] == (uint32_t)hash && names->length[known] == length && memcmp(names->bytes + names->offset[known], b + start, length) == 0)
      return known;
  }
}

/* Numbers the names of a record read whole (only then: the JavaScript side must see every number given). */
static void name_record(Names *names, const uint8_t *b, int32_t *rec) {
  int ascii;
  size_t module_start = (size_t)rec[R_MODULE_START], module_end = (size_t)rec[R_MODULE_END];
  rec[R_MODULE_NAME] = name_of(names, b, module_start, module_end, hash_of(b, module_start, module_end, &ascii));
  if (!(rec[R_FLAGS] & F_FIELDS)) return;
  for (int k = 0; k < FIELD_COUNT; k++) {
    if (KEYS[k].reading != TEXT || !(rec[R_GIVEN] & (1 << k))) continue;
    int32_t *text = rec + R_TEXTS + TEXT_INTS * k;
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

/* Whether the hours (`2024-01-15 10`) of the headers at a and b are the same. */
static int same_hour(const uint8_t *b, size_t a, size_t other) { return memcmp(b + a + 1, b + other + 1, 13) == 0; }

/* scan(chunk, from, ints, floats): records from `from` on until the records are full, the chunk ends or an entry is left to JavaScript. */
static napi_value scan(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  Chunk c;
  void *data;
  if (argc < 4 || napi_get_buffer_info(env, argv[0], &data, &c.len) != napi_ok) {
    napi_throw_type_error(env, NULL, "scan(chunk, from, ints, floats)");
    return NULL;
  }
  c.b = data;
  double from_d;
  napi_get_value_double(env, argv[1], &from_d);
  napi_typedarray_type type;
  size_t int_count, float_count;
  void *ints_data, *floats_data;
  napi_typedarray_type float_type;
  if (napi_get_typedarray_info(env, argv[2], &type, &int_count, &ints_data, NULL, NULL) != napi_ok ||
      napi_get_typedarray_info(env, argv[3], &float_type, &float_count, &floats_data, NULL, NULL) != napi_ok || type != napi_int32_array ||
      float_type != napi_float64_array || int_count < HEAD_INTS + RECORD_INTS || float_count < RECORD_FLOATS) {
    napi_throw_type_error(env, NULL, "scan(chunk, from, ints, floats): ints an Int32Array and floats a Float64Array of at least one record");
    return NULL;
  }
  Names *names;
  if (napi_get_instance_data(env, (void **)&names) != napi_ok || names == NULL) {
    napi_throw_error(env, NULL, "the scanner's names were not set up");
    return NULL;
  }
  int32_t *ints = ints_data;
  double *floats = floats_data;
  size_t capacity = (int_count - HEAD_INTS) / RECORD_INTS;
  if (float_count / RECORD_FLOATS < capacity) capacity = float_count / RECORD_FLOATS;

  size_t start = (size_t)from_d, count = 0;
  int left_to_js = 0;
  long previous = -1;
  while (start < c.len && count < capacity) {
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
    int32_t *rec = ints + HEAD_INTS + count * RECORD_INTS;
    double *nums = floats + count * RECORD_FLOATS;
    if (level == -1 || glued_header(&c, start, end, level_end + 1) ||
        !read_entry(&c, rec, nums, start, line_end, level, level_end, (size_t)module_end)) {
      left_to_js = 1;
      break;
    }
    rec[R_SAME_HOUR] = previous != -1 && same_hour(c.b, start, (size_t)previous);
    name_record(names, c.b, rec);
    previous = (long)start;
    count++;
    start = end;
  }
  ints[0] = (int32_t)start;
  ints[1] = (int32_t)count;
  ints[2] = left_to_js;
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
  char layout[64];
  snprintf(layout, sizeof layout, "|%d,%d,%d,%d", HEAD_INTS, RECORD_INTS, RECORD_FLOATS, TEXT_INTS);
  strcat(text, layout);
  napi_value result;
  napi_create_string_utf8(env, text, NAPI_AUTO_LENGTH, &result);
  return result;
}

NAPI_MODULE_INIT() {
  Names *names = calloc(1, sizeof(Names));
  if (names == NULL) return NULL;
  memset(names->slot_name, 0xff, sizeof names->slot_name);
  napi_set_instance_data(env, names, free_names, NULL);
  napi_value fn;
  napi_create_function(env, "scan", NAPI_AUTO_LENGTH, scan, NULL, &fn);
  napi_set_named_property(env, exports, "scan", fn);
  napi_create_function(env, "tables", NAPI_AUTO_LENGTH, tables, NULL, &fn);
  napi_set_named_property(env, exports, "tables", fn);
  return exports;
}
