/* test-precision-check.c - the indexer's run-time check of a precision.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * cs_clip_check_precision on a random ViT-B/32 whose layer norms have
 * outlier channels (make-test-model --outliers): with the engine's int8
 * smoothing int8 passes the floor; with the smoothing turned off
 * (CLIP_NO_SMOOTHING=1, int8 then loses ~1 % of cosine on images) it must
 * not be chosen, and its cosine is recorded.  Either way the choice is
 * the fastest of the precisions that passed, found here by brute force
 * over the recorded figures.  The outcome is kept in the store and read
 * back without a new check until the weights change.  Needs a CPU with
 * the int8 instructions (skips otherwise).  No timing is asserted: which
 * precision is fastest is whatever was measured.
 */
#include <math.h>
#include <string.h>
#include <utime.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "clip.h"
#include "cs-clip-runtime.h"
#include "cs-store.h"
#include "test-util.h"

static char *model_dir;

static CsStore *
open_store (const char *dir)
{
  g_autofree char *path = g_build_filename (dir, "library.db", NULL);
  GError *error = NULL;
  CsStore *store = cs_store_open (path, &error);

  g_assert_no_error (error);
  return store;
}

/* The choice passed the floor and is the fastest that did. */
static void
assert_fastest_passing (const CsPrecisionCheck *check)
{
  double best = -1;

  for (int p = 0; p < CLIP_N_PRECISIONS; p++)
    {
      g_test_message ("%s: cosine %.6f, %.2f images/s", clip_precision_name (p), check->tested[p],
                      check->images_per_s[p]);
      if ((p == CLIP_PRECISION_F32 || check->tested[p] >= CS_CLIP_CHECK_FLOOR) && isfinite (check->images_per_s[p]))
        best = MAX (best, check->images_per_s[p]);
    }
  g_assert_true (check->precision == CLIP_PRECISION_F32 || clip_precision_is_fast (check->precision));
  g_assert_cmpfloat (check->cosine, >=, CS_CLIP_CHECK_FLOOR);
  g_assert_cmpfloat (best, >, 0);
  g_assert_cmpfloat (check->images_per_s[check->precision], ==, best);
}

static gboolean
skip_without_int8 (void)
{
  if (!clip_precision_is_fast (CLIP_PRECISION_INT8) || model_dir == NULL)
    {
      g_test_skip ("int8 is not a fast precision on this CPU");
      return TRUE;
    }
  return FALSE;
}

/* Without smoothing, int8 is not good enough: the check moves on. */
static void
test_falls_back (void)
{
  g_autofree char *dir = NULL;
  g_autoptr(CsStore) store = NULL;
  CsPrecisionCheck check, again;
  GError *error = NULL;

  if (skip_without_int8 ())
    return;
  dir = test_make_temp_dir ();
  store = open_store (dir);
  g_setenv ("CLIP_NO_SMOOTHING", "1", TRUE);
  g_assert_true (cs_clip_check_precision (model_dir, store, &check, NULL, &error));
  g_unsetenv ("CLIP_NO_SMOOTHING");
  g_assert_no_error (error);
  g_test_message ("no smoothing: int8 %.6f, chose %s (%.6f)", check.tested[CLIP_PRECISION_INT8],
                  clip_precision_name (check.precision), check.cosine);
  g_assert_cmpint (check.precision, !=, CLIP_PRECISION_INT8);
  g_assert_cmpfloat (check.tested[CLIP_PRECISION_INT8], <, CS_CLIP_CHECK_FLOOR);
  assert_fastest_passing (&check);
  if (check.precision != CLIP_PRECISION_F32)
    g_assert_cmpfloat (check.cosine, ==, check.tested[check.precision]);

  g_assert_true (cs_clip_precision_check_read (store, &again));
  g_assert_cmpint (again.precision, ==, check.precision);
  g_assert_cmpfloat (fabs (again.tested[CLIP_PRECISION_INT8] - check.tested[CLIP_PRECISION_INT8]), <, 1e-6);
  g_clear_object (&store);
  test_rm_rf (dir);
}

/* With smoothing, int8 passes; the outcome is kept until the weights
 * change. */
static void
test_keeps_int8 (void)
{
  g_autofree char *dir = NULL;
  g_autofree char *weights = NULL;
  g_autofree char *value = NULL;
  g_autofree char *fake = NULL;
  g_autofree char *key = NULL;
  g_autoptr(CsStore) store = NULL;
  CsPrecisionCheck check, kept;
  GError *error = NULL;
  GStatBuf st;
  struct utimbuf times;

  if (skip_without_int8 ())
    return;
  dir = test_make_temp_dir ();
  store = open_store (dir);
  g_assert_false (cs_clip_precision_check_read (store, &check));
  g_assert_true (cs_clip_check_precision (model_dir, store, &check, NULL, &error));
  g_assert_no_error (error);
  g_test_message ("smoothing: int8 %.6f", check.tested[CLIP_PRECISION_INT8]);
  g_assert_cmpfloat (check.tested[CLIP_PRECISION_INT8], >=, CS_CLIP_CHECK_FLOOR);
  g_assert_cmpfloat (check.tested[CLIP_PRECISION_INT8], <=, 1.0 + 1e-9);
  assert_fastest_passing (&check);

  /* a second call takes the kept outcome: make it say f16 and see it */
  value = cs_store_dup_setting (store, "precision-check", &error);
  g_assert_no_error (error);
  g_assert_true (cs_clip_check_record_parse (value, &key, &kept));
  kept.precision = CLIP_PRECISION_F16;
  kept.tested[CLIP_PRECISION_INT8] = 0.5;
  fake = cs_clip_check_record_format (key, &kept);
  g_assert_true (cs_store_set_setting (store, "precision-check", fake, &error));
  g_assert_true (cs_clip_check_precision (model_dir, store, &check, NULL, &error));
  g_assert_cmpint (check.precision, ==, CLIP_PRECISION_F16);
  g_assert_cmpfloat (check.tested[CLIP_PRECISION_INT8], ==, 0.5);

  /* new weights (another modification time): checked again */
  weights = g_build_filename (model_dir, "model.safetensors", NULL);
  g_assert_cmpint (g_stat (weights, &st), ==, 0);
  times.actime = st.st_atime;
  times.modtime = st.st_mtime - 100;
  g_assert_cmpint (g_utime (weights, &times), ==, 0);
  g_assert_true (cs_clip_check_precision (model_dir, store, &check, NULL, &error));
  g_assert_cmpfloat (check.tested[CLIP_PRECISION_INT8], >=, CS_CLIP_CHECK_FLOOR);
  assert_fastest_passing (&check);
  g_clear_object (&store);
  test_rm_rf (dir);
}

/* CLIPSIGHT_PRECISION is obeyed without a check or a record. */
static void
test_forced (void)
{
  g_autofree char *dir = test_make_temp_dir ();
  g_autoptr(CsStore) store = open_store (dir);
  CsPrecisionCheck check;
  GError *error = NULL;

  g_setenv ("CLIPSIGHT_PRECISION", "f16", TRUE);
  g_assert_true (cs_clip_precision_is_forced ());
  g_assert_true (cs_clip_check_precision ("/nonexistent", store, &check, NULL, &error));
  g_unsetenv ("CLIPSIGHT_PRECISION");
  g_assert_no_error (error);
  g_assert_cmpint (check.precision, ==, CLIP_PRECISION_F16);
  g_assert_true (isnan (check.cosine));
  g_assert_false (cs_clip_precision_check_read (store, &check));
  g_clear_object (&store);
  test_rm_rf (dir);
}

int
main (int    argc,
      char **argv)
{
  clip_test_model_spec spec;
  char *err = NULL;
  int rc;

  g_test_init (&argc, &argv, NULL);
  g_unsetenv ("CLIPSIGHT_PRECISION");
  g_unsetenv ("CLIP_NO_SMOOTHING");
  if (clip_precision_is_fast (CLIP_PRECISION_INT8))
    {
      model_dir = test_make_temp_dir ();
      g_assert_cmpint (clip_test_model_preset ("vit-b-32", &spec, &err), ==, CLIP_STATUS_OK);
      spec.shape.dtype = CLIP_DTYPE_F16;
      spec.outliers = 1;
      if (clip_test_model_write (&spec, model_dir, &err) != CLIP_STATUS_OK)
        g_error ("%s", err);
    }
  g_test_add_func ("/library/precision-check/forced", test_forced);
  g_test_add_func ("/library/precision-check/keeps-int8", test_keeps_int8);
  g_test_add_func ("/library/precision-check/falls-back", test_falls_back);
  rc = g_test_run ();
  if (model_dir != NULL)
    test_rm_rf (model_dir);
  g_free (model_dir);
  return rc;
}
