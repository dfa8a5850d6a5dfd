#!/usr/bin/env bash
# Soak version of tests/session_crash_test.cc: many more SIGKILLs per synchronous mode.
# usage: bench/session_crash_soak.sh [BUILD_DIR] [ROUNDS]   (defaults build/release, 300)
set -euo pipefail
build="${1:-build/release}"
rounds="${2:-300}"
bin="$build/tests/session_crash_test"
[ -x "$bin" ] || cmake --build "$build" -j2 --target session_crash_test
REAGENT_CRASH_ROUNDS="$rounds" "$bin"
