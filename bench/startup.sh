#!/usr/bin/env bash
# What a short-lived `reagent` process pays before it does its work: wall time (median of
# REPEAT, default 10) of
#   tokens hello          loading the o200k rank tables, counting one word
#   tokens < 1 MiB        counting 1 MiB of English and Vietnamese (the corpora, repeated)
#   scan hello            building the sanitizer, scanning one word
#   test SCENARIOS        the example scenarios (per file)
# usage: bench/startup.sh [BUILD_DIR] [OTHER_BUILD_DIR]   (default build/release)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/builds.bash"
builds_from_args "$@"
make_work_dir
python3 - "$here/.." "$work" "${REPEAT:-10}" "${builds[@]}" <<'PY'
import glob, json, os, statistics, subprocess, sys, time
root, work, repeat, builds = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4:]
text = ""
for name in ["bipia_contexts_benign_train.jsonl", "notinject_benign.jsonl", "vi_benign_handwritten.jsonl"]:
    for line in open(os.path.join(root, "sanitizer/corpora", name), encoding="utf-8"):
        text += json.loads(line)["text"] + "\n"
data = (text * (2**20 // len(text.encode()) + 1)).encode()[: 2**20].decode("utf-8", "ignore")
mib = os.path.join(work, "1mib.txt")
open(mib, "w", encoding="utf-8").write(data)
scenarios = os.path.join(root, "examples/scenarios")
n_scenarios = len(glob.glob(os.path.join(scenarios, "*.json")))
cases = [("tokens hello", ["tokens", "hello"], None, 1),
         ("tokens < 1 MiB", ["tokens"], mib, 1),
         ("scan hello", ["scan", "hello"], None, 1),
         (f"test ({n_scenarios} files), per file", ["test", scenarios], None, n_scenarios)]
times = {}
for _ in range(repeat):
    for label, args, stdin, per in cases:
        for b in builds:
            with open(stdin or os.devnull, "rb") as f:
                t0 = time.perf_counter()
                subprocess.run([b + "/bin/reagent"] + args, stdin=f, capture_output=True)
                times.setdefault((label, b), []).append((time.perf_counter() - t0) * 1000 / per)
print(f"load {open('/proc/loadavg').read().split()[:3]}")
print(f"{'command':<28} " + " ".join(f"{b[-30:]:>30}" for b in builds) + ("  ratio" if len(builds) == 2 else ""))
for label, *_ in cases:
    meds = [statistics.median(times[(label, b)]) for b in builds]
    row = f"{label:<28} " + " ".join(f"{m:>27.1f} ms" for m in meds)
    if len(meds) == 2:
        row += f"  {meds[1] / meds[0]:.2f}x"
    print(row)
PY
