#!/usr/bin/env bash
# End-to-end `reagent scan --jsonl` throughput on 2,048 different 8 KiB chunks of benign
# English (bench/scan_chunks.py), each run a fresh process: MB/s of text in, answers out.
# usage: bench/scan_jsonl.sh [BUILD_DIR] [OTHER_BUILD_DIR]   (default build/release)
# With a second build (e.g. an older commit's), both run interleaved, REPEAT (3) times each,
# and the medians are compared in the same run, so machine load hits both alike.
# ARGS adds arguments to every run (e.g. ARGS="--jobs 1" for one scanning thread; the
# default is one per CPU the process may use).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/builds.bash"
builds_from_args "$@"
make_work_dir
python3 "$here/scan_chunks.py" "$work/chunks.jsonl" "${CHUNKS:-2048}"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$work/chunks.jsonl" "${REPEAT:-3}" "${ARGS:-}" "${builds[@]}" <<'PY'
import json, os, statistics, subprocess, sys, time
chunks, repeat, args, builds = sys.argv[1], int(sys.argv[2]), sys.argv[3].split(), sys.argv[4:]
text_bytes = sum(len(json.loads(l)["text"].encode()) for l in open(chunks, encoding="utf-8"))
times = {b: [] for b in builds}
cpu = {b: [] for b in builds}
outputs = {}
for _ in range(repeat):
    for b in builds:
        with open(chunks, "rb") as stdin:
            before = os.times()
            t0 = time.perf_counter()
            out = subprocess.run([b + "/bin/reagent", "scan", "--jsonl", *args], stdin=stdin, capture_output=True, check=True).stdout
            times[b].append(time.perf_counter() - t0)
            after = os.times()
            cpu[b].append(after.children_user + after.children_system - before.children_user - before.children_system)
        outputs[b] = out
print(f"{text_bytes / 2**20:.1f} MiB of text in {sum(1 for _ in open(chunks))} lines")
print(f"{'build':<40} {'wall s':>7} {'MB/s':>7} {'CPU s':>7} {'MB/s of CPU':>12}  wall runs")
for b in builds:
    med, med_cpu = statistics.median(times[b]), statistics.median(cpu[b])
    print(f"{b:<40} {med:>7.3f} {text_bytes / med / 1e6:>7.1f} {med_cpu:>7.3f} {text_bytes / med_cpu / 1e6:>12.1f}"
          f"  {' '.join(f'{t:.2f}' for t in times[b])}")
if len(builds) == 2:
    a, b = (statistics.median(times[x]) for x in builds)
    ca, cb = (statistics.median(cpu[x]) for x in builds)
    print(f"speed-up: {b / a:.2f}x wall, {cb / ca:.2f}x CPU; outputs "
          f"{'identical' if outputs[builds[0]] == outputs[builds[1]] else 'DIFFER'}")
PY
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
