#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# The theme figures of issue 16 on fresh toy photos, for any seeds:
#
#   tools/discover-sweep.sh [-C BUILD] [-j JOBS] SEED...      e.g. $(seq 401 408)
#
# For each seed, tools/make-toy-photos.py draws 240 toy photos nobody has
# seen, test-discover (its /library/discover/toy-fresh case with
# CLIPSIGHT_FRESH_SEED) indexes them with the toy model and discovers
# themes with the toy vocabulary, and the figures are read back: the
# least purity of a theme (the share of its photos showing its majority
# shape or colour), the share of themes named by their majority, and the
# share of photos in some theme.  Prints one line a seed, then how many
# draws meet the goal (least purity >= 0.85, names right >= 0.80,
# coverage >= 0.80) and the means, then where the misses are (photos
# of one object and of two).  Needs ../shared (the toy model) and
# Debian's python3-pil; CLIPSIGHT_PYTHON names the Python that has it
# (default /usr/bin/python3).  About 2.5 s a seed on one CPU.
set -eu

here=$(cd "$(dirname "$0")/.." && pwd)
build="$here/build"
jobs=$(nproc)
while getopts "C:j:" opt; do
  case $opt in
    C) build=$(cd "$OPTARG" && pwd) ;;
    j) jobs=$OPTARG ;;
    *) echo "usage: $0 [-C BUILD] [-j JOBS] SEED..." >&2; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
if [ $# -eq 0 ]; then
  echo "usage: $0 [-C BUILD] [-j JOBS] SEED..." >&2
  exit 2
fi
test_exe="$build/tests/test-discover"
shared="${CLIPSIGHT_SHARED:-$here/../shared}"
if [ ! -x "$test_exe" ]; then
  echo "$test_exe is missing: build first (meson compile -C $build)" >&2
  exit 1
fi
if [ ! -d "$shared/models/toy-clip" ]; then
  echo "$shared/models/toy-clip is missing: the toy model comes with ../shared" >&2
  exit 1
fi

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
export G_TEST_SRCDIR="$here/tests" G_TEST_BUILDDIR="$build/tests" CLIPSIGHT_SHARED="$shared"
export GSETTINGS_BACKEND=memory OPENBLAS_NUM_THREADS=1
export CLIPSIGHT_PYTHON="${CLIPSIGHT_PYTHON:-/usr/bin/python3}"
printf '%s\n' "$@" | xargs -P "$jobs" -I{} sh -c \
  'CLIPSIGHT_FRESH_SEED={} "$0" -p /library/discover/toy-fresh > "$1/{}.txt" 2>&1 || { echo "seed {} failed:"; cat "$1/{}.txt"; exit 255; }' \
  "$test_exe" "$out"

for seed in "$@"; do
  line=$(grep -h "^# fresh photos" "$out/$seed.txt" || true)
  if [ -z "$line" ]; then
    echo "seed $seed: no figures" >&2
    cat "$out/$seed.txt" >&2
    exit 1
  fi
  echo "$line" | sed -E 's/.*seed ([0-9]+), [0-9]+ photos\): ([0-9]+) themes, purity >= ([0-9.]+) \(mean ([0-9.]+)\), named right ([0-9.]+), coverage ([0-9.]+).*/\1 \2 \3 \4 \5 \6/'
done | awk '
  BEGIN { printf "%-10s %6s %13s %12s %11s %9s  %s\n", "seed", "themes", "least purity", "mean purity", "names right", "coverage", "goal" }
  {
    met = ($3 >= 0.85 && $5 >= 0.80 && $6 >= 0.80)
    printf "%-10s %6d %13.3f %12.3f %11.3f %9.3f  %s\n", $1, $2, $3, $4, $5, $6, met ? "met" : "-"
    n++; m += met; p += $3; r += $5; c += $6
  }
  END { if (n) printf "goal met on %d of %d draws; means: least purity %.3f, names right %.3f, coverage %.3f\n", m, n, p / n, r / n, c / n }'
# where the misses are (test-discover prints a line a draw): photos of one
# object and of two, in some theme and in a theme that is not theirs
cat "$out"/*.txt | sed -nE 's/.*one object: ([0-9]+) of ([0-9]+) in a theme, ([0-9]+) misnamed; two objects: ([0-9]+) of ([0-9]+), ([0-9]+) misnamed.*/\1 \2 \3 \4 \5 \6/p' | awk '
  { for (i = 1; i <= 6; i++) s[i] += $i; n++ }
  END { if (n) printf "one-object photos: %d of %d in a theme, %d in one not theirs; two-object photos: %d of %d, %d\n", s[1], s[2], s[3], s[4], s[5], s[6] }'
