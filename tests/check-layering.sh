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
# The library's subsystems: core/ knows neither index/ nor search/; index/
# and search/ know each other only through core/.
inc='#[[:space:]]*include[[:space:]]*"'
hits=$(grep -rnE "$inc(cs-indexer|cs-indexer-private|cs-scanner|cs-library|cs-library-private|cs-labels|cs-duplicates|cs-vector-index)\.h" "$src/library/core" 2>/dev/null)
if [ -n "$hits" ]; then
  echo "library/core includes index/ or search/:"; echo "$hits"; status=1
fi
hits=$(grep -rnE "$inc(cs-library|cs-library-private|cs-labels|cs-duplicates|cs-vector-index)\.h" "$src/library/index" 2>/dev/null)
if [ -n "$hits" ]; then
  echo "library/index includes search/:"; echo "$hits"; status=1
fi
hits=$(grep -rnE "$inc(cs-indexer|cs-indexer-private|cs-scanner)\.h" "$src/library/search" 2>/dev/null)
if [ -n "$hits" ]; then
  echo "library/search includes index/:"; echo "$hits"; status=1
fi
# The app sees the library only: never the store or the engine, directly or
# through a library header that brings them in (cs-decode-clip.h, ...).
bridges=$(grep -lE "$inc(cs-store|clip)\.h\"" "$src"/library/*.h 2>/dev/null | xargs -r -n1 basename | sed 's/\.h$/|/' | tr -d '\n')
hits=$(grep -rnE "$inc(${bridges}cs-store|cs-store-private|clip)\.h\"" "$src/app" 2>/dev/null)
if [ -n "$hits" ]; then
  echo "the app includes the store or the engine (go through src/library/):"; echo "$hits"; status=1
fi
# Private headers stay in their layer: the CLI and the app include none of
# the engine's, the store's or the library's (any header of the library's
# subfolders is internal to it); their own are theirs.
internal=""
for f in "$src"/engine/*-private.h "$src"/store/*-private.h \
         "$src"/library/core/*.h "$src"/library/index/*.h "$src"/library/search/*.h; do
  [ -e "$f" ] && internal="$internal${internal:+|}$(basename "$f" .h)"
done
hits=$(grep -rnE "$inc($internal)\.h\"" "$src/cli" "$src/app" 2>/dev/null)
if [ -n "$hits" ]; then
  echo "the CLI or the app includes a private header of a lower layer:"; echo "$hits"; status=1
fi
[ $status -eq 0 ] && echo "layering ok"
exit $status
