#!/usr/bin/env bash
# The sanitizer's throughput on varied text, each case in a fresh process, repeated:
# benign English and Vietnamese, 2,048 different 8 KiB chunks, first (cold) and second pass,
# with and without the learned layer.
#   bench/sanitizer_first_pass.sh [BUILD_DIR] [REPEATS]     (default build/release, 3)
# Optionally BEFORE=path/to/another/sanitizer_first_pass_bench runs that binary beside it on
# the same chunks (e.g. a build of an older commit), interleaved, for ratios on a busy machine
# (with and without the learned layer, so both versions' learned-layer cost shows).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$here/build/release}
repeats=${2:-3}
bin=$build/bench/sanitizer_first_pass_bench
data=(--data "$here/sanitizer/training/data" --data "$here/sanitizer/corpora")
echo "load: $(uptime)"
for r in $(seq "$repeats"); do
  for lang in en vi; do
    if [[ -n "${BEFORE:-}" ]]; then
      echo "before: $("$BEFORE" --lang "$lang" "${data[@]}")"
      echo "before rules: $("$BEFORE" --lang "$lang" --no-learned-layer "${data[@]}")"
    fi
    echo "after:  $("$bin" --lang "$lang" "${data[@]}")"
    echo "rules:  $("$bin" --lang "$lang" --no-learned-layer "${data[@]}")"
  done
done
