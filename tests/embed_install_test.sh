#!/usr/bin/env bash
# Installs the build tree into a staging prefix, builds examples/embed against it with
# find_package(reagent), and runs the result.
set -euo pipefail
src=$1 build=$2
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
cmake --install "$build" --prefix "$stage/prefix" >/dev/null
cmake -S "$src/examples/embed" -B "$stage/embed" -G Ninja -DCMAKE_PREFIX_PATH="$stage/prefix" >/dev/null
cmake --build "$stage/embed" >/dev/null
out=$("$stage/embed/embed_example")
echo "$out"
grep -qF "embedded: 17*23 = 391" <<<"$out"
