#!/usr/bin/env python3
"""What the agent's own wrapper does to the history scan of a tool output. Every labelled row
of sanitizer/corpora and sanitizer/training/data (rows holding "<<<" left out: Wrap changes
those) is scanned from the history twice with `reagent scan --jsonl --source history`: as the
agent stored tool outputs before ("Observation: " + the Wrap block around the text) and as it
scans them now (the text inside). Prints how the verdicts move, by label.

  bench/eval_history_wrapping.py build/release/bin/reagent
"""
import collections, json, subprocess, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NONCE = "0123456789abcdef01234567"

def wrapped(text):
    newline = "" if not text or text.endswith("\n") else "\n"
    return (f"Observation: <<<untrusted nonce={NONCE} source=lookup>>>\n{text}{newline}"
            f"<<<end untrusted nonce={NONCE}>>>")

def verdicts(reagent, texts):
    lines = "".join(json.dumps({"id": i, "text": t, "source": "history"}) + "\n" for i, t in enumerate(texts))
    out = subprocess.run([reagent, "scan", "--jsonl"], input=lines, capture_output=True, text=True, check=True).stdout
    return [json.loads(l)["verdict"] for l in out.split("\n") if l]

def main():
    reagent = sys.argv[1] if len(sys.argv) > 1 else str(ROOT / "build/release/bin/reagent")
    rows = []
    for folder in ("sanitizer/corpora", "sanitizer/training/data"):
        for path in sorted((ROOT / folder).glob("*.jsonl")):
            for line in path.read_text(encoding="utf-8").split("\n"):
                if not line.strip():
                    continue
                r = json.loads(line)
                if isinstance(r.get("text"), str) and r.get("label") in ("attack", "benign") and "<<<" not in r["text"]:
                    rows.append((r["text"], r["label"]))
    bare = verdicts(reagent, [t for t, _ in rows])
    inside = verdicts(reagent, [wrapped(t) for t, _ in rows])
    moves = collections.Counter((label, w, b) for (_, label), w, b in zip(rows, inside, bare) if w != b)
    print(f"{len(rows)} rows; verdicts that differ: {sum(moves.values())}")
    print("| label | wrapped (before) | inside only (now) | rows |")
    print("|---|---|---|---:|")
    for (label, w, b), n in sorted(moves.items(), key=lambda kv: -kv[1]):
        print(f"| {label} | {w} | {b} | {n} |")

if __name__ == "__main__":
    main()
