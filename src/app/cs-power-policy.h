/* cs-power-policy.h - whether indexing should yield to the battery.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Watches the power-saver profile (GPowerProfileMonitor) and whether the
 * computer runs on battery (UPower's OnBattery, on the system bus when
 * there is one) and, with the user's settings "index-on-battery" and
 * "index-on-power-saver", says whether indexing should hold back
 * ("hold").  "on-battery" and "power-saver" are writable so tests can
 * play the power supply.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define CS_TYPE_POWER_POLICY (cs_power_policy_get_type ())
G_DECLARE_FINAL_TYPE (CsPowerPolicy, cs_power_policy, CS, POWER_POLICY, GObject)

CsPowerPolicy *cs_power_policy_new            (GSettings     *settings);
gboolean       cs_power_policy_get_hold       (CsPowerPolicy *self);
gboolean       cs_power_policy_get_on_battery (CsPowerPolicy *self);
void           cs_power_policy_set_on_battery (CsPowerPolicy *self,
                                               gboolean       on_battery);
gboolean       cs_power_policy_get_power_saver (CsPowerPolicy *self);
void           cs_power_policy_set_power_saver (CsPowerPolicy *self,
                                                gboolean       power_saver);
/* Why indexing holds back, for people (translated), or NULL. */
const char    *cs_power_policy_get_reason     (CsPowerPolicy *self);

G_END_DECLS
