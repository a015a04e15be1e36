#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Runs a GTK test the way a desktop runs the app: under a private X server
# (Xvfb) unless a display is there already, and on a private session bus
# unless one is there already.  Exits 77 (skipped) when no display can be
# had.
if [ -z "${DBUS_SESSION_BUS_ADDRESS:-}" ] && command -v dbus-run-session >/dev/null 2>&1; then
  exec dbus-run-session -- "$0" "$@"
fi
if [ -n "${DISPLAY:-}" ] || [ -n "${WAYLAND_DISPLAY:-}" ]; then
  exec "$@"
fi
if ! command -v xvfb-run >/dev/null 2>&1; then
  echo "1..0 # SKIP no display and no xvfb-run"
  exit 77
fi
exec xvfb-run -a -s "-screen 0 1280x1024x24 -nolisten tcp" "$@"
