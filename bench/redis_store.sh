#!/usr/bin/env bash
# RedisSessionStore against the same scripts sent over a bare hiredis connection, and
# against the SQLite store (bench/redis_store_bench.cc), with ratios, at 1, 4 and 16 threads.
# usage: bench/redis_store.sh [BUILD_DIR]   (default build/release; needs redis-server)
# Runs 3 interleaved repetitions and compares medians of items/s (real time), so load
# changes on the machine hit all sides alike. Prints the load average next to the table.
set -euo pipefail
build="${1:-build/release}"
bin="$build/bench/redis_store_bench"
[ -x "$bin" ] || { echo "no $bin: cmake --preset release && cmake --build --preset release --target redis_store_bench" >&2; exit 2; }
out="$(mktemp)"
trap 'rm -f "$out"' EXIT
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
"$bin" --benchmark_repetitions="${REPS:-3}" --benchmark_enable_random_interleaving=true \
  --benchmark_min_time="${MIN_TIME:-0.5}" --benchmark_report_aggregates_only=true \
  --benchmark_format=json >"$out"
echo "load after:  $(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$out" <<'PY'
import json, sys
runs = json.load(open(sys.argv[1]))["benchmarks"]
med = {r["run_name"]: r["items_per_second"] for r in runs if r.get("aggregate_name") == "median"}
print(f"{'operation':<12} {'threads':>7} {'redis store/s':>14} {'raw hiredis/s':>14} {'store/raw':>9} {'sqlite store/s':>15} {'redis/sqlite':>12}")
for label, op in (("AppendStep", "AppendStep"), ("Load 20", "Load20")):
    for t in (1, 4, 16):
        name = lambda side: med.get(f"BM_{side}{op}/real_time/threads:{t}")
        s, r, q = name("RedisStore"), name("RawHiredis"), name("SqliteStore")
        if s and r and q:
            print(f"{label:<12} {t:>7} {s:>14.0f} {r:>14.0f} {100*s/r:>8.0f}% {q:>15.0f} {s/q:>11.2f}x")
PY
