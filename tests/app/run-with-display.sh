#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Runs a GTK test the way a desktop runs the app: under a private X server
# (Xvfb) unless a display is there already, and on a private session bus
# unless one is there already.  Skips when no display can be had: a TAP
# skip plan and exit 0 for a TAP test (one given --tap: Meson 1.0 reads the
# plan followed by 77 as ERROR), else exit 77.
if [ -z "${DBUS_SESSION_BUS_ADDRESS:-}" ] && command -v dbus-run-session >/dev/null 2>&1; then
  exec dbus-run-session -- "$0" "$@"
fi
if [ -n "${DISPLAY:-}" ] || [ -n "${WAYLAND_DISPLAY:-}" ]; then
  exec "$@"
fi
if ! command -v xvfb-run >/dev/null 2>&1; then
  case " $* " in
    *" --tap "*) echo "1..0 # SKIP no display and no xvfb-run"; exit 0 ;;
    *) echo "SKIP: no display and no xvfb-run"; exit 77 ;;
  esac
fi
exec xvfb-run -a -s "-screen 0 1920x1080x24 -nolisten tcp" "$@"
