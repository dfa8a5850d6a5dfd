#!/usr/bin/env bash
# A 10,000-item agent batch (`reagent batch`, one ReAct turn per item with a calculator call,
# sanitizer, exact token counts, a SQLite session per item and the checkpoint) against the
# local mock (`reagent mock-llm`, zero latency, no limits): items per second end to end,
# for -j 1, 4 and 8. The questions differ per item (a different product each), so no two
# prompts are the same.
# usage: bench/batch_throughput.sh [BUILD_DIR] [ITEMS]   (default build/release, 10000)
set -euo pipefail
build="${1:-build/release}"
items="${2:-10000}"
bin="$(realpath "$build/bin/reagent")"
[ -x "$bin" ] || { echo "no $bin: cmake --preset release && cmake --build --preset release --target reagent-cli" >&2; exit 2; }
work="$(mktemp -d)"
mock=""
cleanup() { [ -n "$mock" ] && kill "$mock" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

"$bin" mock-llm --port 0 --quiet >"$work/port" 2>"$work/mock.log" &
mock=$!
for _ in $(seq 100); do [ -s "$work/port" ] && break; sleep 0.05; done
url="http://127.0.0.1:$(head -n1 "$work/port")/v1"

for ((i = 0; i < items; ++i)); do
  printf '{"id": "doc-%d", "text": "What is %d*%d?"}\n' "$i" "$((i % 997 + 2))" "$((i % 89 + 3))"
done >"$work/items.jsonl"

echo "uptime: $(uptime)"
printf '| -j | items | seconds | items/s | failed |\n|---:|---:|---:|---:|---:|\n'
for j in 1 4 8; do
  rm -f "$work"/out.jsonl* "$work"/s.db*
  start=$(date +%s.%N)
  "$bin" batch --in "$work/items.jsonl" --out "$work/out.jsonl" -j "$j" --base-url "$url" -m gpt-4.1-mini \
    --db "$work/s.db" --progress-interval 3600 2>"$work/batch.log" || true
  end=$(date +%s.%N)
  done_items=$(grep -c '"ok":true' "$work/out.jsonl" || true)
  failed=$(grep -c '"ok":false' "$work/out.jsonl" || true)
  awk -v j="$j" -v n="$done_items" -v f="$failed" -v s="$start" -v e="$end" \
    'BEGIN { t = e - s; printf "| %d | %d | %.1f | %.0f | %d |\n", j, n, t, n / t, f }'
done
