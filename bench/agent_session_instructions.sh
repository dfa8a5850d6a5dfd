#!/usr/bin/env bash
# bench/agent_session_bench under valgrind's callgrind: instructions per reason/act step, turn by
# turn, for each configuration. Instruction counts do not move with the machine's load the way
# time does, so they show what grows with the session (turn 30 against turn 1) exactly; what
# they miss is memory behaviour (cache misses, page faults), which the time figures of
# bench/agent_session.sh include. With a second build, both are measured.
#   usage: [ONLY=SUBSTRING] bench/agent_session_instructions.sh [BUILD_DIR] [OTHER_BUILD_DIR]
#   (default build/release; ONLY=memory:1 runs the configurations whose benchmark filter has it)
# Needs valgrind (scripts/install-deps bench) when the bench is built: its callgrind.h marks the
# end of each turn. ~1 min per configuration and build.
set -euo pipefail
builds=("${1:-build/release}")
[ $# -ge 2 ] && builds+=("$2")
command -v valgrind >/dev/null || { echo "valgrind not found: scripts/install-deps bench" >&2; exit 2; }
for b in "${builds[@]}"; do
  [ -x "$b/bench/agent_session_bench" ] || { echo "no $b/bench/agent_session_bench: build it first" >&2; exit 2; }
done
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
python3 - "$work" "${builds[@]}" <<'PY'
import os, pathlib, re, subprocess, sys
work, builds = pathlib.Path(sys.argv[1]), sys.argv[2:]
configs = [("10 steps", "sqlite", 10, "steps:10/memory:0/window:0"), ("50 steps", "sqlite", 50, "steps:50/memory:0/window:0"),
           ("10 steps", "in-memory", 10, "steps:10/memory:1/window:0"), ("50 steps", "in-memory", 50, "steps:50/memory:1/window:0"),
           ("10 steps, trimmed to a 16 K window", "in-memory", 10, "steps:10/memory:1/window:16384")]
only = os.environ.get("ONLY", "")  # e.g. ONLY=window:16384 runs the configurations whose filter has it
configs = [c for c in configs if only in c[3]]
print("| turn | store | build | k instructions/step turn 1 | turn 2 | turn 10 | turn 30 | turn 30 / turn 1 | turns 26-30 / turns 3-7 |")
print("|---|---|---|---:|---:|---:|---:|---:|---:|")
for label, store, steps, flt in configs:
    for i, b in enumerate(builds):
        out = work / f"{i}-{flt.replace('/', '_')}"
        out.mkdir()
        subprocess.run(["valgrind", "--tool=callgrind", "--compress-strings=no", f"--callgrind-out-file={out}/cg",
                        f"{b}/bench/agent_session_bench", f"--benchmark_filter=BM_AgentSession/{flt}/"],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        turns = {}
        for f in out.glob("cg.*"):
            text = f.read_text(errors="replace")
            m, t = re.search(r"^desc: Trigger: Client Request: turn (\d+)$", text, re.M), re.search(r"^totals: (\d+)", text, re.M)
            if m and t:
                turns[int(m.group(1))] = int(t.group(1)) / steps / 1000
        if len(turns) < 30:
            sys.exit(f"{b}: no per-turn profiles (was the bench built without valgrind's callgrind.h? rebuild it)")
        mean = lambda a, z: sum(turns[t] for t in range(a, z + 1)) / (z - a + 1)
        print(f"| {label} | {store} | {b} | {turns[1]:.0f} | {turns[2]:.0f} | {turns[10]:.0f} | {turns[30]:.0f} | "
              f"{turns[30] / turns[1]:.2f} | {mean(26, 30) / mean(3, 7):.2f} |")
PY
