#!/bin/sh
# A first look without a display: the toy CLIP (../shared/models/toy-clip) embeds the
# toy photos and ranks them for a few descriptions, using only clipsight-cli.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
cli=${CLIPSIGHT_CLI:-$here/build/src/cli/clipsight-cli}
shared=${CLIPSIGHT_SHARED:-$here/../shared}
model=$shared/models/toy-clip
photos=$shared/testdata/toy-photos
if [ ! -d "$model" ] || [ ! -d "$photos" ]; then
  echo "demo: needs $model and $photos (the project's shared test data)" >&2
  exit 1
fi
set -- embed --model "$model"
for f in "$photos"/photo-*; do set -- "$@" --image "$f"; done
for q in "a red circle" "two yellow stars" "a blue square"; do set -- "$@" --text "$q"; done
"$cli" "$@" | python3 -c '
import json, sys
objs = [json.loads(l) for l in sys.stdin if l.strip()]
imgs = [(o["image"], o["embedding"]) for o in objs if "image" in o]
for o in objs:
    if "text" not in o:
        continue
    scored = sorted(((sum(a * b for a, b in zip(o["embedding"], e)), p) for p, e in imgs), reverse=True)
    print(f"{o[\"text\"]!r}: best of {len(imgs)} photos")
    for s, p in scored[:5]:
        print(f"  {s:.3f}  {p}")
'
