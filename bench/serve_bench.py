#!/usr/bin/env python3
"""`reagent serve` against `reagent mock-llm` on loopback.

Measures, side by side in one run (the machine is shared: compare the columns, not runs):
  1. turns/s and latency per turn at 1, 16 and 64 concurrent clients, through the server
     (one agent turn = one model call here: a question the mock answers at once) vs the same
     number of plain completions sent straight to the mock; "added" = server − mock;
  2. time to the first answer token, streamed through the server vs straight from the mock;
  3. memory per open stream: RSS and threads of the server before and with 1,000 idle SSE
     streams open (each a running turn waiting on the model).
Usage: bench/serve_bench.py BUILD_DIR [--repeat N] [--quick]
Runs under `nice`; prints the machine's load average with the numbers.
"""
import http.client, json, os, selectors, socket, statistics, subprocess, sys, tempfile, threading, time, hashlib

KEY = "sk-bench-key-0000000000000000"
QUESTION = "Say hello to the benchmark."


def start(args, env=None, stderr=subprocess.DEVNULL):
    p = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=stderr, stdin=subprocess.DEVNULL,
                         env={**os.environ, **(env or {})}, preexec_fn=lambda: os.nice(10))
    port = int(p.stdout.readline().decode().strip())
    return p, port


def percentile(xs, q):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(q * (len(xs) - 1))))]


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        fields = dict(line.split(":", 1) for line in f if ":" in line)
    return int(fields["VmRSS"].split()[0]), int(fields["Threads"])


class Client:
    """One keep-alive connection."""
    def __init__(self, port):
        self.port = port
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)

    def post(self, path, body, headers):
        self.conn.request("POST", path, body=json.dumps(body), headers={"Content-Type": "application/json", **headers})
        r = self.conn.getresponse()
        data = r.read()
        if r.status != 200:
            raise RuntimeError(f"{r.status}: {data[:200]!r}")
        return data


def load(port, path, body, headers, concurrency, total):
    """`total` requests from `concurrency` clients; returns (latencies in s, wall s)."""
    latencies, lock, counter, errors = [], threading.Lock(), [0], []

    def worker():
        c = Client(port)
        while True:
            with lock:
                if counter[0] >= total:
                    return
                counter[0] += 1
            t0 = time.perf_counter()
            try:
                c.post(path, body, headers)
            except Exception as e:  # counted and shown: a benchmark that hides failures lies
                with lock:
                    errors.append(str(e))
                c = Client(port)
                continue
            dt = time.perf_counter() - t0
            with lock:
                latencies.append(dt)

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        print(f"  {len(errors)} of {total} requests failed, e.g. {errors[0][:160]}", file=sys.stderr)
    return latencies, time.perf_counter() - t0


def first_answer_token(port, path, body, headers, marker):
    """Seconds from sending a streaming request to the first byte of answer text."""
    s = socket.create_connection(("127.0.0.1", port))
    payload = json.dumps(body).encode()
    head = f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {len(payload)}\r\n"
    head += "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n"
    t0 = time.perf_counter()
    s.sendall(head.encode() + payload)
    seen = b""
    text = ""
    while True:
        chunk = s.recv(65536)
        if not chunk:
            raise RuntimeError("stream ended before the answer")
        seen += chunk
        for line in seen.split(b"\n"):
            if not line.startswith(b"data: {"):
                continue
            try:
                obj = json.loads(line[6:])
            except ValueError:
                continue  # a line cut by the read
        text = "".join(
            json.loads(l[6:])["choices"][0]["delta"].get("content", "") or ""
            for l in seen.split(b"\n")
            if l.startswith(b"data: {") and l.endswith(b"}") and b'"choices":[{' in l)
        after = text.split(marker, 1)[1] if marker and marker in text else (text if not marker else "")
        if after.strip():
            dt = time.perf_counter() - t0
            s.close()
            return dt


def idle_streams(port, server_pid, n):
    """Opens n streaming turns that wait on the model; returns (rss before, rss with, threads)."""
    time.sleep(1)
    before, threads_before = rss_kb(server_pid)
    payload = json.dumps({"model": "reagent", "stream": True, "messages": [{"role": "user", "content": QUESTION}]}).encode()
    req = (f"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {KEY}\r\n"
           f"Content-Type: application/json\r\nContent-Length: {len(payload)}\r\n\r\n").encode() + payload
    sel = selectors.DefaultSelector()
    socks = []
    for i in range(n):
        s = socket.create_connection(("127.0.0.1", port))
        s.sendall(req)
        s.setblocking(False)
        sel.register(s, selectors.EVENT_READ, i)
        socks.append(s)
    opened = set()
    deadline = time.time() + 60
    while len(opened) < n and time.time() < deadline:
        for key, _ in sel.select(timeout=0.5):
            try:
                data = key.fileobj.recv(65536)
            except BlockingIOError:
                continue
            if b"HTTP/1.1 200" in data or key.data in opened:
                opened.add(key.data)
    time.sleep(2)
    with_streams, threads = rss_kb(server_pid)
    for s in socks:
        s.close()
    return before, with_streams, threads_before, threads, len(opened)


def idle_connections(port, server_pid, n):
    """Opens n connections that send nothing (the transport's own cost); returns (before, with, threads)."""
    time.sleep(1)
    before, _ = rss_kb(server_pid)
    socks = [socket.create_connection(("127.0.0.1", port)) for _ in range(n)]
    time.sleep(2)
    with_conns, threads = rss_kb(server_pid)
    for s in socks:
        s.close()
    return before, with_conns, threads


def run(build, quick):
    binary = os.path.join(build, "bin", "reagent")
    out = {}
    with tempfile.TemporaryDirectory(prefix="serve-bench-") as d:
        mock, mock_port = start([binary, "mock-llm", "--port", "0", "--quiet"])
        config = {
            "models": [{"model": "gpt-4.1-mini", "base_url": f"http://127.0.0.1:{mock_port}/v1", "api_key_env": "BENCH_MOCK_KEY"}],
            "tools": {"builtin": []},
            "sessions": {"db": f"{d}/s.db", "max_concurrent_per_user": 100000, "requests_per_minute": 1000000000,
                         "max_sessions": 1000000},
            "server": {"port": 0, "access_log": "off", "max_concurrent_turns": 1100, "max_queued_turns": 1000,
                       "max_connections": 5000, "keys": [{"user": "bench", "sha256": hashlib.sha256(KEY.encode()).hexdigest()}]},
        }
        with open(f"{d}/reagent.json", "w") as f:
            json.dump(config, f)
        serve, port = start([binary, "serve", "--config", f"{d}/reagent.json"], {"BENCH_MOCK_KEY": "x"})
        auth = {"Authorization": f"Bearer {KEY}"}
        chat = {"model": "reagent", "messages": [{"role": "user", "content": QUESTION}]}
        direct = {"model": "gpt-4.1-mini", "messages": [{"role": "system", "content": "You are a helpful assistant."},
                                                        {"role": "user", "content": QUESTION}]}
        load(port, "/v1/chat/completions", chat, auth, 4, 100)  # warm up both
        load(mock_port, "/v1/chat/completions", direct, {}, 4, 100)
        for c in (1, 16, 64):
            total = (60 if quick else 200) * max(1, c // 4) if c > 1 else (60 if quick else 300)
            m_lat, m_wall = load(mock_port, "/v1/chat/completions", direct, {}, c, total)
            s_lat, s_wall = load(port, "/v1/chat/completions", chat, auth, c, total)
            out[f"c{c}"] = {
                "requests": total,
                "server_turns_per_s": total / s_wall, "mock_calls_per_s": total / m_wall,
                "server_p50_ms": 1e3 * percentile(s_lat, .5), "server_p99_ms": 1e3 * percentile(s_lat, .99),
                "mock_p50_ms": 1e3 * percentile(m_lat, .5), "mock_p99_ms": 1e3 * percentile(m_lat, .99),
            }
        ttft_s = [first_answer_token(port, "/v1/chat/completions", {**chat, "stream": True}, auth, None) for _ in range(30)]
        ttft_m = [first_answer_token(mock_port, "/v1/chat/completions", {**direct, "stream": True}, {}, "Final Answer:")
                  for _ in range(30)]
        out["ttft"] = {"server_p50_ms": 1e3 * statistics.median(ttft_s), "mock_p50_ms": 1e3 * statistics.median(ttft_m),
                       "server_p99_ms": 1e3 * percentile(ttft_s, .99), "mock_p99_ms": 1e3 * percentile(ttft_m, .99)}
        serve.terminate(); serve.wait(60)
        mock.terminate(); mock.wait(60)

        # Idle streams: a mock that takes a minute to answer holds every turn in its model call.
        mock, mock_port = start([binary, "mock-llm", "--port", "0", "--quiet", "--latency-ms", "60000"])
        config["models"][0]["base_url"] = f"http://127.0.0.1:{mock_port}/v1"
        config["sessions"]["db"] = f"{d}/idle.db"
        with open(f"{d}/reagent.json", "w") as f:
            json.dump(config, f)
        serve, port = start([binary, "serve", "--config", f"{d}/reagent.json", "--drain-grace", "0"], {"BENCH_MOCK_KEY": "x"})
        n = 1000
        c_before, c_with, c_threads = idle_connections(port, serve.pid, n)
        out["idle_connections"] = {"connections": n, "per_connection_kb": (c_with - c_before) / n, "threads": c_threads}
        before, with_streams, t_before, t_with, opened = idle_streams(port, serve.pid, n)
        out["idle"] = {"streams": n, "opened": opened, "rss_before_mb": before / 1024, "rss_with_mb": with_streams / 1024,
                       "per_stream_kb": (with_streams - before) / n, "threads_before": t_before, "threads_with": t_with}
        serve.terminate(); serve.wait(60)
        mock.kill(); mock.wait(60)
    return out


def main():
    build = sys.argv[1] if len(sys.argv) > 1 else "build/release"
    repeat = int(sys.argv[sys.argv.index("--repeat") + 1]) if "--repeat" in sys.argv else 1
    quick = "--quick" in sys.argv
    for i in range(repeat):
        load_avg = open("/proc/loadavg").read().split()[:3]
        r = run(build, quick)
        print(f"run {i + 1}, load average before: {' '.join(load_avg)}, after: {' '.join(open('/proc/loadavg').read().split()[:3])}")
        print("| clients | turns/s via server | calls/s straight to mock | p50 server / mock (added) ms | p99 server / mock (added) ms |")
        print("|---:|---:|---:|---:|---:|")
        for c in (1, 16, 64):
            x = r[f"c{c}"]
            print(f"| {c} | {x['server_turns_per_s']:.0f} | {x['mock_calls_per_s']:.0f} | "
                  f"{x['server_p50_ms']:.2f} / {x['mock_p50_ms']:.2f} (+{x['server_p50_ms'] - x['mock_p50_ms']:.2f}) | "
                  f"{x['server_p99_ms']:.2f} / {x['mock_p99_ms']:.2f} (+{x['server_p99_ms'] - x['mock_p99_ms']:.2f}) |")
        t = r["ttft"]
        print(f"time to first answer token, p50 (p99): server {t['server_p50_ms']:.2f} ms ({t['server_p99_ms']:.2f}), "
              f"mock {t['mock_p50_ms']:.2f} ms ({t['mock_p99_ms']:.2f}), added {t['server_p50_ms'] - t['mock_p50_ms']:.2f} ms")
        s = r["idle"]
        print(f"idle SSE streams: {s['opened']}/{s['streams']} open; server RSS {s['rss_before_mb']:.1f} → {s['rss_with_mb']:.1f} MB "
              f"= {s['per_stream_kb']:.1f} KiB per stream; threads {s['threads_before']} → {s['threads_with']}")
        ic = r["idle_connections"]
        print(f"idle keep-alive connections (no request): {ic['per_connection_kb']:.1f} KiB each, threads {ic['threads']}")
        print(json.dumps(r), file=sys.stderr)
        sys.stdout.flush()


if __name__ == "__main__":
    main()
