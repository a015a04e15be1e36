#!/bin/bash
# Runs every libFuzzer target of a -Dfuzzing=true build on a copy of its
# committed corpus, and fails when any reports a crash, a sanitizer error,
# a leak, a timeout or an out-of-memory.
#
#   tests/fuzz/run-fuzzers.sh BUILD-DIR [SECONDS-PER-TARGET] [TARGET...]
#
# SECONDS defaults to 30.  FUZZ_SEED=N fixes libFuzzer's random seed, so
# a run follows the same mutations each time (CI does: its run then checks
# the stretch of search that was fuzzed longer by hand, and a failure
# there is reproducible); unset, every run explores anew.  Inputs that fail are kept in
# BUILD-DIR/fuzz-artifacts/ (and printed in base64 when small, for a CI
# log); new corpus entries are thrown away with the temporary copy.  Each
# target's last libFuzzer statistics are printed, then one line per target:
#   fuzz-NAME: N runs in S s
set -uo pipefail

build=${1:?usage: run-fuzzers.sh BUILD-DIR [SECONDS] [TARGET...]}
seconds=${2:-30}
shift $(( $# >= 2 ? 2 : 1 ))
here=$(cd "$(dirname "$0")" && pwd)
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  for d in "$here"/corpus/fuzz-*; do
    targets+=("$(basename "$d")")
  done
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/clipsight-fuzz-run.XXXXXX")
trap 'rm -rf "$work"' EXIT
artifacts="$build/fuzz-artifacts"
mkdir -p "$artifacts" "$work/tmp"
# the targets' scratch files: removed with $work even after a crash
export TMPDIR="$work/tmp"

export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1:strict_string_checks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
if [ -f "$here/../../.ci/lsan.supp" ]; then
  export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$(cd "$here/../../.ci" && pwd)/lsan.supp:print_suppressions=0}
fi
export OPENBLAS_NUM_THREADS=1

failed=()
results=()
for t in "${targets[@]}"; do
  exe="$build/tests/fuzz/$t"
  if [ ! -x "$exe" ]; then
    echo "$t: $exe is missing (configure with CC=clang -Dfuzzing=true and build it)" >&2
    failed+=("$t")
    continue
  fi
  rm -f "$artifacts/$t"-*
  cp -r "$here/corpus/$t" "$work/$t"
  log="$work/$t.log"
  echo "== $t: ${seconds} s on $(ls "$work/$t" | wc -l) seeds"
  "$exe" ${FUZZ_SEED:+-seed="$FUZZ_SEED"} -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=30 -print_final_stats=1 \
    -artifact_prefix="$artifacts/$t-" "$work/$t" >"$log" 2>&1
  rc=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  secs=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$log" | tail -1)
  grep -E '^stat::' "$log"
  if [ $rc -ne 0 ] || grep -qE 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error:|==ERROR' "$log"; then
    echo "!! $t FAILED (exit $rc); its log ends:"
    tail -60 "$log"
    for f in "$artifacts/$t"-*; do
      [ -f "$f" ] || continue
      echo "!! failing input kept as $f ($(stat -c %s "$f") bytes)"
      if [ "$(stat -c %s "$f")" -le 4096 ]; then
        echo "   base64: $(base64 -w0 "$f")"
      fi
    done
    failed+=("$t")
    results+=("$t: FAILED after ${runs:-?} runs")
  else
    results+=("$t: ${runs:-?} runs in ${secs:-?} s")
  fi
done

printf '%s\n' "${results[@]}"
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzzing failed: ${failed[*]}" >&2
  exit 1
fi
