/* cs-window-private.h - what the parts of CsWindow share.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * CsWindow is written in three files: cs-window.c (the type, what the
 * content area shows, labels, photos), cs-window-search.c (the search and
 * its results) and cs-window-actions.c (the win.* actions and the file
 * choosers).  Only they include this header.
 */
#pragma once

#include "cs-duplicates-view.h"
#include "cs-photo-grid.h"
#include "cs-photo-view.h"
#include "cs-search-options.h"
#include "cs-indexing-bar.h"
#include "cs-welcome-page.h"
#include "cs-window.h"

G_BEGIN_DECLS

typedef enum {
  MODE_SEARCH,
  MODE_LABEL,
  MODE_DUPLICATES,
  MODE_SUGGESTION,  /* cs-window-suggested.c */
} Mode;

struct _CsWindow {
  AdwApplicationWindow parent_instance;

  /* template children */
  AdwToastOverlay   *toast_overlay;
  GtkStack          *main_stack;
  CsWelcomePage     *welcome_page;
  GtkWidget         *leaflet;      /* the split view: cs_compat_split_view_new () */
  GtkWidget         *content;
  GtkListBox        *nav_list;
  GtkListBoxRow     *search_row;
  GtkListBoxRow     *duplicates_row;
  GtkLabel          *photo_count_label;
  GtkListBox        *label_list;
  GtkWidget         *starter_button;
  GtkStack          *title_stack;
  GtkSearchEntry    *search_entry;
  AdwWindowTitle    *content_title;
  GtkWidget         *options_button;
  GtkPopoverMenu    *options_popover;
  GMenu             *folder_section;
  GtkWidget         *label_menu_button;
  GtkScale          *strictness_scale;
  CsIndexingBar     *indexing_bar;
  GtkStack          *content_stack;
  AdwStatusPage     *status_page;
  CsPhotoGrid       *grid;
  GtkLabel          *results_label;
  CsDuplicatesView  *duplicates_view;
  GtkRevealer       *selection_revealer;
  GtkLabel          *selection_label;
  CsPhotoView       *photo_view;

  CsApplication     *app;
  CsIndexer         *indexer;
  CsLibrary         *library;
  CsModelManager    *model_manager;
  GSettings         *settings;

  Mode               mode;
  CsLabel           *label;          /* MODE_LABEL */
  GSignalGroup      *label_signals;
  char              *folder_filter;
  CsDateFilter       date_filter;
  gint64             range_after;    /* CS_DATE_FILTER_CUSTOM: taken at or after, */
  gint64             range_before;   /* and strictly before (Unix seconds) */
  char              *image_query;    /* a file to find photos like */
  gint64             similar_to;     /* a photo id to find photos like */
  GCancellable      *search_cancellable;
  GCancellable      *cancellable;    /* everything else */
  CsPhotoList       *results;
  char              *search_error;
  gboolean           busy;

  gboolean           scroll_to_top;  /* the next results are for a new request */
  guint              rerun_id;       /* a search re-run after the library changed */
  guint              strictness_id;  /* a search re-run after the strictness moved */

  /* issue 17: the filters shown as chips, no flash of the start page,
   * results refreshed while indexing without reordering what is seen */
  GtkBox            *filter_bar;
  GtkWidget         *clear_filters_button;
  GtkWidget         *new_results_button;
  guint              empty_query_id; /* the start page, once the text stays empty */
  gboolean           refreshing;     /* the search running re-runs the shown request */
  CsPhotoList       *held_results;   /* a refresh that would reorder what is seen */
  guint              shown_n_photos; /* the library's size when the results shown came */

  struct _CsSuggested *suggested;    /* issue 16: cs-window-suggested.c */
};


/* cs-window.c */
void     _cs_window_toast              (CsWindow    *self,
                                        const char  *message);
gboolean _cs_window_needs_welcome      (CsWindow    *self);
void     _cs_window_set_status         (CsWindow    *self,
                                        const char  *icon,
                                        const char  *title,
                                        const char  *description);
void     _cs_window_update_photo_count (CsWindow    *self);
void     _cs_window_update_view        (CsWindow    *self);
void     _cs_window_update_selection   (CsWindow    *self);
void     _cs_window_reload_label       (CsWindow    *self);
void     _cs_window_show_duplicates    (CsWindow    *self);
void     _cs_window_set_verdict        (CsWindow    *self,
                                        CsLabel     *label,
                                        GPtrArray   *photos,
                                        CsVerdict    verdict);

/* cs-window-search.c */
gboolean _cs_window_has_query          (CsWindow    *self);
gboolean _cs_window_has_filters        (CsWindow    *self);
void     _cs_window_update_filter_bar  (CsWindow    *self);
void     _cs_window_set_results        (CsWindow    *self,
                                        CsPhotoList *results);
void     _cs_window_set_busy           (CsWindow    *self,
                                        gboolean     busy);
void     _cs_window_run_search         (CsWindow    *self);
void     _cs_window_show_search        (CsWindow    *self);
void     _cs_window_focus_search_entry (CsWindow    *self);
/* No query in the search view: the grid lists every photo, by date. */
gboolean _cs_window_is_browsing        (CsWindow    *self);
void     _cs_window_find_similar       (CsWindow    *self,
                                        CsPhoto     *photo);
void     _cs_window_class_search_init  (GtkWidgetClass *widget_class);
void     _cs_window_search_init        (CsWindow    *self);

/* cs-window-actions.c */
void     _cs_window_update_folder_menu (CsWindow    *self);
void     _cs_window_class_actions_init (GtkWidgetClass *widget_class);
void     _cs_window_actions_init       (CsWindow    *self);

/* cs-window-suggested.c */
void     _cs_window_suggested_init        (CsWindow    *self);
void     _cs_window_suggested_update_view (CsWindow    *self);
void     _cs_window_suggested_dispose     (CsWindow    *self);

G_END_DECLS
