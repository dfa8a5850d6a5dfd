#!/usr/bin/env python3
"""The evaluation table of sanitizer/README.md: per suite and label, blocked % and flagged
% (redact or block) with 95 % Wilson intervals, for an older binary ("before"), the rules
alone, the learned layer alone and both. Suites: every sanitizer/corpora/*.jsonl, and the
held-out test split of every training source (sanitizer/training/data, split == test).

  bench/eval_table.py build/release/bin/reagent [--before OLD_REAGENT] [--source user|tool]
"""
import argparse, json, math, subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
Z = 1.959963984540054

def wilson(k, n):
    if n == 0:
        return 0.0, 0.0
    p = k / n
    d = 1 + Z * Z / n
    c = (p + Z * Z / (2 * n)) / d
    h = Z * math.sqrt(p * (1 - p) / n + Z * Z / (4 * n * n)) / d
    return max(0.0, c - h), min(1.0, c + h)

def rows_of(path, split=None):
    out = []
    for line in path.read_text(encoding="utf-8").split("\n"):
        if line.strip():
            r = json.loads(line)
            if split is None or r.get("split") == split:
                out.append(r)
    return out

def verdicts(binary, flags, rows, source):
    inp = "\n".join(json.dumps({"id": i, "text": r["text"], "source": source}, ensure_ascii=False)
                    for i, r in enumerate(rows)) + "\n"
    out = subprocess.run([binary, "scan", "--jsonl", *flags], input=inp.encode(), capture_output=True,
                         check=True).stdout.decode()
    v = [None] * len(rows)
    for line in out.split("\n"):
        if line.strip():
            o = json.loads(line)
            v[o["id"]] = o.get("verdict", "block")
    return v

def cell(k, n):
    lo, hi = wilson(k, n)
    return f"{100 * k / n:.1f} ({100 * lo:.0f}-{100 * hi:.0f})" if n else "-"

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("reagent")
    ap.add_argument("--before")
    ap.add_argument("--source", default="user")
    a = ap.parse_args()
    configs = []
    if a.before:
        configs.append(("before", a.before, []))
    configs += [("rules", a.reagent, ["--no-learned-layer"]), ("learned", a.reagent, ["--no-builtin-rules"]),
                ("both", a.reagent, [])]
    suites = [(p.name, rows_of(p)) for p in sorted((ROOT / "sanitizer/corpora").glob("*.jsonl"))]
    suites += [(p.stem + " (test split)", rows_of(p, "test")) for p in sorted((ROOT / "sanitizer/training/data").glob("*.jsonl"))]
    head = "| suite | label | n | " + " | ".join(f"{c} blocked % | {c} flagged %" for c, _, _ in configs) + " |"
    print(head)
    print("|---|---|---:|" + "---:|---:|" * len(configs))
    for name, rows in suites:
        if not rows:
            continue
        results = [verdicts(b, f, rows, a.source) for _, b, f in configs]
        for label in ("attack", "benign"):
            idx = [i for i, r in enumerate(rows) if r["label"] == label]
            if not idx:
                continue
            cells = []
            for v in results:
                blocked = sum(1 for i in idx if v[i] == "block")
                flagged = sum(1 for i in idx if v[i] != "allow")
                cells += [cell(blocked, len(idx)), cell(flagged, len(idx))]
            print(f"| {name} | {label} | {len(idx)} | " + " | ".join(cells) + " |")

if __name__ == "__main__":
    main()
