#!/usr/bin/env python3
"""Development check for disguised attacks, on training rows only: the hand-written attacks of
sanitizer/training/data/reagent_written.jsonl (split train or calib) under the eleven disguises
of bench/eval_heldout_obfuscate.py (the disguise functions are taken from it, its seeds are
not used). Prints the blocked share per language and disguise, and with --show the disguised
rows that pass although their plain form is blocked. Use it while changing rules; the held-out
suite stays for the evaluation table.

  bench/eval_dev_obfuscate.py build/release/bin/reagent [--show] [-- extra reagent scan flags]
"""
import argparse, collections, json, random, subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def disguises():
    src = (ROOT / "bench/eval_heldout_obfuscate.py").read_text(encoding="utf-8")
    g = {}
    exec(src.split("\nout = pathlib")[0], g)  # the functions only; the generator does not run
    def for_lang(lang):
        return [("plain", lambda s, r: s), ("leetspeak", g["leet"]), ("zero_width", g["zero_width"]),
                ("homoglyph", g["homoglyph"]), ("fullwidth", g["fullwidth"]), ("spacing", g["spaced"]),
                ("punctuation", g["punctuated"]), ("random_case", g["random_case"]), ("base64", g["b64"]),
                ("tag_chars", g["tags"]), g["no_diacritics_or_mixed"](lang)]
    return for_lang


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("reagent")
    ap.add_argument("--show", action="store_true", help="list disguised rows that pass although the plain row is blocked")
    ap.add_argument("flags", nargs="*", help="extra flags for reagent scan (after --)")
    a = ap.parse_args()
    rows = [json.loads(l) for l in (ROOT / "sanitizer/training/data/reagent_written.jsonl").read_text(encoding="utf-8").splitlines() if l.strip()]
    seeds = [(r["lang"], r["text"]) for r in rows if r["label"] == "attack" and r["split"] in ("train", "calib")
             and "\n" not in r["text"] and "phrase banks" not in r["source"]]
    for_lang, rng, cases = disguises(), random.Random(3), []
    for lang, s in seeds:
        for name, fn in for_lang(lang):
            cases.append({"text": fn(s, rng), "disguise": name, "lang": lang, "seed": s})
    inp = "\n".join(json.dumps({"id": i, "text": c["text"]}, ensure_ascii=False) for i, c in enumerate(cases)) + "\n"
    out = subprocess.run([a.reagent, "scan", "--jsonl", *a.flags], input=inp.encode(), capture_output=True).stdout.decode()
    verdict = {}
    for line in out.splitlines():
        if line.strip():
            o = json.loads(line)
            verdict[o["id"]] = o.get("verdict", "block")
    total, blocked = collections.Counter(), collections.Counter()
    for i, c in enumerate(cases):
        k = (c["lang"], c["disguise"])
        total[k] += 1
        blocked[k] += verdict.get(i) == "block"
    n, b = sum(total.values()), sum(blocked.values())
    print(f"all: {b}/{n} blocked ({100 * b / n:.1f} %), {len(seeds)} seeds")
    for k in sorted(total):
        print(f"{k[0]} {k[1]:16} {blocked[k]:4}/{total[k]:<4} {100 * blocked[k] / total[k]:5.1f} %")
    if a.show:
        plain = {c["seed"]: verdict.get(i) for i, c in enumerate(cases) if c["disguise"] == "plain"}
        for i, c in enumerate(cases):
            if verdict.get(i) != "block" and plain[c["seed"]] == "block":
                print("PASSES", c["disguise"], json.dumps(c["text"][:140], ensure_ascii=False))


if __name__ == "__main__":
    main()
