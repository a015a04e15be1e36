#!/bin/sh
# A first look.  With a display: the app on the toy photos with the toy CLIP
# (../shared/models/toy-clip).  Without one: the command-line tool indexes
# the toy photos into a temporary database, searches them and proposes
# albums.  Themes are named from the toy model's words
# (tools/toy-vocabulary.txt).
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
cli=${CLIPSIGHT_CLI:-$here/build/src/cli/clipsight-cli}
app=$here/build/src/app/clipsight
shared=${CLIPSIGHT_SHARED:-$here/../shared}
model=$shared/models/toy-clip
photos=$shared/testdata/toy-photos
if [ ! -d "$model" ] || [ ! -d "$photos" ]; then
  echo "demo: needs $model and $photos (the project's shared test data)" >&2
  exit 1
fi
demo=$(mktemp -d "${TMPDIR:-/tmp}/clipsight-demo-XXXXXX")
if [ -x "$app" ] && { [ -n "${DISPLAY:-}" ] || [ -n "${WAYLAND_DISPLAY:-}" ]; }; then
  export GSETTINGS_SCHEMA_DIR="$here/build/data/schemas"
  export GSETTINGS_BACKEND=memory
  export CLIPSIGHT_MODEL="$model" CLIPSIGHT_DATABASE="$demo/library.db"
  export CLIPSIGHT_VOCABULARY="$here/tools/toy-vocabulary.txt"
  exec "$app" "$photos"
fi
"$cli" index --database "$demo/library.db" --model "$model" "$photos"
for q in "a red circle" "two yellow stars" "a blue square"; do
  echo
  echo "search: $q"
  "$cli" search --database "$demo/library.db" --model "$model" --limit 5 "$q"
done
echo
echo "suggested albums (named from the toy model's words, tools/toy-vocabulary.txt):"
"$cli" discover --database "$demo/library.db" --model "$model" --vocabulary "$here/tools/toy-vocabulary.txt"
rm -rf "$demo"
