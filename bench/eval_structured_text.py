#!/usr/bin/env python3
"""Benign structured tool output the filter must pass: tables, CSV, JSON, logs, numbers and
runs of one short word, generated from a fixed seed (no attack text in any of them). Prints
how many of each kind are flagged (block or redact) as tool output, for one binary or two.

  bench/eval_structured_text.py build/release/bin/reagent [--before OLD_REAGENT] [--per-kind 100]
"""
import argparse, json, random, subprocess

WORDS = ["yes", "no", "ok", "y", "n", "true", "false", "null", "done", "todo", "open", "closed",
         "pass", "fail", "high", "low", "a", "o", "x", "-", "n/a", "on", "off", "1", "0"]
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


KINDS = {"csv": csv_text, "markdown table": markdown_table, "json rows": json_rows,
         "log lines": log_lines, "numbers": numbers, "one word repeated": one_word}


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
