/* test-app-welcome.c - the welcome page as a newcomer meets it, and the
 * sidebar in German.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Issue 17, "What people expect of a photo app":
 * - /app/window/welcome-page (the shared run, last): the library's model
 *   is taken away so the real window shows the welcome page again; there
 *   the folder button says "Choose…" while no folder is chosen and
 *   "Change…" after; Start stays inside the window at its smallest size
 *   and says why it cannot act; the model row offers the pinned models
 *   (cs_model_pins (), as Preferences does) and "Use a Model Folder…",
 *   which opens the chooser and makes the chosen folder the model; a
 *   download from an address nothing answers fails and the button then
 *   says "Try Again"; the main menu there offers nothing that does
 *   nothing.  The case ends with the toy model back.
 * - /app/german/... (`test-app --german`, LANGUAGE=de): the sidebar's
 *   "Add Starter Labels" button fits the sidebar in German, and the
 *   starter labels it adds are listed under their German names.
 */
#include "config.h"

#include "app-test-util.h"
#include "cs-compat.h"
#include "cs-model-manager.h"
#include "cs-welcome-page.h"

/* registered in test-app.c */
void test_welcome_page          (void);
void test_german_window         (void);
void test_german_starter_button (void);
void test_german_starter_labels (void);

static GtkWidget *
page_part (const char *name)
{
  return GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (window_part ("welcome_page")),
                                                   CS_TYPE_WELCOME_PAGE, name));
}

static gboolean
model_state_is (gpointer state)
{
  return cs_model_manager_get_state (cs_application_get_model_manager (app)) == (CsModelState) GPOINTER_TO_INT (state);
}

static gboolean
chooser_shown (gpointer data)
{
  GtkWidget *chooser = cs_compat_chooser_find_shown ();
  return chooser != NULL && gtk_widget_get_mapped (chooser);
}

static gboolean
chooser_gone (gpointer data)
{
  return !chooser_shown (data);
}

static gboolean
model_dir_is (gpointer dir)
{
  return g_strcmp0 (cs_application_get_model_dir (app), dir) == 0;
}

static gboolean
popover_shown (gpointer button)
{
  GtkPopover *popover = gtk_menu_button_get_popover (button);
  return popover != NULL && gtk_widget_get_mapped (GTK_WIDGET (popover));
}

/* Whether `widget` lies wholly inside `area`, as drawn. */
static gboolean
inside (GtkWidget *widget,
        GtkWidget *area)
{
  graphene_rect_t bounds;

  if (!gtk_widget_compute_bounds (widget, area, &bounds))
    return FALSE;
  g_test_message ("%s: %.0f,%.0f %.0fx%.0f in %dx%d", G_OBJECT_TYPE_NAME (widget), bounds.origin.x,
                  bounds.origin.y, bounds.size.width, bounds.size.height, gtk_widget_get_width (area),
                  gtk_widget_get_height (area));
  return bounds.origin.x >= 0 && bounds.origin.y >= 0
         && bounds.origin.x + bounds.size.width <= gtk_widget_get_width (area) + 0.5
         && bounds.origin.y + bounds.size.height <= gtk_widget_get_height (area) + 0.5;
}

static void
check_menu_on_welcome (void)
{
  GtkWidget *page = gtk_widget_get_parent (window_part ("welcome_page"));
  GtkWidget *button = find_widget (page, "GtkMenuButton", NULL, NULL);
  GtkWidget *popover;
  /* (the menu's buttons show their text without the mnemonic's "_")
   * what a menu item can do on the welcome page: nothing that needs a
   * library (no folder of the library's to add behind the page's own
   * choice, no photos to find duplicates in) */
  static const struct { const char *text; gboolean live; } items[] = {
    { "Add Photo Folder…", FALSE },
    { "Find Duplicates", FALSE },
    { "Preferences", TRUE },
    { "Keyboard Shortcuts", TRUE },
    { "About Clipsight", TRUE },
  };

  g_assert_nonnull (button);
  gtk_menu_button_popup (GTK_MENU_BUTTON (button));
  g_assert_true (wait_for (popover_shown, button, 5));
  popover = GTK_WIDGET (gtk_menu_button_get_popover (GTK_MENU_BUTTON (button)));
  spin (0.2);
  for (guint i = 0; i < G_N_ELEMENTS (items); i++)
    {
      GtkWidget *item = find_widget (popover, "GtkModelButton", "text", items[i].text);

      g_test_message ("menu item %s: %s", items[i].text,
                      item != NULL && gtk_widget_is_sensitive (item) ? "live" : "off");
      g_assert_nonnull (item);
      g_assert_cmpint (gtk_widget_is_sensitive (item), ==, items[i].live);
    }
  save_screenshot (GTK_WIDGET (window), "welcome-menu.png");
  gtk_menu_button_popdown (GTK_MENU_BUTTON (button));
  /* Ctrl+N and Ctrl+O do nothing there either */
  g_assert_false (gtk_widget_activate_action (GTK_WIDGET (window), "win.new-label", NULL)
                  && shown_label_dialog () != NULL);
}

void
test_welcome_page (void)
{
  CsWelcomePage *page = CS_WELCOME_PAGE (window_part ("welcome_page"));
  g_autofree char *toy_model = g_canonicalize_filename (g_getenv ("CLIPSIGHT_MODEL"), NULL);
  GSettings *settings = cs_application_get_settings (app);
  g_autofree char *old_url = g_settings_get_string (settings, "model-url");
  GtkButton *folder_button = GTK_BUTTON (page_part ("folder_button"));
  GtkButton *download_button = GTK_BUTTON (page_part ("download_button"));
  GtkWidget *start = page_part ("start_button");
  GtkLabel *hint = GTK_LABEL (page_part ("start_hint"));
  AdwComboRow *row = ADW_COMBO_ROW (page_part ("model_row"));
  GListModel *items;
  const CsModelPin *pins;
  guint n_pins, n_offered = 0, siglip = G_MAXUINT;
  int width, height;
  GtkWidget *chooser;
  g_autoptr(GFile) toy_file = g_file_new_for_path (toy_model);

  /* no model: the welcome page again */
  gtk_window_get_default_size (GTK_WINDOW (window), &width, &height);
  cs_application_set_model_dir (app, NULL);
  g_assert_true (wait_for (view_is, (gpointer) "welcome", 5));

  /* the folder: "Choose…" while there is none, "Change…" once there is */
  cs_welcome_page_set_folder (page, NULL);
  g_assert_cmpstr (gtk_button_get_label (folder_button), ==, "_Choose…");
  cs_welcome_page_set_folder (page, photos_dir);
  g_assert_cmpstr (gtk_button_get_label (folder_button), ==, "_Change…");

  /* Start in view at the window's smallest size (360×480 in
   * cs-window.ui), out of action while there is no model, and saying so */
  resize_window (360, 480);
  g_assert_cmpint (gtk_widget_get_height (GTK_WIDGET (window)), <=, 500);
  g_assert_true (gtk_widget_get_mapped (start));
  g_assert_true (inside (start, GTK_WIDGET (window)));
  g_assert_false (gtk_widget_get_sensitive (start));
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (hint)));
  g_assert_true (inside (GTK_WIDGET (hint), GTK_WIDGET (window)));
  g_assert_cmpstr (gtk_label_get_text (hint), ==, "Download a model or use a model folder to start.");
  save_screenshot (GTK_WIDGET (window), "welcome-small.png");
  /* tall enough for the screenshots to show the model row */
  resize_window (700, 1000);

  /* the model row: every pin that can be verified, in the pin table's
   * order, then "Use a Model Folder…" */
  items = adw_combo_row_get_model (row);
  pins = cs_model_pins (&n_pins);
  for (guint i = 0; i < n_pins; i++)
    if (cs_model_pin_check (&pins[i], NULL))
      {
        g_autoptr(GtkStringObject) item = g_list_model_get_item (items, n_offered);
        g_assert_cmpstr (gtk_string_object_get_string (item), ==, pins[i].title);
        if (siglip == G_MAXUINT && g_str_has_prefix (pins[i].title, "SigLIP 2"))
          siglip = n_offered;
        n_offered++;
      }
  g_assert_cmpuint (siglip, !=, G_MAXUINT);
  g_assert_cmpuint (g_list_model_get_n_items (items), ==, n_offered + 1);
  {
    g_autoptr(GtkStringObject) last = g_list_model_get_item (items, n_offered);
    g_assert_cmpstr (gtk_string_object_get_string (last), ==, "Use a Model Folder…");
  }
  g_assert_cmpuint (adw_combo_row_get_selected (row), ==, 0);
  g_assert_cmpstr (gtk_button_get_label (download_button), ==, "_Download");

  /* a download nothing answers fails, and the button tries again */
  g_settings_set_string (settings, "model-url", "http://127.0.0.1:1/clipsight-test");
  g_signal_emit_by_name (download_button, "clicked");
  g_assert_true (wait_for (model_state_is, GINT_TO_POINTER (CS_MODEL_STATE_FAILED), 30));
  spin (0.1);
  g_assert_cmpstr (gtk_button_get_label (download_button), ==, "_Try Again");
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), ==, "Download failed");
  g_assert_true (gtk_widget_get_visible (page_part ("model_error_label")));
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (page_part ("model_error_label"))), !=, "");
  g_assert_true (inside (start, GTK_WIDGET (window)));
  save_screenshot (GTK_WIDGET (window), "welcome-failed.png");
  {
    int min_width;

    /* the longest row (the pin's title, the arrow, Try Again) does not
     * make the page wider than the window's smallest width (360 px) */
    gtk_widget_measure (GTK_WIDGET (page), GTK_ORIENTATION_HORIZONTAL, -1, &min_width, NULL, NULL, NULL);
    g_test_message ("the welcome page needs %d px", min_width);
    g_assert_cmpint (min_width, <=, 360);
  }
  g_settings_set_string (settings, "model-url", old_url);

  /* another pin: its own state (not downloaded, many languages), and
   * back to CLIP: its failure again */
  adw_combo_row_set_selected (row, siglip);
  g_assert_cmpstr (gtk_button_get_label (download_button), ==, "_Download");
  g_assert_nonnull (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), "many languages"));
  adw_combo_row_set_selected (row, 0);
  g_assert_cmpstr (gtk_button_get_label (download_button), ==, "_Try Again");

  /* "Use a Model Folder…": the chooser; the row keeps its choice until a
   * folder is chosen, then shows it, ready */
  adw_combo_row_set_selected (row, n_offered);
  g_assert_cmpuint (adw_combo_row_get_selected (row), ==, 0);
  g_assert_true (wait_for (chooser_shown, NULL, 10));
  chooser = cs_compat_chooser_find_shown ();
  g_assert_true (cs_compat_chooser_set_file (chooser, toy_file));
  spin (0.3);
  cs_compat_chooser_accept (chooser);
  g_assert_true (wait_for (model_dir_is, toy_model, 10));
  g_assert_true (wait_for (chooser_gone, NULL, 10));
  {
    g_autofree char *base = g_path_get_basename (toy_model);
    g_autoptr(GtkStringObject) item = NULL;

    g_assert_cmpuint (g_list_model_get_n_items (items), ==, n_offered + 2);
    g_assert_cmpuint (adw_combo_row_get_selected (row), ==, n_offered);
    item = g_list_model_get_item (items, n_offered);
    g_assert_cmpstr (gtk_string_object_get_string (item), ==, base);
  }
  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (page_part ("model_button_stack"))), ==, "ready");

  /* the model is there but the view stays until Start: check the menu
   * on the welcome page meanwhile */
  if (view_is ((gpointer) "welcome"))
    {
      g_assert_true (gtk_widget_get_sensitive (start));
      g_assert_false (gtk_widget_get_visible (GTK_WIDGET (hint)));
      check_menu_on_welcome ();
    }
  else
    {
      /* the library kept its folders: the window left the page by itself;
       * the menu is checked on it with the model taken away again */
      cs_application_set_model_dir (app, NULL);
      g_assert_true (wait_for (view_is, (gpointer) "welcome", 5));
      check_menu_on_welcome ();
      cs_application_set_model_dir (app, toy_model);
    }
  g_assert_true (wait_for (model_dir_is, toy_model, 5));
  gtk_widget_activate_action (GTK_WIDGET (window), "win.start", NULL);
  g_assert_false (view_is ((gpointer) "welcome"));
  /* out of the welcome page, the menu's library items work again */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.show-duplicates", NULL));
  gtk_window_set_default_size (GTK_WINDOW (window), width, height);
  g_assert_true (wait_for (indexer_idle, NULL, 120));
}

/* ------------------------------------------------------------------ */
/* German                                                               */
/* ------------------------------------------------------------------ */

/* The window in German, showing the library (test-app.c --german set a
 * folder up). */
void
test_german_window (void)
{
  window = CS_WINDOW (gtk_application_get_active_window (GTK_APPLICATION (app)));
  g_assert_nonnull (window);
  gtk_window_set_default_size (GTK_WINDOW (window), 1100, 720);
  g_assert_true (wait_for ((Condition) gtk_widget_get_mapped, window, 10));
  g_assert_false (view_is ((gpointer) "welcome"));
}

/* The sidebar: the nearest ancestor styled as one. */
static GtkWidget *
sidebar_of (GtkWidget *widget)
{
  for (GtkWidget *w = widget; w != NULL; w = gtk_widget_get_parent (w))
    if (gtk_widget_has_css_class (w, "sidebar-pane"))
      return w;
  return NULL;
}

static void
check_starter_button_fits (const char *shot)
{
  GtkWidget *button = window_part ("starter_button");
  GtkWidget *label = gtk_button_get_child (GTK_BUTTON (button));
  GtkWidget *sidebar = sidebar_of (button);
  int request = -1, min_width = 0, min_height = 0, nat_height = 0;
  PangoRectangle ink, logical;

  g_assert_nonnull (sidebar);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.show-sidebar", NULL);
  spin (0.5);
  g_assert_true (gtk_widget_get_mapped (button));
  save_screenshot (GTK_WIDGET (window), shot);

  /* the German text, from the build's catalogue */
  g_assert_true (GTK_IS_LABEL (label));
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (label)), ==, "Einstiegsetiketten hinzufügen");

  /* the button asks no more width than the sidebar has: its fixed width
   * (240 px, set on the split view by cs-window.c; on libadwaita 1.2 the
   * sidebar's own size request), so it can never widen or overflow it */
  gtk_widget_get_size_request (sidebar, &request, NULL);
  if (request <= 0)
    request = gtk_widget_get_width (sidebar);
  /* folded (a narrow window on libadwaita >= 1.4's split view), the
   * sidebar is a page as wide as the window: still, the button must fit
   * the 240 px it has beside the photos */
  if (request > 240)
    {
      g_assert_cmpint (gtk_widget_get_width (sidebar), ==, gtk_widget_get_width (GTK_WIDGET (window)));
      request = 240;
    }
  gtk_widget_measure (button, GTK_ORIENTATION_HORIZONTAL, -1, &min_width, NULL, NULL, NULL);
  g_test_message ("sidebar %d px wide (asks %d), button needs %d px, has %d",
                  gtk_widget_get_width (sidebar), request, min_width, gtk_widget_get_width (button));
  g_assert_cmpint (request, >, 0);
  g_assert_cmpint (min_width + gtk_widget_get_margin_start (button) + gtk_widget_get_margin_end (button),
                   <=, request);
  g_assert_true (inside (button, sidebar));

  /* and its text is whole: every line within the label's width, nothing
   * ellipsized, as tall as the text needs at that width */
  pango_layout_get_pixel_extents (gtk_label_get_layout (GTK_LABEL (label)), &ink, &logical);
  g_test_message ("text %d×%d px in a label of %d×%d", logical.width, logical.height,
                  gtk_widget_get_width (label), gtk_widget_get_height (label));
  g_assert_false (pango_layout_is_ellipsized (gtk_label_get_layout (GTK_LABEL (label))));
  g_assert_cmpint (logical.width, <=, gtk_widget_get_width (label));
  gtk_widget_measure (label, GTK_ORIENTATION_VERTICAL, gtk_widget_get_width (label),
                      &min_height, &nat_height, NULL, NULL);
  g_assert_cmpint (nat_height, <=, gtk_widget_get_height (label));
  g_assert_true (inside (label, button));
}

void
test_german_starter_button (void)
{
  int width, height;

  gtk_window_get_default_size (GTK_WINDOW (window), &width, &height);
  /* beside the photos */
  check_starter_button_fits ("german-sidebar-wide.png");
  /* the window at its narrowest (360 px, cs-window.ui) */
  resize_window (360, 600);
  check_starter_button_fits ("german-sidebar-narrow.png");
  resize_window (width, height);
}

void
test_german_starter_labels (void)
{
  GtkWidget *list = window_part ("label_list");
  /* the names in po/de.po, written out here */
  static const char *const german[] = { "Personen", "Haustiere", "Essen", "Bildschirmfotos", "Landschaften" };
  static const char *const english[] = { "People", "Pets", "Food", "Screenshots", "Landscapes" };

  gtk_widget_activate_action (GTK_WIDGET (window), "win.starter-labels", NULL);
  g_assert_true (wait_for (label_exists, (gpointer) "People", 30));
  g_assert_true (wait_for (label_exists, (gpointer) "Art", 30));
  spin (0.5);
  save_screenshot (GTK_WIDGET (window), "german-starter-labels.png");
  for (guint i = 0; i < G_N_ELEMENTS (german); i++)
    {
      /* stored under the English name, shown under the German one */
      g_assert_nonnull (label_named (english[i]));
      g_assert_true (label_shows (list, german[i]));
      g_assert_false (label_shows (list, english[i]));
    }
  g_assert_true (label_shows (list, "Kunst"));
}
