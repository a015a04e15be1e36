/* test-tokenizer.c - the CLIP tokenizer against OpenAI's reference ids.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Truth comes from outside this code: the ids the reference `clip.tokenize`
 * gave for 3000 texts (clip-reference/tokenizer.jsonl), the ids quoted in
 * the toy model's README, and small vocabularies written here whose BPE
 * result is worked out by hand.
 */
#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "clip.h"
#include "test-util.h"

#define CTX 77
#define SOT 49406
#define EOT 49407

static char *reference_dir;  /* clip-reference/tiny-clip */
static char *corpus_path;    /* clip-reference/tokenizer.jsonl */
static char *toy_dir;        /* models/toy-clip */

static clip_tokenizer *
load_dir (const char *dir)
{
  g_autofree char *vocab = g_build_filename (dir, "vocab.json", NULL);
  g_autofree char *merges = g_build_filename (dir, "merges.txt", NULL);
  clip_tokenizer *tok = NULL;
  char *error = NULL;
  clip_status status = clip_tokenizer_load (vocab, merges, &tok, &error);

  if (status != CLIP_STATUS_OK)
    g_error ("loading %s: %s", dir, error);
  g_assert_null (error);
  g_assert_nonnull (tok);
  return tok;
}

/* Encodes with CTX ids and checks the padding invariant on the way. */
static int
encode (const clip_tokenizer *tok,
        const char           *text,
        long                  len,
        int32_t               ids[CTX])
{
  int n = clip_tokenizer_encode (tok, text, len, ids, CTX);

  g_assert_cmpint (n, >=, 2);
  g_assert_cmpint (n, <=, CTX);
  g_assert_cmpint (ids[0], ==, SOT);
  g_assert_cmpint (ids[n - 1], ==, EOT);
  for (int i = n; i < CTX; i++)
    g_assert_cmpint (ids[i], ==, 0);
  return n;
}

static void
assert_ids (const clip_tokenizer *tok,
            const char           *text,
            const int32_t        *want,
            int                   n_want)
{
  int32_t ids[CTX];
  int n = encode (tok, text, -1, ids);

  g_assert_cmpint (n, ==, n_want);
  for (int i = 0; i < n_want; i++)
    if (ids[i] != want[i])
      g_error ("\"%s\": id %d is %d, expected %d", text, i, ids[i], want[i]);
}

static void
assert_same_ids (const clip_tokenizer *tok,
                 const char           *a,
                 const char           *b)
{
  int32_t ia[CTX], ib[CTX];
  int na = encode (tok, a, -1, ia);
  int nb = encode (tok, b, -1, ib);

  g_assert_cmpint (na, ==, nb);
  for (int i = 0; i < CTX; i++)
    if (ia[i] != ib[i])
      g_error ("\"%s\" and \"%s\" differ at id %d: %d vs %d", a, b, i, ia[i], ib[i]);
}

/* ---------------------------------------------------------------------------
 * Reference corpus
 * ------------------------------------------------------------------------- */

typedef struct {
  char    *text;
  int32_t  ids[CTX];
  int      n;        /* ids before padding: the last EOT + 1 */
} corpus_entry;

static GPtrArray *
read_corpus (void)
{
  g_autofree char *data = NULL;
  g_auto (GStrv) lines = NULL;
  GPtrArray *entries = g_ptr_array_new ();
  GError *error = NULL;

  g_file_get_contents (corpus_path, &data, NULL, &error);
  g_assert_no_error (error);
  lines = g_strsplit (data, "\n", -1);
  for (int l = 0; lines[l] != NULL; l++)
    {
      g_autoptr (JsonParser) parser = json_parser_new ();
      JsonObject *obj;
      JsonArray *ids;
      corpus_entry *e;

      if (lines[l][0] == '\0')
        continue;
      json_parser_load_from_data (parser, lines[l], -1, &error);
      g_assert_no_error (error);
      obj = json_node_get_object (json_parser_get_root (parser));
      ids = json_object_get_array_member (obj, "ids");
      g_assert_cmpuint (json_array_get_length (ids), ==, CTX);
      e = g_new0 (corpus_entry, 1);
      e->text = g_strdup (json_object_get_string_member (obj, "text"));
      for (int i = 0; i < CTX; i++)
        {
          e->ids[i] = (int32_t) json_array_get_int_element (ids, i);
          if (e->ids[i] == EOT)
            e->n = i + 1;
        }
      g_ptr_array_add (entries, e);
    }
  return entries;
}

static void
free_corpus (GPtrArray *entries)
{
  for (guint i = 0; i < entries->len; i++)
    {
      corpus_entry *e = entries->pdata[i];
      g_free (e->text);
      g_free (e);
    }
  g_ptr_array_unref (entries);
}

/* The text with everything but printable ASCII as \u{XXXX}, so that a
 * message survives any locale. */
static char *
escape_text (const char *text)
{
  GString *out = g_string_new (NULL);

  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (c >= 0x20 && c < 0x7f && c != '\\')
        g_string_append_c (out, (char) c);
      else
        g_string_append_printf (out, "\\u{%04X}", c);
    }
  return g_string_free (out, FALSE);
}

/* Returns the number of entries in [start, end) whose ids match; with
 * `report`, lists the first few mismatches as test messages. */
static guint
check_corpus (const clip_tokenizer *tok,
              GPtrArray            *entries,
              guint                 start,
              guint                 end,
              gboolean              report)
{
  guint ok = 0, shown = 0;

  for (guint k = start; k < end; k++)
    {
      corpus_entry *e = entries->pdata[k];
      int32_t ids[CTX];
      int n = clip_tokenizer_encode (tok, e->text, -1, ids, CTX);
      int first = 0;

      if (n == e->n && memcmp (ids, e->ids, sizeof ids) == 0)
        {
          ok++;
          continue;
        }
      if (!report || shown++ >= 5)
        continue;
      while (first < CTX - 1 && ids[first] == e->ids[first])
        first++;
      {
        g_autofree char *escaped = escape_text (e->text);

        g_test_message ("mismatch: \"%s\": returned %d (want %d); id [%d] is %d, want %d",
                        escaped, n, e->n, first, ids[first], e->ids[first]);
      }
    }
  return ok;
}

static void
test_corpus (void)
{
  clip_tokenizer *tok = load_dir (reference_dir);
  GPtrArray *entries = read_corpus ();
  guint ok;

  g_assert_cmpint (clip_tokenizer_vocab_size (tok), ==, 49408);
  g_assert_cmpint (clip_tokenizer_sot_id (tok), ==, SOT);
  g_assert_cmpint (clip_tokenizer_eot_id (tok), ==, EOT);
  g_assert_cmpuint (entries->len, ==, 3000);

  ok = check_corpus (tok, entries, 0, entries->len, TRUE);
  g_test_message ("tokenizer.jsonl: %u of %u texts give the reference ids", ok, entries->len);
  if (ok != entries->len)
    g_test_fail_printf ("%u of %u texts differ from the reference (the first ones are listed above)",
                        entries->len - ok, entries->len);
  else
    {
      /* Again: now every word comes from the BPE cache. */
      ok = check_corpus (tok, entries, 0, entries->len, FALSE);
      g_assert_cmpuint (ok, ==, entries->len);
    }

  free_corpus (entries);
  clip_tokenizer_free (tok);
}

typedef struct {
  const clip_tokenizer *tok;
  GPtrArray            *entries;
  guint                 start;
  guint                 end;
  guint                 ok;
} thread_job;

static gpointer
run_thread_job (gpointer data)
{
  thread_job *job = data;

  for (int round = 0; round < 2; round++)
    job->ok += check_corpus (job->tok, job->entries, job->start, job->end, FALSE);
  return NULL;
}

/* One tokenizer shared by threads (the BPE cache is shared). */
static void
test_threads (void)
{
  clip_tokenizer *tok = load_dir (reference_dir);
  GPtrArray *entries = read_corpus ();
  thread_job jobs[4];
  GThread *threads[4];

  for (int t = 0; t < 4; t++)
    {
      /* Overlapping ranges, so threads hit the same cache entries. */
      jobs[t] = (thread_job) { tok, entries, t * 500, t * 500 + 1500, 0 };
      threads[t] = g_thread_new ("tokenize", run_thread_job, &jobs[t]);
    }
  for (int t = 0; t < 4; t++)
    {
      g_thread_join (threads[t]);
      g_assert_cmpuint (jobs[t].ok, ==, 2 * 1500);
    }
  free_corpus (entries);
  clip_tokenizer_free (tok);
}

/* ---------------------------------------------------------------------------
 * Hand-computed cases on the real vocabulary
 * ------------------------------------------------------------------------- */

static void
test_toy_readme (void)
{
  static const int32_t photo[] = { 49406, 320, 1125, 539, 320, 736, 7117, 49407 };
  static const int32_t stars[] = { 49406, 1237, 4481, 2895, 256, 49407 };
  clip_tokenizer *tok = load_dir (toy_dir);

  assert_ids (tok, "a photo of a red circle", photo, G_N_ELEMENTS (photo));
  assert_ids (tok, "Two YELLOW stars!", stars, G_N_ELEMENTS (stars));
  clip_tokenizer_free (tok);
}

static void
test_empty_and_padding (void)
{
  static const int32_t empty[] = { SOT, EOT };
  clip_tokenizer *tok = load_dir (reference_dir);
  int32_t ids[CTX + 1];

  assert_ids (tok, "", empty, 2);
  assert_ids (tok, " \t\r\n\u3000 \u2028", empty, 2);
  g_assert_cmpint (clip_tokenizer_encode (tok, NULL, 0, ids, CTX), ==, 2);

  /* Every slot after EOT is 0, and nothing past context_length is written. */
  for (int i = 0; i <= CTX; i++)
    ids[i] = -7;
  g_assert_cmpint (clip_tokenizer_encode (tok, "a photo", -1, ids, CTX), ==, 4);
  g_assert_cmpint (ids[0], ==, SOT);
  g_assert_cmpint (ids[1], ==, 320);
  g_assert_cmpint (ids[2], ==, 1125);
  g_assert_cmpint (ids[3], ==, EOT);
  for (int i = 4; i < CTX; i++)
    g_assert_cmpint (ids[i], ==, 0);
  g_assert_cmpint (ids[CTX], ==, -7);

  /* The length argument is honoured: "a photo" cut to "a". */
  g_assert_cmpint (clip_tokenizer_encode (tok, "a photo", 1, ids, CTX), ==, 3);
  g_assert_cmpint (ids[1], ==, 320);
  g_assert_cmpint (ids[2], ==, EOT);

  g_assert_cmpint (clip_tokenizer_encode (tok, "a", -1, ids, 1), ==, -1);
  g_assert_cmpint (clip_tokenizer_encode (tok, "a", -1, ids, 0), ==, -1);
  clip_tokenizer_free (tok);
}

static void
test_truncation (void)
{
  clip_tokenizer *tok = load_dir (reference_dir);
  g_autoptr (GString) text = g_string_new (NULL);
  int32_t ids[CTX];
  int n;

  /* 100 words of one token each: 75 survive, then EOT at index 76. */
  for (int i = 0; i < 100; i++)
    g_string_append (text, "a ");
  n = encode (tok, text->str, -1, ids);
  g_assert_cmpint (n, ==, CTX);
  for (int i = 1; i < CTX - 1; i++)
    g_assert_cmpint (ids[i], ==, 320);
  g_assert_cmpint (ids[CTX - 1], ==, EOT);

  /* Exactly 75 content ids fit without cutting; 76 are cut to 75. */
  g_string_truncate (text, 0);
  for (int i = 0; i < 75; i++)
    g_string_append (text, "a ");
  g_assert_cmpint (encode (tok, text->str, -1, ids), ==, CTX);
  g_assert_cmpint (ids[75], ==, 320);
  g_string_append (text, "photo");
  g_assert_cmpint (encode (tok, text->str, -1, ids), ==, CTX);
  g_assert_cmpint (ids[75], ==, 320);
  g_assert_cmpint (ids[76], ==, EOT);

  /* Other context lengths. */
  g_assert_cmpint (clip_tokenizer_encode (tok, "a photo of a", -1, ids, 4), ==, 4);
  g_assert_cmpint (ids[0], ==, SOT);
  g_assert_cmpint (ids[1], ==, 320);
  g_assert_cmpint (ids[2], ==, 1125);
  g_assert_cmpint (ids[3], ==, EOT);
  g_assert_cmpint (clip_tokenizer_encode (tok, "a photo", -1, ids, 2), ==, 2);
  g_assert_cmpint (ids[0], ==, SOT);
  g_assert_cmpint (ids[1], ==, EOT);
  clip_tokenizer_free (tok);
}

static void
test_cleaning (void)
{
  clip_tokenizer *tok = load_dir (reference_dir);
  int32_t ids[CTX];

  /* HTML entities are unescaped twice, with Python's rules. */
  assert_same_ids (tok, "&amp;amp;", "&");
  assert_same_ids (tok, "fish &amp;amp; chips", "fish & chips");
  assert_same_ids (tok, "&lt;b&gt; &#39;x&#x27; &quot;", "<b> 'x' \"");
  assert_same_ids (tok, "&amp;lt;3", "<3");
  assert_same_ids (tok, "&notin; &notit; &ampx", "\u2209 \u00acit; &x");
  assert_same_ids (tok, "&#128; &#0; &#x110000; &#1;x", "\u20ac \ufffd \ufffd x");
  assert_same_ids (tok, "&nosuchname; &#; &#xg", "& nosuchname ; &#; &# xg");
  /* NFC */
  assert_same_ids (tok, "cafe\u0301", "caf\u00e9");
  /* Whitespace of every kind collapses; U+001C survives the regex's \s. */
  assert_same_ids (tok, "\u00a0 a\t\n\u2003photo\r\n", "a photo");
  /* Python's lower(): İ is i + U+0307, final sigma. */
  assert_same_ids (tok, "\u0130", "i\u0307");
  assert_same_ids (tok, "\u039f\u0394\u039f\u03a3 \u03a3\u0391", "\u03bf\u03b4\u03bf\u03c2 \u03c3\u03b1");
  /* A literal special token keeps its id; contractions split off. */
  g_assert_cmpint (encode (tok, "a<|endoftext|>a", -1, ids), ==, 5);
  g_assert_cmpint (ids[1], ==, 320);
  g_assert_cmpint (ids[2], ==, EOT);
  g_assert_cmpint (ids[3], ==, 320);
  assert_same_ids (tok, "don't", "don 't");
  /* Every digit is its own token. */
  assert_same_ids (tok, "2024", "2 0 2 4");
  /* Invalid UTF-8 becomes U+FFFD; NUL is a character when len is given. */
  assert_same_ids (tok, "a\xff\xfe", "a\ufffd\ufffd");
  g_assert_cmpint (encode (tok, "a\0b", 3, ids), ==, 5);
  g_assert_cmpint (ids[1], ==, 320);
  clip_tokenizer_free (tok);
}

static void
test_long_input (void)
{
  clip_tokenizer *tok = load_dir (reference_dir);
  g_autoptr (GString) text = g_string_new (NULL);
  g_autoptr (GRand) rand = g_rand_new_with_seed (42);
  int32_t ids[CTX];
  gint64 t0;

  /* One word of 10,000 'a's. */
  for (int i = 0; i < 10000; i++)
    g_string_append_c (text, 'a');
  t0 = g_get_monotonic_time ();
  g_assert_cmpint (encode (tok, text->str, -1, ids), ==, CTX);
  g_test_message ("10,000 'a' in one word: %.2f ms", (g_get_monotonic_time () - t0) / 1000.0);
  g_assert_cmpint (ids[CTX - 1], ==, EOT);

  /* One word of 10,000 pseudo-random letters. */
  g_string_truncate (text, 0);
  for (int i = 0; i < 10000; i++)
    g_string_append_c (text, 'a' + g_rand_int_range (rand, 0, 26));
  t0 = g_get_monotonic_time ();
  g_assert_cmpint (encode (tok, text->str, -1, ids), ==, CTX);
  g_test_message ("10,000 random letters in one word: %.2f ms", (g_get_monotonic_time () - t0) / 1000.0);

  /* 2,000 words, 10,000 characters. */
  g_string_truncate (text, 0);
  for (int i = 0; i < 2000; i++)
    g_string_append (text, i % 2 ? "cats " : "dogs ");
  t0 = g_get_monotonic_time ();
  g_assert_cmpint (encode (tok, text->str, -1, ids), ==, CTX);
  g_test_message ("2,000 words (%" G_GSIZE_FORMAT " chars): %.2f ms",
                  text->len, (g_get_monotonic_time () - t0) / 1000.0);

  /* 10,000 non-ASCII letters (3 bytes each) in one word. */
  g_string_truncate (text, 0);
  for (int i = 0; i < 10000; i++)
    g_string_append_unichar (text, 0x4e00 + g_rand_int_range (rand, 0, 500));
  t0 = g_get_monotonic_time ();
  g_assert_cmpint (encode (tok, text->str, -1, ids), ==, CTX);
  g_test_message ("10,000 CJK letters in one word: %.2f ms", (g_get_monotonic_time () - t0) / 1000.0);
  clip_tokenizer_free (tok);
}

/* ---------------------------------------------------------------------------
 * Small vocabularies written here
 * ------------------------------------------------------------------------- */

/* GPT-2's byte -> unicode table, written out again for the test. */
static gunichar
byte_symbol (int b)
{
  int n = 0;

  if ((b >= '!' && b <= '~') || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff))
    return b;
  for (int k = 0; k < b; k++)
    if (!((k >= '!' && k <= '~') || (k >= 0xa1 && k <= 0xac) || (k >= 0xae && k <= 0xff)))
      n++;
  return 0x100 + n;
}

static void
append_json_string (GString    *out,
                    const char *s)
{
  g_string_append_c (out, '"');
  for (; *s != '\0'; s++)
    {
      if (*s == '"' || *s == '\\')
        g_string_append_printf (out, "\\%c", *s);
      else
        g_string_append_c (out, *s);
    }
  g_string_append_c (out, '"');
}

/* The 512 byte symbols (ids 0..511, "</w>" forms from 256), then `extra`
 * (ids from 512), then the special tokens unless left out. */
static char *
make_vocab (const char *const *extra,
            gboolean            with_sot,
            gboolean            with_eot)
{
  GString *out = g_string_new ("{");
  int id = 0;

  for (int pass = 0; pass < 2; pass++)
    for (int b = 0; b < 256; b++)
      {
        char sym[16] = { 0 };

        g_unichar_to_utf8 (byte_symbol (b), sym);
        if (pass == 1)
          strcat (sym, "</w>");
        append_json_string (out, sym);
        g_string_append_printf (out, ": %d,\n", id++);
      }
  for (int i = 0; extra != NULL && extra[i] != NULL; i++)
    {
      append_json_string (out, extra[i]);
      g_string_append_printf (out, ": %d,\n", id++);
    }
  if (with_sot)
    g_string_append_printf (out, "\"<|startoftext|>\": %d,\n", id++);
  if (with_eot)
    g_string_append_printf (out, "\"<|endoftext|>\": %d,\n", id++);
  g_string_truncate (out, out->len - 2);  /* the last ",\n" */
  g_string_append (out, "\n}\n");
  return g_string_free (out, FALSE);
}

static void
write_file (const char *dir,
            const char *name,
            const char *contents)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  GError *error = NULL;

  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
}

/* Loads dir/vocab.json + dir/merges.txt; returns the status and the
 * message in *msg (or NULL). */
static clip_status
try_load (const char      *dir,
          clip_tokenizer **tok,
          char           **msg)
{
  g_autofree char *vocab = g_build_filename (dir, "vocab.json", NULL);
  g_autofree char *merges = g_build_filename (dir, "merges.txt", NULL);
  clip_status status;

  *msg = NULL;
  *tok = NULL;
  status = clip_tokenizer_load (vocab, merges, tok, msg);
  if (status != CLIP_STATUS_OK)
    {
      g_assert_null (*tok);
      g_assert_nonnull (*msg);
      g_test_message ("expected error: %s", *msg);
    }
  else
    g_assert_null (*msg);
  return status;
}

/* BPE order on a vocabulary where the reference's pass-by-pass merging and
 * a naive "always the lowest rank first" heap disagree. */
static void
test_bpe_passes (void)
{
  /* ids: "ab" 512, "aba" 513, "aa" 514, "ab</w>" 515; SOT 516, EOT 517 */
  static const char *const extra[] = { "ab", "aba", "aa", "ab</w>", NULL };
  g_autofree char *dir = test_make_temp_dir ();
  g_autofree char *vocab = make_vocab (extra, TRUE, TRUE);
  clip_tokenizer *tok;
  char *msg;
  /* make_vocab numbers the byte symbols in byte order */
  const int x_end = 256 + 'x', a_end = 256 + 'a';

  write_file (dir, "vocab.json", vocab);
  /* rank 0: ab a -> aba; rank 1: a b -> ab; rank 2: a a -> aa; rank 3: a b</w> */
  write_file (dir, "merges.txt", "#version: 0.2\nab a\na b\na a\na b</w>\n");
  g_assert_cmpint (try_load (dir, &tok, &msg), ==, CLIP_STATUS_OK);
  g_assert_cmpint (clip_tokenizer_vocab_size (tok), ==, 518);
  g_assert_cmpint (clip_tokenizer_sot_id (tok), ==, 516);
  g_assert_cmpint (clip_tokenizer_eot_id (tok), ==, 517);

  {
    /* "ababx": the pass of rank 1 joins both "a b" first -> ab ab x</w>;
     * only then could rank 0 apply, and "ab ab" is not a merge. */
    const int32_t want[] = { 516, 512, 512, x_end, 517 };
    int32_t ids[8];

    g_assert_cmpint (clip_tokenizer_encode (tok, "ababx", -1, ids, 8), ==, 5);
    for (int i = 0; i < 5; i++)
      g_assert_cmpint (ids[i], ==, want[i]);
  }
  {
    /* "abax": rank 1 -> ab a x</w>, then rank 0 -> aba x</w>. */
    const int32_t want[] = { 516, 513, x_end, 517 };
    int32_t ids[8];

    g_assert_cmpint (clip_tokenizer_encode (tok, "abax", -1, ids, 8), ==, 4);
    for (int i = 0; i < 4; i++)
      g_assert_cmpint (ids[i], ==, want[i]);
  }
  {
    /* "aaaaa": a a a a a</w>; "a a" joins left to right: aa aa a</w>. */
    const int32_t want[] = { 516, 514, 514, a_end, 517 };
    int32_t ids[8];

    g_assert_cmpint (clip_tokenizer_encode (tok, "aaaaa", -1, ids, 8), ==, 5);
    for (int i = 0; i < 5; i++)
      g_assert_cmpint (ids[i], ==, want[i]);
    /* "aaa": aa a</w> */
    g_assert_cmpint (clip_tokenizer_encode (tok, "aaa", -1, ids, 8), ==, 4);
    g_assert_cmpint (ids[1], ==, 514);
    g_assert_cmpint (ids[2], ==, a_end);
    /* "ab": a b</w> -> ab</w>; "a": a</w> */
    g_assert_cmpint (clip_tokenizer_encode (tok, "ab a", -1, ids, 8), ==, 4);
    g_assert_cmpint (ids[1], ==, 515);
    g_assert_cmpint (ids[2], ==, a_end);
  }
  clip_tokenizer_free (tok);
  test_rm_rf (dir);
}

static void
test_load_errors (void)
{
  static const char *const extra[] = { "ab", NULL };
  g_autofree char *dir = test_make_temp_dir ();
  g_autofree char *good_vocab = make_vocab (extra, TRUE, TRUE);
  g_autofree char *no_eot = make_vocab (extra, TRUE, FALSE);
  g_autofree char *missing_dir = g_build_filename (dir, "absent", NULL);
  clip_tokenizer *tok;
  char *msg;

  /* A good pair first, so each case below breaks one thing. */
  write_file (dir, "vocab.json", good_vocab);
  write_file (dir, "merges.txt", "#version: 0.2\na b\n");
  g_assert_cmpint (try_load (dir, &tok, &msg), ==, CLIP_STATUS_OK);
  clip_tokenizer_free (tok);

  /* Missing vocab file. */
  g_assert_cmpint (try_load (missing_dir, &tok, &msg), ==, CLIP_STATUS_IO);
  g_assert_nonnull (strstr (msg, "vocab.json"));
  g_assert_nonnull (strstr (msg, "absent"));
  clip_free (msg);

  /* Missing merges file. */
  {
    g_autofree char *vocab = g_build_filename (dir, "vocab.json", NULL);
    g_autofree char *merges = g_build_filename (dir, "nope-merges.txt", NULL);

    msg = NULL;
    g_assert_cmpint (clip_tokenizer_load (vocab, merges, &tok, &msg), ==, CLIP_STATUS_IO);
    g_assert_null (tok);
    g_assert_nonnull (strstr (msg, "nope-merges.txt"));
    clip_free (msg);
  }

  /* Malformed JSON: the message names the file and the line. */
  write_file (dir, "vocab.json", "{\n\"a\": 1,\n\"b\": 2,,\n}\n");
  g_assert_cmpint (try_load (dir, &tok, &msg), ==, CLIP_STATUS_FORMAT);
  g_assert_nonnull (strstr (msg, "vocab.json"));
  g_assert_nonnull (strstr (msg, "line 3"));
  clip_free (msg);

  write_file (dir, "vocab.json", "{\"a\": 1, \"b\": 2.5}");
  g_assert_cmpint (try_load (dir, &tok, &msg), ==, CLIP_STATUS_FORMAT);
  g_assert_nonnull (strstr (msg, "vocab.json"));
  clip_free (msg);

  write_file (dir, "vocab.json", "[1, 2]");
  g_assert_cmpint (try_load (dir, &tok, &msg), ==, CLIP_STATUS_FORMAT);
  g_assert_nonnull (strstr (msg, "vocab.json"));
  clip_free (msg);

  write_file (dir, "vocab.json", "{\"a\": 1");
  g_assert_cmpint (try_load (dir, &tok, &msg), ==, CLIP_STATUS_FORMAT);
  g_assert_nonnull (strstr (msg, "vocab.json"));
  clip_free (msg);

  /* Empty file. */
  write_file (dir, "vocab.json", "  \n");
  g_assert_cmpint (try_load (dir, &tok, &msg), ==, CLIP_STATUS_FORMAT);
  g_assert_nonnull (strstr (msg, "vocab.json"));
  g_assert_nonnull (strstr (msg, "empty"));
  clip_free (msg);

  /* Duplicate ids and duplicate tokens. */
  write_file (dir, "vocab.json", "{\n\"a\": 1,\n\"b\": 1\n}");
  g_assert_cmpint (try_load (dir, &tok, &msg), ==, CLIP_STATUS_FORMAT);
  g_assert_nonnull (strstr (msg, "vocab.json line 3"));
  g_assert_nonnull (strstr (msg, "id 1"));
  clip_free (msg);

  write_file (dir, "vocab.json", "{\n\"a\": 1,\n\"a\": 2\n}");
  g_assert_cmpint (try_load (dir, &tok, &msg), ==, CLIP_STATUS_FORMAT);
  g_assert_nonnull (strstr (msg, "vocab.json line 3"));
  clip_free (msg);

  /* A vocabulary without "<|endoftext|>". */
  write_file (dir, "vocab.json", no_eot);
  g_assert_cmpint (try_load (dir, &tok, &msg), ==, CLIP_STATUS_FORMAT);
  g_assert_nonnull (strstr (msg, "vocab.json"));
  g_assert_nonnull (strstr (msg, "<|endoftext|>"));
  clip_free (msg);

  /* A vocabulary without a byte symbol. */
  write_file (dir, "vocab.json", "{\"<|startoftext|>\": 0, \"<|endoftext|>\": 1}");
  g_assert_cmpint (try_load (dir, &tok, &msg), ==, CLIP_STATUS_FORMAT);
  g_assert_nonnull (strstr (msg, "vocab.json"));
  g_assert_nonnull (strstr (msg, "byte"));
  clip_free (msg);

  write_file (dir, "vocab.json", good_vocab);

  /* A merge whose part is not in the vocabulary. */
  write_file (dir, "merges.txt", "#version: 0.2\na b\nab zz\n");
  g_assert_cmpint (try_load (dir, &tok, &msg), ==, CLIP_STATUS_MISMATCH);
  g_assert_nonnull (strstr (msg, "merges.txt line 3"));
  g_assert_nonnull (strstr (msg, "'zz'"));
  g_assert_nonnull (strstr (msg, "vocab.json"));
  clip_free (msg);

  /* A merge whose result is not in the vocabulary. */
  write_file (dir, "merges.txt", "#version: 0.2\na b\nb c\n");
  g_assert_cmpint (try_load (dir, &tok, &msg), ==, CLIP_STATUS_MISMATCH);
  g_assert_nonnull (strstr (msg, "merges.txt line 3"));
  g_assert_nonnull (strstr (msg, "merge result 'bc'"));
  g_assert_nonnull (strstr (msg, "vocab.json"));
  clip_free (msg);

  /* A line that is not two symbols. */
  write_file (dir, "merges.txt", "#version: 0.2\na b c\n");
  g_assert_cmpint (try_load (dir, &tok, &msg), ==, CLIP_STATUS_FORMAT);
  g_assert_nonnull (strstr (msg, "merges.txt line 2"));
  clip_free (msg);

  write_file (dir, "merges.txt", "#version: 0.2\n\na b\n");
  g_assert_cmpint (try_load (dir, &tok, &msg), ==, CLIP_STATUS_FORMAT);
  g_assert_nonnull (strstr (msg, "merges.txt line 2"));
  clip_free (msg);

  /* An empty merges file. */
  write_file (dir, "merges.txt", "");
  g_assert_cmpint (try_load (dir, &tok, &msg), ==, CLIP_STATUS_FORMAT);
  g_assert_nonnull (strstr (msg, "merges.txt"));
  g_assert_nonnull (strstr (msg, "empty"));
  clip_free (msg);

  /* Accepted: no header, CR LF line ends, trailing blank lines. */
  write_file (dir, "merges.txt", "a b\r\n\r\n\n");
  g_assert_cmpint (try_load (dir, &tok, &msg), ==, CLIP_STATUS_OK);
  clip_tokenizer_free (tok);

  test_rm_rf (dir);
}

/* Writes `head`, then spaces up to `total` bytes. */
static void
write_padded (const char *dir,
              const char *name,
              const char *head,
              gsize       total)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  gsize len = strlen (head);
  g_autofree char *data = g_malloc (total);
  GError *error = NULL;

  g_assert_cmpuint (len, <=, total);
  memcpy (data, head, len);
  memset (data + len, ' ', total - len);
  g_file_set_contents (path, data, (gssize) total, &error);
  g_assert_no_error (error);
}

/* vocab.json and merges.txt above CLIP_TOKENIZER_MAX_FILE are refused with
 * their size, however valid; at the bound they load. */
static void
test_size_limit (void)
{
  static const char *const extra[] = { "ab", NULL };
  g_autofree char *dir = test_make_temp_dir ();
  g_autofree char *vocab = make_vocab (extra, TRUE, TRUE);
  const char *merges = "#version: 0.2\na b\n";
  clip_tokenizer *tok;
  char *msg;

  /* trailing spaces: still valid JSON, and blank space after the merges */
  write_padded (dir, "vocab.json", vocab, CLIP_TOKENIZER_MAX_FILE);
  write_padded (dir, "merges.txt", merges, CLIP_TOKENIZER_MAX_FILE);
  g_assert_cmpint (try_load (dir, &tok, &msg), ==, CLIP_STATUS_OK);
  clip_tokenizer_free (tok);

  write_padded (dir, "vocab.json", vocab, CLIP_TOKENIZER_MAX_FILE + 1);
  g_assert_cmpint (try_load (dir, &tok, &msg), ==, CLIP_STATUS_FORMAT);
  g_assert_nonnull (strstr (msg, "vocab.json: the file is 67108865 bytes, more than the 64 MiB"));
  clip_free (msg);

  write_file (dir, "vocab.json", vocab);
  write_padded (dir, "merges.txt", merges, CLIP_TOKENIZER_MAX_FILE + 1);
  g_assert_cmpint (try_load (dir, &tok, &msg), ==, CLIP_STATUS_FORMAT);
  g_assert_nonnull (strstr (msg, "merges.txt: the file is 67108865 bytes"));
  clip_free (msg);
  test_rm_rf (dir);
}

/* Ids up to INT32_MAX are valid JSON integers but no row of any
 * embedding: refused with a clear reason (the loader's id + 1 bookkeeping
 * once overflowed for INT32_MAX on the way: UBSan's build fails here
 * without that fix); two tokens on one id are refused as such. */
static void
test_largest_id (void)
{
  static const char *const extra[] = { "ab", "aa", NULL };
  g_autofree char *dir = test_make_temp_dir ();
  g_autofree char *vocab = make_vocab (extra, TRUE, TRUE);
  g_auto(GStrv) parts = NULL;
  g_autofree char *big = NULL;
  clip_tokenizer *tok;
  char *msg;
  int32_t ids[8];

  parts = g_strsplit (vocab, "\"ab\": 512,", 2);
  g_assert_nonnull (parts[1]);
  big = g_strjoinv ("\"ab\": 2147483647,", parts);
  g_strfreev (g_steal_pointer (&parts));
  parts = g_strsplit (big, "\"aa\": 513,", 2);
  g_assert_nonnull (parts[1]);
  g_free (big);
  big = g_strjoinv ("\"aa\": 2147483646,", parts);
  write_file (dir, "vocab.json", big);
  write_file (dir, "merges.txt", "#version: 0.2\na b\na a\n");
  /* ids must run from 0 to n - 1 (they index the embedding's rows): the
   * file is refused with the id named, after the id table was built with
   * INT32_MAX in it (UBSan flags the overflow there without the fix) */
  g_assert_cmpint (try_load (dir, &tok, &msg), ==, CLIP_STATUS_FORMAT);
  g_assert_nonnull (strstr (msg, "is not below the 516 entries"));
  clip_free (msg);
  (void) ids;

  /* two tokens on that id are still refused */
  g_free (big);
  big = g_strjoinv ("\"aa\": 2147483647,", parts);
  write_file (dir, "vocab.json", big);
  g_assert_cmpint (try_load (dir, &tok, &msg), ==, CLIP_STATUS_FORMAT);
  g_assert_nonnull (strstr (msg, "the id 2147483647 is given to both"));
  clip_free (msg);
  test_rm_rf (dir);
}

int
main (int    argc,
      char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);

  reference_dir = test_shared_path_or_skip ("testdata/clip-reference/tiny-clip");
  corpus_path = test_shared_path_or_skip ("testdata/clip-reference/tokenizer.jsonl");
  toy_dir = test_shared_path_or_skip ("models/toy-clip");

  g_test_add_func ("/tokenizer/corpus", test_corpus);
  g_test_add_func ("/tokenizer/threads", test_threads);
  g_test_add_func ("/tokenizer/toy-readme", test_toy_readme);
  g_test_add_func ("/tokenizer/empty-and-padding", test_empty_and_padding);
  g_test_add_func ("/tokenizer/truncation", test_truncation);
  g_test_add_func ("/tokenizer/cleaning", test_cleaning);
  g_test_add_func ("/tokenizer/long-input", test_long_input);
  g_test_add_func ("/tokenizer/bpe-passes", test_bpe_passes);
  g_test_add_func ("/tokenizer/load-errors", test_load_errors);
  g_test_add_func ("/tokenizer/size-limit", test_size_limit);
  g_test_add_func ("/tokenizer/largest-id", test_largest_id);

  status = g_test_run ();
  g_free (reference_dir);
  g_free (corpus_path);
  g_free (toy_dir);
  return status;
}
