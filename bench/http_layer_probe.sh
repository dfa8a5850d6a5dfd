#!/usr/bin/env bash
# The measurement behind the server's choice of HTTP layer: can cpp-httplib (thread per
# connection, a fixed pool) hold 1,000 idle SSE streams? Builds a minimal httplib SSE server
# (one endpoint that writes a comment and then waits, like a turn waiting on its model),
# opens 1,000 streams against it with pools of 8 (httplib's default here) and 1,100 threads,
# and prints how many streams were served, the server's RSS and its threads.
# Usage: bench/http_layer_probe.sh   (PROBE_STREAMS=N for another count)
set -euo pipefail
n=${PROBE_STREAMS:-1000}
here="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
g++ -O2 -std=c++20 $(pkg-config --cflags cpp-httplib) "$here/http_layer_probe/httplib_idle_streams.cc" \
  -o "$work/probe" $(pkg-config --libs cpp-httplib) -lpthread
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
for pool in 8 1100; do
  "$work/probe" "$pool" > "$work/port" & pid=$!
  for _ in $(seq 50); do [ -s "$work/port" ] && break; sleep 0.1; done
  port=$(head -1 "$work/port")
  sleep 0.5
  base=$(awk '/VmRSS/{print $2}' /proc/$pid/status)
  nice -n 10 python3 "$here/http_layer_probe/hold_streams.py" "$port" "$n" 10 /sse 8 & holder=$!
  sleep 12
  rss=$(awk '/VmRSS/{print $2}' /proc/$pid/status); threads=$(awk '/Threads/{print $2}' /proc/$pid/status)
  wait $holder
  echo "httplib pool=$pool: RSS ${base} kB idle → ${rss} kB with $n streams open, $threads threads"
  kill $pid; wait $pid 2>/dev/null || true
done
