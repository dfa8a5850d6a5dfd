#!/usr/bin/env bash
# `reagent serve` against `reagent mock-llm` on loopback (bench/serve_bench.py), twice.
# usage: bench/serve.sh [BUILD_DIR]   (default build/release)
set -euo pipefail
exec nice -n 10 python3 "$(dirname "$0")/serve_bench.py" "${1:-build/release}" --repeat 2
