#!/usr/bin/env bash
# bench/agent_session_bench (30 turns of one session) as a table: medians of REPEAT (default 3)
# runs, one configuration per process; with a second build (an older commit's), both run
# interleaved in the same run.
# usage: bench/agent_session.sh [BUILD_DIR] [OTHER_BUILD_DIR]   (default build/release)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/builds.bash"
builds_from_args "$@"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "${REPEAT:-3}" "${builds[@]}" <<'PY'
import json, statistics, subprocess, sys
repeat, builds = int(sys.argv[1]), sys.argv[2:]
configs = [("10 steps", "sqlite", "steps:10/memory:0/window:0"), ("50 steps", "sqlite", "steps:50/memory:0/window:0"),
           ("10 steps", "in-memory", "steps:10/memory:1/window:0"), ("50 steps", "in-memory", "steps:50/memory:1/window:0"),
           ("10 steps, trimmed to a 16 K window", "in-memory", "steps:10/memory:1/window:16384")]
keys = ["cpu_t1", "cpu_t30", "t30_over_t1", "us_step_t1", "us_step_t30", "wal_frames_per_step", "peak_rss_mb"]
runs = {}
for _ in range(repeat):
    for _, _, flt in configs:
        for b in builds:
            out = subprocess.run([b + "/bench/agent_session_bench", "--benchmark_format=json",
                                  f"--benchmark_filter=BM_AgentSession/{flt}/"],
                                 capture_output=True, text=True, check=True).stdout
            bench = json.loads(out)["benchmarks"][0]
            runs.setdefault((flt, b), []).append(bench)
print("| turn | store | build | CPU µs/step turn 1 | turn 30 | turn 30 / turn 1 | wall µs/step turn 1 | turn 30 | WAL frames/step | peak RSS MB |")
print("|---|---|---|---:|---:|---:|---:|---:|---:|---:|")
for label, store, flt in configs:
    for b in builds:
        med = {k: statistics.median(r.get(k, 0) for r in runs[(flt, b)]) for k in keys}
        frames = f"{med['wal_frames_per_step']:.1f}" if store == "sqlite" else "-"
        print(f"| {label} | {store} | {b} | {med['cpu_t1']:.1f} | {med['cpu_t30']:.1f} | {med['t30_over_t1']:.2f} | "
              f"{med['us_step_t1']:.1f} | {med['us_step_t30']:.1f} | {frames} | {med['peak_rss_mb']:.1f} |")
PY
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
