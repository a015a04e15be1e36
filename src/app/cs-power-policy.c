/* cs-power-policy.c - whether indexing should yield to the battery.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-power-policy"

#include "config.h"

#include <glib/gi18n.h>

#include "cs-power-policy.h"

struct _CsPowerPolicy {
  GObject               parent_instance;

  GSettings            *settings;
  GPowerProfileMonitor *profile_monitor;
  GDBusProxy           *upower;
  GCancellable         *cancellable;
  gboolean              on_battery;
  gboolean              power_saver;
  gboolean              hold;
};

G_DEFINE_FINAL_TYPE (CsPowerPolicy, cs_power_policy, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_HOLD,
  PROP_ON_BATTERY,
  PROP_POWER_SAVER,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
update_hold (CsPowerPolicy *self)
{
  gboolean hold = (self->on_battery && !g_settings_get_boolean (self->settings, "index-on-battery"))
                  || (self->power_saver && !g_settings_get_boolean (self->settings, "index-on-power-saver"));

  if (hold == self->hold)
    return;
  self->hold = hold;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HOLD]);
}

static void
on_settings_changed_cb (GSettings     *settings,
                        const char    *key,
                        CsPowerPolicy *self)
{
  update_hold (self);
}

static void
on_power_saver_cb (GPowerProfileMonitor *monitor,
                   GParamSpec           *pspec,
                   CsPowerPolicy        *self)
{
  cs_power_policy_set_power_saver (self, g_power_profile_monitor_get_power_saver_enabled (monitor));
}

static void
read_on_battery (CsPowerPolicy *self)
{
  g_autoptr(GVariant) value = g_dbus_proxy_get_cached_property (self->upower, "OnBattery");

  if (value != NULL && g_variant_is_of_type (value, G_VARIANT_TYPE_BOOLEAN))
    cs_power_policy_set_on_battery (self, g_variant_get_boolean (value));
}

static void
on_upower_properties_cb (GDBusProxy    *proxy,
                         GVariant      *changed,
                         GStrv          invalidated,
                         CsPowerPolicy *self)
{
  read_on_battery (self);
}

static void
on_upower_proxy_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  GDBusProxy *proxy = g_dbus_proxy_new_for_bus_finish (result, &error);
  CsPowerPolicy *self;

  if (proxy == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_debug ("no UPower: %s", error->message);
      return;
    }
  self = CS_POWER_POLICY (user_data);
  self->upower = proxy;
  g_signal_connect_object (proxy, "g-properties-changed", G_CALLBACK (on_upower_properties_cb),
                           self, 0);
  read_on_battery (self);
}

static void
cs_power_policy_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  CsPowerPolicy *self = CS_POWER_POLICY (object);

  switch (prop_id)
    {
    case PROP_HOLD: g_value_set_boolean (value, self->hold); break;
    case PROP_ON_BATTERY: g_value_set_boolean (value, self->on_battery); break;
    case PROP_POWER_SAVER: g_value_set_boolean (value, self->power_saver); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cs_power_policy_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  CsPowerPolicy *self = CS_POWER_POLICY (object);

  switch (prop_id)
    {
    case PROP_ON_BATTERY: cs_power_policy_set_on_battery (self, g_value_get_boolean (value)); break;
    case PROP_POWER_SAVER: cs_power_policy_set_power_saver (self, g_value_get_boolean (value)); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cs_power_policy_dispose (GObject *object)
{
  CsPowerPolicy *self = CS_POWER_POLICY (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->upower);
  g_clear_object (&self->profile_monitor);
  g_clear_object (&self->settings);
  G_OBJECT_CLASS (cs_power_policy_parent_class)->dispose (object);
}

static void
cs_power_policy_class_init (CsPowerPolicyClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags rw = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->get_property = cs_power_policy_get_property;
  object_class->set_property = cs_power_policy_set_property;
  object_class->dispose = cs_power_policy_dispose;

  properties[PROP_HOLD] =
    g_param_spec_boolean ("hold", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ON_BATTERY] = g_param_spec_boolean ("on-battery", NULL, NULL, FALSE, rw);
  properties[PROP_POWER_SAVER] = g_param_spec_boolean ("power-saver", NULL, NULL, FALSE, rw);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
cs_power_policy_init (CsPowerPolicy *self)
{
  self->cancellable = g_cancellable_new ();
}

CsPowerPolicy *
cs_power_policy_new (GSettings *settings)
{
  CsPowerPolicy *self;

  g_return_val_if_fail (G_IS_SETTINGS (settings), NULL);
  self = g_object_new (CS_TYPE_POWER_POLICY, NULL);
  self->settings = g_object_ref (settings);
  g_signal_connect_object (settings, "changed::index-on-battery", G_CALLBACK (on_settings_changed_cb), self, 0);
  g_signal_connect_object (settings, "changed::index-on-power-saver", G_CALLBACK (on_settings_changed_cb), self, 0);

  self->profile_monitor = g_power_profile_monitor_dup_default ();
  if (self->profile_monitor != NULL)
    {
      g_signal_connect_object (self->profile_monitor, "notify::power-saver-enabled",
                               G_CALLBACK (on_power_saver_cb), self, 0);
      self->power_saver = g_power_profile_monitor_get_power_saver_enabled (self->profile_monitor);
    }
  /* Tests have no system bus; the proxy then simply fails. */
  if (g_getenv ("CLIPSIGHT_NO_UPOWER") == NULL)
    g_dbus_proxy_new_for_bus (G_BUS_TYPE_SYSTEM,
                              G_DBUS_PROXY_FLAGS_DO_NOT_AUTO_START | G_DBUS_PROXY_FLAGS_GET_INVALIDATED_PROPERTIES,
                              NULL, "org.freedesktop.UPower", "/org/freedesktop/UPower",
                              "org.freedesktop.UPower", self->cancellable, on_upower_proxy_cb, self);
  update_hold (self);
  return self;
}

gboolean
cs_power_policy_get_hold (CsPowerPolicy *self)
{
  g_return_val_if_fail (CS_IS_POWER_POLICY (self), FALSE);
  return self->hold;
}

gboolean
cs_power_policy_get_on_battery (CsPowerPolicy *self)
{
  g_return_val_if_fail (CS_IS_POWER_POLICY (self), FALSE);
  return self->on_battery;
}

void
cs_power_policy_set_on_battery (CsPowerPolicy *self,
                                gboolean       on_battery)
{
  g_return_if_fail (CS_IS_POWER_POLICY (self));
  on_battery = !!on_battery;
  if (self->on_battery == on_battery)
    return;
  self->on_battery = on_battery;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ON_BATTERY]);
  update_hold (self);
}

gboolean
cs_power_policy_get_power_saver (CsPowerPolicy *self)
{
  g_return_val_if_fail (CS_IS_POWER_POLICY (self), FALSE);
  return self->power_saver;
}

void
cs_power_policy_set_power_saver (CsPowerPolicy *self,
                                 gboolean       power_saver)
{
  g_return_if_fail (CS_IS_POWER_POLICY (self));
  power_saver = !!power_saver;
  if (self->power_saver == power_saver)
    return;
  self->power_saver = power_saver;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_POWER_SAVER]);
  update_hold (self);
}

const char *
cs_power_policy_get_reason (CsPowerPolicy *self)
{
  g_return_val_if_fail (CS_IS_POWER_POLICY (self), NULL);
  if (!self->hold)
    return NULL;
  if (self->power_saver && !g_settings_get_boolean (self->settings, "index-on-power-saver"))
    return _("Paused while power saver is on");
  return _("Paused while on battery");
}
