#!/usr/bin/env bash
# The session store against raw SQLite (bench/session_store_bench.cc), with ratios.
# usage: bench/session_store.sh [BUILD_DIR]   (default build/release)
# Runs 3 interleaved repetitions and compares medians of items/s (real time), so load
# changes on the machine hit both sides alike.
set -euo pipefail
build="${1:-build/release}"
bin="$build/bench/session_store_bench"
[ -x "$bin" ] || { echo "no $bin: cmake --preset release && cmake --build --preset release --target session_store_bench" >&2; exit 2; }
out="$(mktemp)"
trap 'rm -f "$out"' EXIT
"$bin" --benchmark_repetitions=3 --benchmark_enable_random_interleaving=true \
  --benchmark_min_time="${MIN_TIME:-0.5}" --benchmark_report_aggregates_only=true \
  --benchmark_format=json >"$out"
python3 - "$out" <<'PY'
import json, sys
runs = json.load(open(sys.argv[1]))["benchmarks"]
med = {r["run_name"]: r["items_per_second"] for r in runs if r.get("aggregate_name") == "median"}
def rate(name): return med.get(name)
rows = [("Load 20 messages", "BM_StoreLoad20/real_time/threads:{t}", "BM_RawLoad20/real_time/threads:{t}"),
        ("AppendStep NORMAL", "BM_StoreAppendStep/0/real_time/threads:{t}", "BM_RawAppendStep/0/real_time/threads:{t}"),
        ("AppendStep FULL", "BM_StoreAppendStep/1/real_time/threads:{t}", "BM_RawAppendStep/1/real_time/threads:{t}")]
print(f"{'operation':<20} {'threads':>7} {'store/s':>10} {'raw/s':>10} {'ratio':>6}")
for label, store, raw in rows:
    for t in (1, 2):
        s, r = rate(store.format(t=t)), rate(raw.format(t=t))
        if s and r:
            print(f"{label:<20} {t:>7} {s:>10.0f} {r:>10.0f} {100*s/r:>5.0f}%")
PY
