#!/usr/bin/env python3
"""Writes N different 8 KiB chunks of benign English as `reagent scan --jsonl` input.

usage: bench/scan_chunks.py OUT.jsonl [N=2048] [SEED=1]

Each chunk strings together rows of the benign English corpora (BIPIA contexts, NotInject)
in its own random order, each row tagged with a random reference number, cut at 8 KiB on a
character boundary: no two chunks are alike, so nothing downstream is scanning one input
over and over.
"""
import json
import os
import random
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
CORPORA = ["bipia_contexts_benign_train.jsonl", "notinject_benign.jsonl"]
CHUNK = 8 * 1024


def rows():
    out = []
    for name in CORPORA:
        with open(os.path.join(HERE, "..", "sanitizer", "corpora", name), encoding="utf-8") as f:
            for line in f:
                text = json.loads(line).get("text", "").strip()
                if text:
                    out.append(text)
    return out


def chunk(rng, pool):
    parts, size = [], 0
    while size < CHUNK:
        text = f"{rng.choice(pool)} (ref {rng.randrange(10**6):06d})"
        parts.append(text)
        size += len(text.encode()) + 1
    data = "\n".join(parts).encode()[:CHUNK]
    return data.decode("utf-8", errors="ignore")  # drops a cut last character


def main():
    out = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 2048
    rng = random.Random(int(sys.argv[3]) if len(sys.argv) > 3 else 1)
    pool = rows()
    with open(out, "w", encoding="utf-8") as f:
        for i in range(n):
            f.write(json.dumps({"id": f"c{i}", "text": chunk(rng, pool)}, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
