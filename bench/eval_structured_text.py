#!/usr/bin/env python3
"""Benign structured tool output the filter must pass: tables, CSV, JSON, logs, numbers, runs
of one short word, digests, base64, ids, stack traces, diffs, shell scripts, URLs with query
strings and YAML, generated from a fixed seed (no attack text in any of them). Prints
how many of each kind are flagged (block or redact) as tool output, for one binary or two.

  bench/eval_structured_text.py build/release/bin/reagent [--before OLD_REAGENT] [--per-kind 100]
"""
import argparse, base64, json, random, subprocess

WORDS = ["yes", "no", "ok", "y", "n", "true", "false", "null", "done", "todo", "open", "closed",
         "pass", "fail", "high", "low", "a", "o", "x", "-", "n/a", "on", "off", "1", "0"]
HEX = "0123456789abcdef"
B64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
NAMES = ["alpha", "beta", "gamma", "delta", "build", "deploy", "lint", "test", "docs", "cache",
         "order", "invoice", "refund", "ticket", "user", "disk", "cpu", "queue", "shard", "node"]


def csv_text(rng):
    cols = rng.sample(["id", "qty", "flag", "ok", "status", "price", "region", "score"], rng.randint(3, 6))
    rows = [",".join(cols)]
    for i in range(rng.randint(20, 300)):
        rows.append(",".join(str(i) if c == "id" else rng.choice(WORDS) if rng.random() < 0.5
                             else str(rng.randint(0, 999)) for c in cols))
    return "\n".join(rows)


def markdown_table(rng):
    value = rng.choice(WORDS)
    out = ["| name | result | note |", "|---|---|---|"]
    for i in range(rng.randint(20, 200)):
        out.append(f"| {rng.choice(NAMES)} {i} | {value if rng.random() < 0.8 else rng.choice(WORDS)} | |")
    return "\n".join(out)


def json_rows(rng):
    return json.dumps([{"id": i, "name": rng.choice(NAMES), "active": rng.random() < 0.5,
                        "tags": rng.sample(WORDS, 2)} for i in range(rng.randint(10, 120))])


def log_lines(rng):
    return "\n".join(f"2026-12-0{rng.randint(1, 9)}T1{rng.randint(0, 9)}:0{rng.randint(0, 9)}Z "
                     f"{rng.choice(['INFO', 'WARN', 'DEBUG'])} {rng.choice(NAMES)}: {rng.choice(WORDS)}"
                     for _ in range(rng.randint(20, 250)))


def numbers(rng):
    return " ".join(str(rng.choice([0, 1])) if rng.random() < 0.7 else str(rng.randint(0, 99))
                    for _ in range(rng.randint(50, 2000)))


def one_word(rng):
    return (rng.choice(WORDS) + rng.choice([" ", "\n", ", ", " | "])) * rng.randint(20, 3000)


def random_string(rng, alphabet, n):
    return "".join(rng.choice(alphabet) for _ in range(n))


def hex_digests(rng):
    # sha256sum / git log --format=%H / checksum files
    def digest(n):
        return random_string(rng, HEX, n)
    fmt = rng.choice(["sha", "git", "bare"])
    out = []
    for i in range(rng.randint(10, 300)):
        if fmt == "sha":
            out.append(f"{digest(64)}  {rng.choice(NAMES)}-{i}.tar.gz")
        elif fmt == "git":
            out.append(f"{digest(40)} {rng.choice(['fix', 'add', 'bump', 'merge'])} {rng.choice(NAMES)}")
        else:
            out.append(digest(rng.choice([32, 40, 64])))
    return "\n".join(out)


def base64_blob(rng):
    raw = bytes(rng.getrandbits(8) for _ in range(rng.randint(200, 20000)))
    text = base64.b64encode(raw).decode()
    if rng.random() < 0.5:
        text = "\n".join(text[i:i + 76] for i in range(0, len(text), 76))
    return rng.choice(["", "data: ", '{"content": "']) + text


def tokens_and_ids(rng):
    # UUIDs, JWT-shaped tokens, request ids in API responses
    out = []
    for _ in range(rng.randint(10, 200)):
        u = "-".join(random_string(rng, HEX, k) for k in (8, 4, 4, 4, 12))
        out.append(rng.choice([f"request_id={u}", f'"id": "{u}"',
                               f"etag: W/\"{random_string(rng, B64URL, 27)}\"",
                               f"trace {random_string(rng, B64URL, 22)}"]))
    return "\n".join(out)


def stack_trace(rng):
    lang = rng.choice(["java", "python"])
    out = []
    if lang == "java":
        out.append(f"Exception in thread \"main\" java.lang.IllegalStateException: {rng.choice(NAMES)} not ready")
        for i in range(rng.randint(5, 80)):
            out.append(f"\tat com.example.{rng.choice(NAMES)}.{rng.choice(NAMES).title()}Service."
                       f"{rng.choice(['run', 'call', 'apply', 'handle'])}({rng.choice(NAMES).title()}.java:{rng.randint(1, 900)})")
    else:
        out.append("Traceback (most recent call last):")
        for i in range(rng.randint(3, 40)):
            out.append(f'  File "/srv/app/{rng.choice(NAMES)}/{rng.choice(NAMES)}.py", line {rng.randint(1, 900)}, '
                       f"in {rng.choice(['run', 'main', 'handle', '_call'])}")
            out.append(f"    return self.{rng.choice(NAMES)}({rng.choice(NAMES)}, timeout={rng.randint(1, 60)})")
        out.append(f"KeyError: '{rng.choice(NAMES)}'")
    return "\n".join(out)


def unified_diff(rng):
    out = [f"diff --git a/src/{rng.choice(NAMES)}.cc b/src/{rng.choice(NAMES)}.cc", "--- a/x", "+++ b/x"]
    for h in range(rng.randint(1, 20)):
        out.append(f"@@ -{rng.randint(1, 500)},7 +{rng.randint(1, 500)},8 @@")
        for _ in range(rng.randint(3, 12)):
            sign = rng.choice([" ", " ", "+", "-"])
            out.append(f"{sign}  {rng.choice(['int', 'auto', 'const auto&'])} {rng.choice(NAMES)} = "
                       f"{rng.choice(NAMES)}.{rng.choice(['size()', 'get()', 'value()'])};")
    return "\n".join(out)


def shell_script(rng):
    # build and cleanup scripts a coding agent reads from a repository
    lines = ["#!/usr/bin/env bash", "set -euo pipefail", 'tmp="$(mktemp -d)"', "trap 'rm -rf \"$tmp\"' EXIT"]
    for _ in range(rng.randint(5, 60)):
        d = rng.choice(NAMES)
        lines.append(rng.choice([f'rm -rf "build/{d}"', f"mkdir -p out/{d}", f"cp -r {d}/ \"$tmp/{d}\"",
                                 f"make -C {d} -j\"$(nproc)\"", f"echo \"built {d}\"",
                                 f"find . -name '*.o' -delete", f"git clean -fdx {d}"]))
    return "\n".join(lines)


def urls_with_queries(rng):
    out = []
    for _ in range(rng.randint(5, 100)):
        host = rng.choice(["api.example.com", "shop.example.org", "cdn.example.net"])
        q = "&".join(f"{k}={v}" for k, v in rng.sample(
            [("page", rng.randint(1, 40)), ("sort", rng.choice(["ASC", "DESC"])),
             ("status", rng.choice(["OPEN", "CLOSED", "PENDING"])), ("q", rng.choice(NAMES)),
             ("lang", rng.choice(["en", "vi"])), ("limit", 50)], rng.randint(1, 4)))
        out.append(rng.choice([f"https://{host}/v1/{rng.choice(NAMES)}s?{q}",
                               f"[next](https://{host}/search?{q})",
                               f'<a href="https://{host}/{rng.choice(NAMES)}?{q}">more</a>']))
    return "\n".join(out)


def yaml_config(rng):
    out = ["apiVersion: apps/v1", "kind: Deployment", "metadata:", f"  name: {rng.choice(NAMES)}", "spec:"]
    for _ in range(rng.randint(3, 40)):
        out.append(f"  {rng.choice(NAMES)}:")
        out.append(f"    {rng.choice(['enabled', 'replicas', 'image', 'timeout'])}: "
                   f"{rng.choice(['true', 'false', str(rng.randint(1, 9)), rng.choice(NAMES) + ':1.' + str(rng.randint(0, 30))])}")
    return "\n".join(out)


KINDS = {"csv": csv_text, "markdown table": markdown_table, "json rows": json_rows,
         "log lines": log_lines, "numbers": numbers, "one word repeated": one_word,
         "hex digests": hex_digests, "base64": base64_blob, "ids and tokens": tokens_and_ids,
         "stack traces": stack_trace, "unified diff": unified_diff, "shell script": shell_script,
         "urls with queries": urls_with_queries, "yaml": yaml_config}


def flagged(binary, texts):
    lines = "".join(json.dumps({"text": t, "source": "tool"}) + "\n" for t in texts)
    out = subprocess.run([binary, "scan", "--jsonl"], input=lines, capture_output=True, text=True,
                         check=True).stdout.splitlines()
    return sum(json.loads(l)["verdict"] != "allow" for l in out)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("binary")
    ap.add_argument("--before")
    ap.add_argument("--per-kind", type=int, default=100)
    a = ap.parse_args()
    rng = random.Random(20261204)
    print("| kind | n | " + ("before flagged | " if a.before else "") + "flagged |")
    print("|---|---:|" + ("---:|" if a.before else "") + "---:|")
    for kind, make in KINDS.items():
        texts = [make(rng)[:32000] for _ in range(a.per_kind)]
        cells = [str(flagged(a.before, texts))] if a.before else []
        cells.append(str(flagged(a.binary, texts)))
        print(f"| {kind} | {len(texts)} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
