#!/bin/sh
# Fails when a layer includes what it must not know (see ../shared/DESIGN.md):
# the engine never sees GdkPixbuf, SQLite, GIO streams or GTK; no layer below
# the app sees GTK or libadwaita; no sqlite3_ name outside src/store/.
src=${1:?usage: check-layering.sh SRC_DIR}
status=0
hits=$(grep -rnE '#[[:space:]]*include[[:space:]]*[<"](gdk-pixbuf/|sqlite3\.h|gtk/|adwaita\.h|gio/|libraw/|cs-)' "$src/engine" 2>/dev/null)
if [ -n "$hits" ]; then
  echo "engine includes a forbidden header:"; echo "$hits"; status=1
fi
hits=$(grep -rnE '#[[:space:]]*include[[:space:]]*[<"](gtk/|adwaita\.h)' "$src/engine" "$src/store" "$src/library" "$src/cli" 2>/dev/null)
if [ -n "$hits" ]; then
  echo "a layer below the app includes GTK:"; echo "$hits"; status=1
fi
hits=$(grep -rnE '#[[:space:]]*include[[:space:]]*[<"](gdk-pixbuf/|clip\.h|clip-private\.h|cs-decode\.h)' "$src/store" 2>/dev/null)
if [ -n "$hits" ]; then
  echo "the store includes the engine or decoding:"; echo "$hits"; status=1
fi
hits=$(grep -rnE '#[[:space:]]*include[[:space:]]*[<"]clip-private\.h' "$src/store" "$src/library" "$src/cli" "$src/app" 2>/dev/null)
if [ -n "$hits" ]; then
  echo "an engine-private header is used outside the engine:"; echo "$hits"; status=1
fi
hits=$(grep -rnE '\bsqlite3_[a-z_]+' "$src" --include='*.c' --include='*.h' 2>/dev/null | grep -v "^$src/store/")
if [ -n "$hits" ]; then
  echo "sqlite3_ used outside src/store:"; echo "$hits"; status=1
fi
[ $status -eq 0 ] && echo "layering ok"
exit $status
