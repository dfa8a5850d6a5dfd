#!/usr/bin/env bash
# The session store against raw SQLite (bench/session_store_bench.cc), with ratios.
# usage: bench/session_store.sh [BUILD_DIR] [OTHER_BUILD_DIR]   (default build/release)
# Each build's benchmark runs 3 interleaved repetitions and the medians of items/s (real time)
# are compared, so load changes on the machine hit both sides alike. With a second build (an
# older commit's), the two binaries run alternately REPEAT (default 3) times and the store's
# rates are compared (medians over the runs): "raw" is raw SQLite doing that build's own
# schema, so store/raw says how close each store is to its schema's floor and old/new store
# says what the schema change bought.
set -euo pipefail
builds=("${1:-build/release}")
[ $# -ge 2 ] && builds+=("$2")
for b in "${builds[@]}"; do
  [ -x "$b/bench/session_store_bench" ] ||
    { echo "no $b/bench/session_store_bench: cmake --build --preset release --target session_store_bench" >&2; exit 2; }
done
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
repeat="${REPEAT:-1}"
[ ${#builds[@]} -eq 2 ] && repeat="${REPEAT:-3}"
for ((i = 0; i < repeat; ++i)); do
  for j in "${!builds[@]}"; do
    "${builds[$j]}/bench/session_store_bench" --benchmark_repetitions=3 --benchmark_enable_random_interleaving=true \
      --benchmark_min_time="${MIN_TIME:-0.5}" --benchmark_report_aggregates_only=true \
      --benchmark_format=json >"$work/$j.$i.json"
  done
done
python3 - "$work" "$repeat" "${builds[@]}" <<'PY'
import json, os, statistics, sys
work, repeat, builds = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
def medians(j):
    per_run = []
    for i in range(repeat):
        runs = json.load(open(os.path.join(work, f"{j}.{i}.json")))["benchmarks"]
        per_run.append({r["run_name"]: r["items_per_second"] for r in runs if r.get("aggregate_name") == "median"})
    return {k: statistics.median(m[k] for m in per_run if k in m) for k in per_run[0]}
med = [medians(j) for j in range(len(builds))]
rows = [("Load 20 messages", "BM_StoreLoad20/real_time/threads:{t}", "BM_RawLoad20/real_time/threads:{t}"),
        ("AppendStep NORMAL", "BM_StoreAppendStep/0/real_time/threads:{t}", "BM_RawAppendStep/0/real_time/threads:{t}"),
        ("AppendStep FULL", "BM_StoreAppendStep/1/real_time/threads:{t}", "BM_RawAppendStep/1/real_time/threads:{t}")]
if len(builds) == 1:
    print(f"{'operation':<20} {'threads':>7} {'store/s':>10} {'raw/s':>10} {'ratio':>6}")
else:
    print(f"builds: A = {builds[0]}, B = {builds[1]}")
    print(f"{'operation':<20} {'threads':>7} {'A store/s':>10} {'A raw/s':>10} {'A ratio':>7}"
          f" {'B store/s':>10} {'B raw/s':>10} {'B ratio':>7} {'B/A store':>9}")
for label, store, raw in rows:
    for t in (1, 2):
        cells = []
        for m in med:
            s, r = m.get(store.format(t=t)), m.get(raw.format(t=t))
            cells.append((s, r))
        if not all(s and r for s, r in cells):
            continue
        line = f"{label:<20} {t:>7}"
        for s, r in cells:
            line += f" {s:>10.0f} {r:>10.0f} {100 * s / r:>6.0f}%"
        if len(cells) == 2:
            line += f" {cells[1][0] / cells[0][0]:>8.2f}x"
        print(line)
PY
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
