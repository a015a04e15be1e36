/* test-precision-choice.c - the precision the indexer measures its way to.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * cs_clip_precision_choose against hand-made figures (the truth is
 * written out in each case); the stored record of a check through a
 * round trip, records of the old format and of another CPU ignored; and
 * the whole check on the toy model: what it tried is f32 and every
 * precision the CPU has instructions for, and what it chose passed the
 * floor and is the fastest of those that did, found here by brute force
 * over the recorded figures.  No timing is asserted: which precision is
 * fastest on this machine is whatever was measured.
 */
#include <math.h>
#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "clip.h"
#include "cs-clip-runtime.h"
#include "cs-store.h"
#include "test-util.h"

#define F32  CLIP_PRECISION_F32
#define F16  CLIP_PRECISION_F16
#define BF16 CLIP_PRECISION_BF16
#define INT8 CLIP_PRECISION_INT8

G_STATIC_ASSERT (CLIP_N_PRECISIONS == 4);

static clip_precision
choose (double c32, double c16, double cb16, double c8,
        double s32, double s16, double sb16, double s8)
{
  double cosine[CLIP_N_PRECISIONS], speed[CLIP_N_PRECISIONS];

  cosine[F32] = c32, cosine[F16] = c16, cosine[BF16] = cb16, cosine[INT8] = c8;
  speed[F32] = s32, speed[F16] = s16, speed[BF16] = sb16, speed[INT8] = s8;
  return cs_clip_precision_choose (cosine, speed);
}

static void
test_choose (void)
{
  /* the fastest passing one, wherever it stands in the enum */
  g_assert_cmpint (choose (1, 0.999, 0.999, 0.9991, 22, 20, 35, 61), ==, INT8);
  g_assert_cmpint (choose (1, 0.999, 0.999, 0.9991, 22, 20, 65, 61), ==, BF16);
  g_assert_cmpint (choose (1, 0.999, NAN, NAN, 22, 30, NAN, NAN), ==, F16);
  /* the fastest fails the floor: the next fastest that passes, not it
   * and not the first tried */
  g_assert_cmpint (choose (1, 0.999, 0.9991, 0.98, 22, 20, 35, 61), ==, BF16);
  g_assert_cmpint (choose (1, NAN, 0.9949999, 0.9999, 22, NAN, 80, 40), ==, INT8);
  /* the floor itself passes */
  g_assert_cmpint (choose (1, NAN, NAN, CS_CLIP_CHECK_FLOOR, 22, NAN, NAN, 40), ==, INT8);
  /* f32 fastest: f32, even with every other passing */
  g_assert_cmpint (choose (1, 0.9999, 0.9999, 0.9999, 50, 45, 35, 49.9), ==, F32);
  /* f32's cosine is 1 whatever it says */
  g_assert_cmpint (choose (NAN, NAN, NAN, 0.98, 22, NAN, NAN, 61), ==, F32);
  /* ties of speed: the higher cosine; an exact tie, the lower enum */
  g_assert_cmpint (choose (1, 0.997, 0.999, NAN, 10, 30, 30, NAN), ==, BF16);
  g_assert_cmpint (choose (1, 0.999, 0.999, NAN, 10, 30, 30, NAN), ==, F16);
  g_assert_cmpint (choose (1, NAN, NAN, 0.9999, 30, NAN, NAN, 30), ==, F32);
  /* an overflowing precision (-1, or NAN cosine, or NAN/infinite speed)
   * is never chosen, however fast */
  g_assert_cmpint (choose (1, NAN, -1, 0.999, 22, NAN, 90, 40), ==, INT8);
  g_assert_cmpint (choose (1, NAN, NAN, NAN, 22, NAN, 90, 90), ==, F32);
  g_assert_cmpint (choose (1, 0.999, NAN, 0.999, 22, INFINITY, NAN, 40), ==, INT8);
  g_assert_cmpint (choose (1, 0.999, NAN, 0.999, 22, NAN, NAN, 40), ==, INT8);
  g_assert_cmpint (choose (1, INFINITY, NAN, 0.999, 22, 100, NAN, 40), ==, INT8);
  /* nothing qualifies, f32 untimed (it overflowed): f32 */
  g_assert_cmpint (choose (1, 0.9, 0.9, 0.9, NAN, 30, 40, 50), ==, F32);
  /* f32 untimed but another passes: that one */
  g_assert_cmpint (choose (1, NAN, NAN, 0.999, NAN, NAN, NAN, 50), ==, INT8);
  /* a zero or negative speed is no measurement */
  g_assert_cmpint (choose (1, NAN, NAN, 0.999, 0, NAN, NAN, -5), ==, F32);
}

static CsPrecisionCheck
hand_made_check (void)
{
  CsPrecisionCheck c = { 0, };

  for (int p = 0; p < CLIP_N_PRECISIONS; p++)
    c.tested[p] = c.images_per_s[p] = NAN;
  c.precision = INT8;
  c.tested[F32] = 1, c.images_per_s[F32] = 22.25;
  c.tested[BF16] = 0.99905, c.images_per_s[BF16] = 35.5;
  c.tested[INT8] = 0.999123, c.images_per_s[INT8] = 61.75;
  c.tested[F16] = -1;  /* overflowed: not timed */
  c.cosine = c.tested[INT8];
  return c;
}

/* format -> parse gives back every figure, the key, and the CPU and
 * kernel table the key names; damaged and old records are refused. */
static void
test_record_round_trip (void)
{
  CsPrecisionCheck c = hand_made_check (), back;
  g_autofree char *key = cs_clip_check_key ("/some/model dir", "Made Up  CPU\t9000 ");
  g_autofree char *other = cs_clip_check_key ("/some/model dir", "Another CPU");
  g_autofree char *record = NULL;
  g_autofree char *key_back = NULL;

  g_assert_cmpstr (key, !=, other);
  record = cs_clip_check_record_format (key, &c);
  g_test_message ("%s", record);
  /* the locale's decimal comma must not reach the record */
  g_assert_null (strchr (record, ','));
  g_assert_true (cs_clip_check_record_parse (record, &key_back, &back));
  g_assert_cmpstr (key_back, ==, key);
  g_assert_cmpint (back.precision, ==, INT8);
  g_assert_cmpstr (back.cpu, ==, "Made Up CPU 9000");
  g_assert_cmpstr (back.kernels, ==, clip_kernels_name ());
  for (int p = 0; p < CLIP_N_PRECISIONS; p++)
    {
      g_assert_cmpfloat (fabs (back.tested[p] - c.tested[p]), <, 1e-6);
      if (isnan (c.images_per_s[p]))
        g_assert_true (isnan (back.images_per_s[p]));
      else
        g_assert_cmpfloat (fabs (back.images_per_s[p] - c.images_per_s[p]), <, 0.006);
    }
  g_assert_cmpfloat (back.cosine, ==, back.tested[INT8]);

  /* version 1's record (key line, chosen, NAME=COSINE): absent */
  g_assert_false (cs_clip_check_record_parse ("v1 10538986 1765000000 avx512 /some/model dir\nint8\nint8=0.999900",
                                              NULL, &back));
  /* cut short, a bad number, an unknown precision, garbage after a number */
  {
    g_autofree char *cut = g_strndup (record, (gsize) (strstr (record, "\nchosen:") - record));
    g_autofree char *bad = g_strdup_printf ("%s\nchosen: int8\ntried: int8 x 61", key);
    g_autofree char *unknown = g_strdup_printf ("%s\nchosen: int8\ntried: int4 0.9 61", key);
    g_autofree char *trailing = g_strdup_printf ("%s\nchosen: int8\ntried: int8 0.9z 61", key);
    g_autofree char *fine = g_strdup_printf ("%s\nchosen: f32", key);

    g_assert_false (cs_clip_check_record_parse (cut, NULL, &back));
    g_assert_false (cs_clip_check_record_parse (bad, NULL, &back));
    g_assert_false (cs_clip_check_record_parse (unknown, NULL, &back));
    g_assert_false (cs_clip_check_record_parse (trailing, NULL, &back));
    g_assert_false (cs_clip_check_record_parse (NULL, NULL, &back));
    g_assert_true (cs_clip_check_record_parse (fine, NULL, &back));
    g_assert_cmpint (back.precision, ==, F32);
    g_assert_cmpfloat (back.cosine, ==, 1.0);
  }
}

/* The CPU's name is /proc/cpuinfo's, where it has one. */
static void
test_cpu_name (void)
{
  g_autofree char *cpuinfo = NULL;
  const char *name = cs_clip_cpu_name ();

  g_test_message ("CPU: '%s'", name);
  g_assert_nonnull (name);
  g_assert_null (strchr (name, '\n'));
  g_assert_true (strlen (name) < CS_CLIP_CPU_NAME_MAX);
  if (g_file_get_contents ("/proc/cpuinfo", &cpuinfo, NULL, NULL))
    {
      const char *line = strstr (cpuinfo, "model name");

      if (line != NULL)
        {
          g_autofree char *value = g_strndup (strchr (line, ':') + 1, strcspn (strchr (line, ':') + 1, "\n"));
          g_auto(GStrv) words = g_strsplit (g_strstrip (value), " ", -1);

          /* the first word, at least, as the kernel wrote it */
          if (words[0] != NULL && *words[0] != '\0')
            g_assert_true (g_str_has_prefix (name, words[0]));
        }
    }
}

static CsStore *
open_store (const char *dir)
{
  g_autofree char *path = g_build_filename (dir, "library.db", NULL);
  GError *error = NULL;
  CsStore *store = cs_store_open (path, &error);

  g_assert_no_error (error);
  return store;
}

static void
assert_choice_is_fastest_passing (const CsPrecisionCheck *check)
{
  double best = -1;
  GString *s = g_string_new (NULL);

  for (int p = 0; p < CLIP_N_PRECISIONS; p++)
    {
      g_string_append_printf (s, " %s cos=%.6f ips=%.2f", clip_precision_name (p), check->tested[p],
                              check->images_per_s[p]);
      /* tried: f32 and exactly the precisions with instructions */
      if (p == F32 || clip_precision_is_fast (p))
        g_assert_false (isnan (check->tested[p]));
      else
        g_assert_true (isnan (check->tested[p]));
      if ((p == F32 || check->tested[p] >= CS_CLIP_CHECK_FLOOR) && isfinite (check->images_per_s[p]))
        best = MAX (best, check->images_per_s[p]);
    }
  g_test_message ("chose %s of%s on '%s' (%s)", clip_precision_name (check->precision), s->str,
                  check->cpu, check->kernels);
  g_string_free (s, TRUE);
  g_assert_cmpfloat (check->tested[F32], ==, 1.0);
  g_assert_true (check->precision == F32 || check->tested[check->precision] >= CS_CLIP_CHECK_FLOOR);
  g_assert_cmpfloat (check->cosine, ==, check->precision == F32 ? 1.0 : check->tested[check->precision]);
  g_assert_cmpfloat (best, >, 0);
  g_assert_cmpfloat (check->images_per_s[check->precision], ==, best);
}

/* The record `store` keeps, with the key's CPU line replaced by `cpu`
 * (when not NULL) and int8's and f32's figures made up (so that a kept
 * record is told from a new check). */
static void
forge_record (CsStore    *store,
              const char *cpu)
{
  g_autofree char *value = cs_store_dup_setting (store, "precision-check", NULL);
  g_autofree char *key = NULL;
  g_autofree char *fake_key = NULL;
  g_autofree char *fake = NULL;
  CsPrecisionCheck c;

  g_assert_true (cs_clip_check_record_parse (value, &key, &c));
  if (cpu != NULL)
    {
      g_auto(GStrv) lines = g_strsplit (key, "\n", -1);

      g_free (lines[1]);
      lines[1] = g_strdup_printf ("cpu: %s", cpu);
      fake_key = g_strjoinv ("\n", lines);
    }
  c.tested[INT8] = 0.5;
  c.images_per_s[INT8] = 12345;
  c.images_per_s[F32] = 54321;
  c.precision = F32;
  fake = cs_clip_check_record_format (fake_key != NULL ? fake_key : key, &c);
  g_assert_true (cs_store_set_setting (store, "precision-check", fake, NULL));
}

/* The whole check on the toy model, kept in a store and read back. */
static void
test_toy_model (void)
{
  g_autofree char *shared = test_shared_path_or_skip ("models/toy-clip");
  /* as the indexer names it */
  g_autofree char *model = shared != NULL ? g_canonicalize_filename (shared, NULL) : NULL;
  g_autofree char *dir = NULL;
  g_autofree char *old = NULL;
  g_autoptr(CsStore) store = NULL;
  CsPrecisionCheck check, again;
  GError *error = NULL;

  if (model == NULL)
    return;
  dir = test_make_temp_dir ();
  store = open_store (dir);

  /* an old record for this very model counts as absent */
  old = g_strdup_printf ("v1 1 2 %s %s\nint8\nint8=0.999900", clip_kernels_name (), model);
  g_assert_true (cs_store_set_setting (store, "precision-check", old, NULL));
  g_assert_false (cs_clip_precision_check_read (store, &check));
  g_assert_true (cs_clip_check_precision (model, store, &check, NULL, &error));
  g_assert_no_error (error);
  assert_choice_is_fastest_passing (&check);
  g_assert_cmpstr (check.cpu, ==, cs_clip_cpu_name ());
  g_assert_cmpstr (check.kernels, ==, clip_kernels_name ());

  /* kept, with its figures */
  g_assert_true (cs_clip_precision_check_read (store, &again));
  g_assert_cmpint (again.precision, ==, check.precision);
  for (int p = 0; p < CLIP_N_PRECISIONS; p++)
    if (!isnan (check.tested[p]))
      {
        g_assert_cmpfloat (fabs (again.images_per_s[p] - check.images_per_s[p]), <=, 0.005 + 1e-9);
        g_assert_cmpfloat (fabs (again.tested[p] - check.tested[p]), <=, 5e-7 + 1e-12);
      }
  g_assert_cmpint (cs_clip_image_precision (store, model), ==, check.precision);

  /* the same model and CPU: the kept record, not a new check */
  forge_record (store, NULL);
  g_assert_true (cs_clip_check_precision (model, store, &again, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpfloat (again.images_per_s[F32], ==, 54321);
  g_assert_cmpint (again.precision, ==, F32);

  /* another CPU's record: checked again, here */
  forge_record (store, "Some Other CPU");
  g_assert_true (cs_clip_check_precision (model, store, &again, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpfloat (again.images_per_s[F32], !=, 54321);
  g_assert_cmpstr (again.cpu, ==, cs_clip_cpu_name ());
  assert_choice_is_fastest_passing (&again);

  g_clear_object (&store);
  test_rm_rf (dir);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_unsetenv ("CLIPSIGHT_PRECISION");
  g_unsetenv ("CLIP_NO_SMOOTHING");
  g_test_add_func ("/library/precision-choice/choose", test_choose);
  g_test_add_func ("/library/precision-choice/record", test_record_round_trip);
  g_test_add_func ("/library/precision-choice/cpu-name", test_cpu_name);
  g_test_add_func ("/library/precision-choice/toy-model", test_toy_model);
  return g_test_run ();
}
