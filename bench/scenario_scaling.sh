#!/usr/bin/env bash
# `reagent test` on long scenarios: wall time and peak memory (RSS) of one process per
# scenario, so growth with the number of turns or steps shows. Scenarios (one session each,
# usage left to the real tokenizer, per-step tool calls to the built-in calculator):
#   20x50     20 turns of 50 steps
#   30xS      30 turns of S steps, S = 2, 10, 33 (up to ~1,000 steps in 30 turns)
#   Nx2       N turns of 2 steps, N = 100, 500, 1000
# usage: bench/scenario_scaling.sh [BUILD_DIR] [OTHER_BUILD_DIR]   (default build/release)
# With a second build both run interleaved (REPEAT, default 3, medians). An older build
# refuses turn 31 of a scenario (per-user window), shown as FAIL: its rows past 30 turns time
# 30 turns and the refusals, so for such a build the 30xS rows (all turns run) are the ones
# that show how time and memory grow with the history.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/builds.bash"
builds_from_args "$@"
make_work_dir
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$work" "${REPEAT:-3}" "${builds[@]}" <<'PY'
import json, os, statistics, subprocess, sys
work, repeat, builds = sys.argv[1], int(sys.argv[2]), sys.argv[3:]

def scenario(turns, steps):
    replies, expect = [], []
    for t in range(turns):
        for s in range(steps - 1):
            replies.append({"content": f"Thought: compute step {s}.\nAction: calculator\nAction Input: {t}*{s}+1"})
        replies.append({"content": f"Thought: done.\nFinal Answer: turn {t} done"})
        expect.append({"user": f"Question {t}: multiply a few numbers for me.",
                       "expect": {"final_answer": f"turn {t} done", "stop_reason": "final_answer"}})
    return {"name": f"{turns}x{steps}", "agent": {"max_steps": steps, "models": ["gpt-4.1"], "tools": ["calculator"]},
            "models": {"gpt-4.1": replies}, "turns": expect}

cases = [(20, 50), (30, 2), (30, 10), (30, 33), (100, 2), (500, 2), (1000, 2)]
files = {}
for turns, steps in cases:
    path = os.path.join(work, f"{turns}x{steps}.json")
    json.dump(scenario(turns, steps), open(path, "w"))
    files[(turns, steps)] = path

results = {}
for _ in range(repeat):
    for case in cases:
        for b in builds:
            run = subprocess.run(["/usr/bin/time", "-f", "%e %M", b + "/bin/reagent", "test", files[case]],
                                 capture_output=True, text=True)
            secs, kb = run.stderr.strip().splitlines()[-1].split()
            ok = "1 passed, 0 failed" in run.stdout
            results.setdefault((case, b), []).append((float(secs), int(kb) / 1024, ok))

print(f"{'scenario':<9} {'build':<40} {'wall s':>8} {'peak MB':>8} {'ms/turn':>8} {'ms/step':>8}  result")
for case in cases:
    for b in builds:
        rows = results[(case, b)]
        secs = statistics.median(r[0] for r in rows)
        mb = statistics.median(r[1] for r in rows)
        ok = all(r[2] for r in rows)
        name = f"{case[0]}x{case[1]}"
        print(f"{name:<9} {b:<40} {secs:>8.2f} {mb:>8.1f} {1000 * secs / case[0]:>8.2f} {1000 * secs / (case[0] * case[1]):>8.3f}  {'PASS' if ok else 'FAIL'}")
PY
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
